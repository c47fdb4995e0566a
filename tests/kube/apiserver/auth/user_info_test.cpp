#include "kube/apiserver/auth/user_info.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;
using namespace podvisor::kube::apiserver;

TEST_CASE("built-in users carry their groups", "[kube][apiserver][auth][user_info]") {
  CHECK(admin_user() == user_info{"podvisor-admin", "podvisor-admin", {"system:masters"}});
  CHECK(viewer_user() == user_info{"podvisor-viewer", "podvisor-viewer", {"podvisor:viewers"}});
}

TEST_CASE("component_user names components and checks the name",
          "[kube][apiserver][auth][user_info]") {
  auto node = component_user("node-node01");
  REQUIRE(node.has_value());
  CHECK(*node == user_info{"podvisor-node-node01", "podvisor-node-node01", {"podvisor:components"}});
  for (const char* bad : {"", "Node", "node_1", "-x", "x-", "a/b", "../x", "admin", "viewer",
                          "a.b"}) {
    INFO(bad);
    auto user = component_user(bad);
    REQUIRE_FALSE(user.has_value());
    CHECK(user.error() == errc::invalid_argument);
  }
  CHECK_FALSE(component_user(std::string(64, 'a')).has_value());
  CHECK(component_user(std::string(63, 'a')).has_value());
}
