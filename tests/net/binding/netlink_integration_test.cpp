// rtnl::add_veth across two namespaces: one end here, the peer created directly in the
// other namespace, and the errors a caller has to tell apart (a name taken on either
// side, no namespace descriptor), each leaving nothing behind.
#include "net/binding/netlink.hpp"

#include <catch2/catch_test_macros.hpp>

#include <fcntl.h>
#include <unistd.h>

#include "net/binding/netns.hpp"
#include "tests/net/binding/netns_fixture.hpp"

using namespace podvisor;
using namespace podvisor::net::binding;
using namespace podvisor::net::binding::testing;

namespace {

/// An open descriptor closed on scope exit.
struct scoped_fd {
  int fd = -1;
  explicit scoped_fd(const std::string& path) : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~scoped_fd() {
    if (fd >= 0)
      ::close(fd);
  }
};

bool has_link(const test_netns& ns, const std::string& name) {
  return sh("ip -n " + ns.name() + " link show " + name + " >/dev/null 2>&1").rc == 0;
}

} // namespace

TEST_CASE("add_veth makes a pair with its peer in another namespace", "[net][binding][integration]") {
  test_netns node{"vnode"};
  test_netns pod{"vpod"};
  scoped_fd pod_fd{"/run/netns/" + pod.name()};
  REQUIRE(pod_fd.fd >= 0);

  auto added = run_in_netns(node.ref(), [&]() -> expected<link_info> {
    auto nl = rtnl::open();
    if (!nl)
      return nl.error();
    if (auto e = nl->add_veth("pvtest0", "eth0", pod_fd.fd))
      return e;
    return nl->link("pvtest0");
  });
  INFO((added ? std::string{} : added.error().to_string()));
  REQUIRE(added.has_value());
  CHECK(added->type == "veth");
  CHECK_FALSE(added->up);

  auto peer = pod.ip_json("-d link show eth0");
  REQUIRE(peer.size() == 1);
  CHECK(peer[0]["linkinfo"]["info_kind"] == "veth");
  CHECK_FALSE(has_link(node, "eth0"));
  CHECK_FALSE(has_link(pod, "pvtest0"));

  SECTION("a name taken on either side is already_exists and adds nothing") {
    auto again = run_in_netns(node.ref(), [&]() -> error {
      auto nl = rtnl::open();
      return nl ? nl->add_veth("pvtest0", "eth1", pod_fd.fd) : nl.error();
    });
    CHECK(again == errc::already_exists);
    CHECK(again.to_string().find("pvtest0") != std::string::npos);
    CHECK_FALSE(has_link(pod, "eth1"));

    auto peer_taken = run_in_netns(node.ref(), [&]() -> error {
      auto nl = rtnl::open();
      return nl ? nl->add_veth("pvtest1", "eth0", pod_fd.fd) : nl.error();
    });
    CHECK(peer_taken == errc::already_exists);
    CHECK_FALSE(has_link(node, "pvtest1"));
  }

  SECTION("deleting one end removes the pair") {
    node.ip("link del pvtest0");
    CHECK_FALSE(has_link(pod, "eth0"));
  }
}

TEST_CASE("add_veth: without a namespace descriptor it is a clear error", "[net][binding][integration]") {
  test_netns node{"vnode"};
  auto e = run_in_netns(node.ref(), []() -> error {
    auto nl = rtnl::open();
    return nl ? nl->add_veth("pvtest2", "eth0", -1) : nl.error();
  });
  CHECK(e == errc::invalid_argument);
  CHECK(e.to_string().find("pvtest2") != std::string::npos);

  // A descriptor that is not a network namespace is refused by the kernel.
  scoped_fd not_ns{"/dev/null"};
  REQUIRE(not_ns.fd >= 0);
  auto bad = run_in_netns(node.ref(), [&]() -> error {
    auto nl = rtnl::open();
    return nl ? nl->add_veth("pvtest2", "eth0", not_ns.fd) : nl.error();
  });
  CHECK_FALSE(bad.ok());
  CHECK_FALSE(has_link(node, "pvtest2"));
}

TEST_CASE("replace_route adds a route or replaces the one to the same destination", "[net][binding][integration]") {
  test_netns ns{"routes"};
  ns.ip("link add br7 type bridge");
  ns.ip("addr add 10.50.0.1/24 dev br7");
  ns.ip("link set br7 up");
  auto via = [](const char* gateway) {
    route_info r;
    r.destination = *net::dhcp::parse_ipv4("10.60.0.0");
    r.prefix = 24;
    r.gateway = net::dhcp::parse_ipv4(gateway);
    return r;
  };
  auto replace = [&](const route_info& r) {
    return run_in_netns(ns.ref(), [&]() -> error {
      auto nl = rtnl::open();
      return nl ? nl->replace_route(r) : nl.error();
    });
  };
  REQUIRE_FALSE(replace(via("10.50.0.2")));
  REQUIRE_FALSE(replace(via("10.50.0.3")));
  auto routes = ns.ip_json("route show 10.60.0.0/24");
  REQUIRE(routes.size() == 1);
  CHECK(routes[0]["gateway"] == "10.50.0.3");
  CHECK(routes[0]["dev"] == "br7");

  // A next hop no interface reaches is refused, naming the route.
  auto unreachable = replace(via("10.70.0.1"));
  CHECK(unreachable);
  CHECK(unreachable.to_string().find("10.60.0.0/24") != std::string::npos);
  CHECK(ns.ip_json("route show 10.60.0.0/24")[0]["gateway"] == "10.50.0.3");
}
