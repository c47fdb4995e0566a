#include "net/binding/netns.hpp"

#include <catch2/catch_test_macros.hpp>

#include "net/binding/netlink.hpp"
#include "tests/net/binding/netns_fixture.hpp"

#include <fcntl.h>
#include <unistd.h>

using namespace podvisor;
using namespace podvisor::net::binding;
using namespace podvisor::net::binding::testing;

namespace {
expected<std::vector<std::string>> link_names() {
  auto nl = rtnl::open();
  if (!nl)
    return nl.error();
  auto links = nl->links();
  if (!links)
    return links.error();
  std::vector<std::string> names;
  for (const auto& l : *links)
    names.push_back(l.name);
  return names;
}
} // namespace

TEST_CASE("run_in_netns runs the function inside the namespace and returns its result", "[net][binding][integration]") {
  test_netns ns{"plain"};
  ns.ip("link add dummy7 type bridge");
  auto inside = run_in_netns(ns.ref(), link_names);
  REQUIRE(inside.has_value());
  CHECK(*inside == std::vector<std::string>{"lo", "dummy7"});
  // The caller's own thread never moved.
  auto here = link_names();
  REQUIRE(here.has_value());
  CHECK(std::find(here->begin(), here->end(), "dummy7") == here->end());

  // By descriptor, which the caller may close right after.
  int fd = ::open(("/run/netns/" + ns.name()).c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  netns_thread t{netns_ref::from_fd(fd)};
  ::close(fd);
  REQUIRE(t.ready().ok());
  for (int i = 0; i < 3; ++i) {
    auto again = t.run(link_names);
    REQUIRE(again.has_value());
    CHECK(again->size() == 2);
  }
  CHECK(t.run([]() -> error { throw std::runtime_error("boom"); }).to_string().find("boom") != std::string::npos);
}

TEST_CASE("run_in_netns: a missing namespace is a clear not_found", "[net][binding][integration]") {
  bool ran = false;
  auto e = run_in_netns(netns_ref::named("podvisor-test-does-not-exist"), [&]() -> error {
    ran = true;
    return {};
  });
  CHECK_FALSE(ran);
  CHECK(e == errc::not_found);
  CHECK(e.to_string().find("/run/netns/podvisor-test-does-not-exist") != std::string::npos);
  CHECK(run_in_netns(netns_ref{}, []() -> error { return {}; }) == errc::invalid_argument);
}
