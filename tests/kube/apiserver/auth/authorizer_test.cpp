#include "kube/apiserver/auth/authorizer.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::api;
using namespace podvisor::kube::apiserver;

namespace {

const std::vector<std::string> resource_verbs = {"get",    "list",   "watch", "create",
                                                 "update", "patch", "delete", "deletecollection"};

request_attributes vmi(std::string verb, std::string ns = "default", std::string name = "") {
  request_attributes a;
  a.verb = std::move(verb);
  a.api_group = "kubevirt.io";
  a.resource = "virtualmachineinstances";
  a.namespace_ = std::move(ns);
  a.name = std::move(name);
  return a;
}

request_attributes path(std::string p, std::string verb = "get") {
  request_attributes a;
  a.verb = std::move(verb);
  a.resource_request = false;
  a.path = std::move(p);
  return a;
}

user_info with_authenticated(user_info u) {
  u.groups.emplace_back("system:authenticated");
  return u;
}

} // namespace

TEST_CASE("admins and components may do everything", "[kube][apiserver][auth][authorizer]") {
  auto component = component_user("controller");
  REQUIRE(component.has_value());
  for (const auto& user : {with_authenticated(admin_user()), with_authenticated(*component)}) {
    for (const auto& verb : resource_verbs) {
      INFO(user.name << " " << verb);
      CHECK(authorize(user, vmi(verb)).allowed());
      auto status = vmi(verb, "", "");
      status.subresource = "status";
      CHECK(authorize(user, status).allowed());
    }
    CHECK(authorize(user, path("/metrics")).allowed());
    CHECK(authorize(user, path("/anything", "post")).allowed());
  }
}

TEST_CASE("viewers may only read", "[kube][apiserver][auth][authorizer]") {
  auto viewer = with_authenticated(viewer_user());
  for (const auto& verb : {"get", "list", "watch"})
    CHECK(authorize(viewer, vmi(verb)).allowed());
  for (const auto& verb : {"create", "update", "patch", "delete", "deletecollection"}) {
    INFO(verb);
    auto d = authorize(viewer, vmi(verb));
    CHECK(d.verdict == authz_verdict::forbidden);
    CHECK(d.http_status() == 403);
    CHECK(d.reason() == "Forbidden");
  }
  CHECK(authorize(viewer, path("/metrics")).allowed());
  CHECK(authorize(viewer, path("/metrics", "post")).verdict == authz_verdict::forbidden);
}

TEST_CASE("forbidden messages match kube-apiserver's RBAC wording",
          "[kube][apiserver][auth][authorizer]") {
  auto viewer = with_authenticated(viewer_user());
  auto d = authorize(viewer, vmi("create"));
  CHECK(d.message ==
        "virtualmachineinstances.kubevirt.io is forbidden: User \"podvisor-viewer\" cannot create "
        "resource \"virtualmachineinstances\" in API group \"kubevirt.io\" in the namespace "
        "\"default\"");
  CHECK(d.details_group == "kubevirt.io");
  CHECK(d.details_kind == "virtualmachineinstances");
  CHECK(d.details_name.empty());

  request_attributes pod;
  pod.verb = "patch";
  pod.resource = "pods";
  pod.subresource = "status";
  pod.namespace_ = "ns1";
  pod.name = "web-0";
  d = authorize(viewer, pod);
  CHECK(d.message == "pods \"web-0\" is forbidden: User \"podvisor-viewer\" cannot patch resource "
                     "\"pods/status\" in API group \"\" in the namespace \"ns1\"");
  CHECK(d.details_name == "web-0");
  CHECK(d.details_kind == "pods");

  request_attributes node;
  node.verb = "delete";
  node.resource = "nodes";
  node.name = "node01";
  CHECK(
      authorize(viewer, node).message ==
      "nodes \"node01\" is forbidden: User \"podvisor-viewer\" cannot delete resource \"nodes\" in "
      "API group \"\" at the cluster scope");

  CHECK(authorize(viewer, path("/logs", "post")).message ==
        "forbidden: User \"podvisor-viewer\" cannot post path \"/logs\"");
}

