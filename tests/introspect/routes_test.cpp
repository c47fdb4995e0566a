#include "introspect/routes.hpp"

#include <string>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::introspect;
using kind = route::kind;

namespace {
route get(std::string path, std::multimap<std::string, std::string> query = {}) {
  return parse_route(path, query);
}
} // namespace

TEST_CASE("routes: the fixed paths", "[introspect][routes]") {
  CHECK(get("/healthz").what == kind::health);
  CHECK(get("/metrics").what == kind::metrics);
  CHECK(get("/v1/supervisors").what == kind::list);
  CHECK(get("/").what == kind::not_found);
  CHECK(get("/healthz/").what == kind::not_found);
  CHECK(get("/v1/supervisors/").what == kind::not_found);
  CHECK(get("/v2/supervisors").what == kind::not_found);
}

TEST_CASE("routes: one supervisor and its watch", "[introspect][routes]") {
  auto one = get("/v1/supervisors/default/vm-1.a");
  CHECK(one.what == kind::one);
  CHECK(one.namespace_ == "default");
  CHECK(one.name == "vm-1.a");
  CHECK(get("/v1/supervisors/default/vm1", {{"watch", "true"}}).what == kind::watch);
  CHECK(get("/v1/supervisors/default/vm1", {{"watch", "1"}}).what == kind::watch);
  CHECK(get("/v1/supervisors/default/vm1", {{"watch", "false"}}).what == kind::one);
  CHECK(get("/v1/supervisors/default").what == kind::not_found);
  CHECK(get("/v1/supervisors/default/vm1/").what == kind::not_found);
  CHECK(get("/v1/supervisors/default/vm1/x").what == kind::not_found);
  CHECK(get("/v1/supervisors//vm1").what == kind::not_found);
}

TEST_CASE("routes: bad names and queries are 400 with a reason", "[introspect][routes]") {
  auto upper = get("/v1/supervisors/Default/vm1");
  CHECK(upper.what == kind::bad_request);
  CHECK(upper.problem.find("namespace") != std::string::npos);
  CHECK(get("/v1/supervisors/default/VM1").what == kind::bad_request);
  CHECK(get("/v1/supervisors/default/-vm").what == kind::bad_request);
  CHECK(get("/v1/supervisors/default/" + std::string(254, 'a')).what == kind::bad_request);
  CHECK(get("/v1/supervisors/" + std::string(64, 'a') + "/vm").what == kind::bad_request);
  CHECK(get("/v1/supervisors/default/vm1", {{"watch", "yes"}}).what == kind::bad_request);
  CHECK(get("/v1/supervisors/default/vm1", {{"watch", "true"}, {"watch", "true"}}).what == kind::bad_request);
  CHECK(get("/v1/supervisors/default/vm1", {{"follow", "true"}}).what == kind::bad_request);
  CHECK(get("/v1/supervisors", {{"watch", "true"}}).what == kind::bad_request);
  CHECK(get("/metrics", {{"watch", "true"}}).what == kind::bad_request);
}

TEST_CASE("routes: DNS-1123 checks", "[introspect][routes]") {
  CHECK(is_dns1123_label("a"));
  CHECK(is_dns1123_label(std::string(63, 'a')));
  CHECK_FALSE(is_dns1123_label(std::string(64, 'a')));
  CHECK_FALSE(is_dns1123_label("a.b"));
  CHECK(is_dns1123_subdomain("a.b-c.d"));
  CHECK_FALSE(is_dns1123_subdomain("a..b"));
  CHECK_FALSE(is_dns1123_subdomain("a."));
  CHECK_FALSE(is_dns1123_subdomain(""));
}

TEST_CASE("routes: a supervisor's console, its tail and follow", "[introspect][routes]") {
  auto c = get("/v1/supervisors/default/vm1/console");
  CHECK(c.what == kind::console);
  CHECK(c.namespace_ == "default");
  CHECK(c.name == "vm1");
  CHECK(c.tail_kib == 64);
  CHECK_FALSE(c.follow);
  auto f = get("/v1/supervisors/default/vm1/console", {{"tail", "4"}, {"follow", "true"}});
  CHECK(f.what == kind::console);
  CHECK(f.tail_kib == 4);
  CHECK(f.follow);
  CHECK(get("/v1/supervisors/default/console").what == kind::one); // a VMI named console
  CHECK(get("/v1/supervisors/default/vm1/console/").what == kind::not_found);
  CHECK(get("/v1/supervisors//vm1/console").what == kind::not_found);
  CHECK(get("/v1/supervisors/Default/vm1/console").what == kind::bad_request);
  CHECK(get("/v1/supervisors/default/vm1/console", {{"tail", "0"}}).what == kind::bad_request);
  CHECK(get("/v1/supervisors/default/vm1/console", {{"tail", "2000"}}).what == kind::bad_request);
  CHECK(get("/v1/supervisors/default/vm1/console", {{"tail", "-1"}}).what == kind::bad_request);
  CHECK(get("/v1/supervisors/default/vm1/console", {{"follow", "yes"}}).what == kind::bad_request);
  CHECK(get("/v1/supervisors/default/vm1/console", {{"watch", "true"}}).what == kind::bad_request);
}