TEST_CASE("forbidden_reason quotes like Go's %q", "[kube][apiserver][auth][authorizer]") {
  auto a = path("/a\"b\\c\n");
  CHECK(forbidden_reason("we\tird", a) == "User \"we\\tird\" cannot get path \"/a\\\"b\\\\c\\n\"");
  CHECK(forbidden_reason("\x01", a).rfind("User \"\\x01\"", 0) == 0);
}

TEST_CASE("anonymous requests reach health and version only",
          "[kube][apiserver][auth][authorizer]") {
  for (const auto& p : {"/healthz", "/readyz", "/livez", "/version", "/version/"}) {
    INFO(p);
    CHECK(authorize(std::nullopt, path(p)).allowed());
  }
  for (const auto& p : {"/api", "/apis", "/openapi/v3", "/metrics", "/healthz/etcd", "/"}) {
    INFO(p);
    auto d = authorize(std::nullopt, path(p));
    CHECK(d.verdict == authz_verdict::unauthorized);
    CHECK(d.http_status() == 401);
    CHECK(d.reason() == "Unauthorized");
    CHECK(d.message == "Unauthorized");
  }
  CHECK(authorize(std::nullopt, path("/healthz", "post")).verdict == authz_verdict::unauthorized);
  CHECK(authorize(std::nullopt, vmi("list")).verdict == authz_verdict::unauthorized);
  CHECK(authorize(std::nullopt, vmi("get", "default", "x")).verdict == authz_verdict::unauthorized);
}

TEST_CASE("any authenticated user may read discovery but no resources",
          "[kube][apiserver][auth][authorizer]") {
  user_info nobody{"someone", "1", {}};
  for (const auto& p : {"/api", "/api/v1", "/apis", "/apis/kubevirt.io/v1", "/openapi/v3",
                        "/openapi/v3/apis/kubevirt.io/v1", "/version", "/healthz"}) {
    INFO(p);
    CHECK(authorize(nobody, path(p)).allowed());
  }
  CHECK(authorize(nobody, path("/metrics")).verdict == authz_verdict::forbidden);
  auto d = authorize(nobody, vmi("list", ""));
  CHECK(d.verdict == authz_verdict::forbidden);
  CHECK(d.message ==
        "virtualmachineinstances.kubevirt.io is forbidden: User \"someone\" cannot list "
        "resource \"virtualmachineinstances\" in API group \"kubevirt.io\" at the "
        "cluster scope");
}

TEST_CASE("the rule table is the documented one", "[kube][apiserver][auth][authorizer]") {
  auto table = policy_table();
  REQUIRE(table.size() == 5);
  CHECK(table[0].group == "system:masters");
  CHECK(table[1].group == "podvisor:components");
  CHECK(table[2].group == "podvisor:viewers");
  CHECK(table[3].group == "system:authenticated");
  CHECK(table[4].group == "system:unauthenticated");
  CHECK(table[3].all_resources == false);
  CHECK(table[4].all_resources == false);
}

TEST_CASE("unauthorized_decision is a 401", "[kube][apiserver][auth][authorizer]") {
  auto d = unauthorized_decision();
  CHECK(d.http_status() == 401);
  CHECK(d.message == "Unauthorized");
  CHECK(authz_decision{}.http_status() == 200);
  CHECK(authz_decision{}.reason().empty());
}

TEST_CASE("authz_verdict has a string for every value", "[kube][apiserver][auth][authorizer]") {
  for (auto v : {authz_verdict::allow, authz_verdict::forbidden, authz_verdict::unauthorized}) {
    auto name = to_string(v);
    CHECK_FALSE(name.empty());
    CHECK(parse_enum<authz_verdict>(name) == v);
  }
  CHECK(enum_table<authz_verdict>::entries.size() == 3);
}
