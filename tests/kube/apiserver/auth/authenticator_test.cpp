#include "kube/apiserver/auth/authenticator.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::api;
using namespace podvisor::kube::apiserver;

namespace {

const std::string admin_token = "Xb2k9yQ-c3_LwVt7nR0pZa1sE5dF8gH4jK6mN2oP0qU";
const std::string viewer_token = "short-viewer-token";

authenticator make() {
  return authenticator{{{admin_token, admin_user()}, {viewer_token, viewer_user()}}};
}

} // namespace

TEST_CASE("authenticator accepts a known bearer token and adds system:authenticated",
          "[kube][apiserver][auth][authenticator]") {
  auto authn = make();
  CHECK(authn.size() == 2);
  auto r = authn.check("Bearer " + admin_token);
  CHECK(r.status == authn_status::authenticated);
  REQUIRE(r.user.has_value());
  CHECK(r.user->name == "podvisor-admin");
  CHECK(r.user->uid == "podvisor-admin");
  CHECK(r.user->groups == std::vector<std::string>{"system:masters", "system:authenticated"});

  auto viewer = authn.authenticate("Bearer " + viewer_token);
  REQUIRE(viewer.has_value());
  CHECK(viewer->name == "podvisor-viewer");
}

TEST_CASE("authenticator follows Go's header parsing", "[kube][apiserver][auth][authenticator]") {
  auto authn = make();
  // Scheme is case-insensitive, the header is trimmed, a third part is ignored.
  CHECK(authn.check("bearer " + admin_token).status == authn_status::authenticated);
  CHECK(authn.check("BEARER " + admin_token).status == authn_status::authenticated);
  CHECK(authn.check("  Bearer " + admin_token + " \t").status == authn_status::authenticated);
  CHECK(authn.check("Bearer " + admin_token + " trailing").status == authn_status::authenticated);
}

TEST_CASE("authenticator treats missing or foreign credentials as anonymous",
          "[kube][apiserver][auth][authenticator]") {
  auto authn = make();
  for (const std::string& header : std::vector<std::string>{
           "", "   ", "Bearer", "Bearer ", "Bearer  " + admin_token, "Basic dXNlcjpwYXNz",
           "Token " + admin_token, "Bearer\t" + admin_token, admin_token}) {
    INFO(header);
    auto r = authn.check(header);
    CHECK(r.status == authn_status::anonymous);
    CHECK_FALSE(r.user.has_value());
    CHECK_FALSE(authn.authenticate(header).has_value());
  }
}

TEST_CASE("authenticator rejects unknown bearer tokens", "[kube][apiserver][auth][authenticator]") {
  auto authn = make();
  std::string near_misses[] = {
    "wrong",
    admin_token.substr(0, admin_token.size() - 1),
    admin_token + "x",
    std::string{admin_token}.replace(0, 1, "x"),
    std::string(1 << 20, 'A'), // a 1 MB token
    std::string(max_token_length, 'A'),
  };
  for (const auto& token : near_misses) {
    INFO(token.substr(0, 64));
    auto r = authn.check("Bearer " + token);
    CHECK(r.status == authn_status::rejected);
    CHECK_FALSE(r.user.has_value());
  }
}

TEST_CASE("authenticator handles a 1 MB header without a scheme as anonymous",
          "[kube][apiserver][auth][authenticator]") {
  auto authn = make();
  CHECK(authn.check(std::string(1 << 20, 'x')).status == authn_status::anonymous);
  CHECK(authn.check(std::string(1 << 20, ' ')).status == authn_status::anonymous);
}

TEST_CASE("authenticator maps a duplicated token to its last entry and skips empty tokens",
          "[kube][apiserver][auth][authenticator]") {
  authenticator authn{{{"same", admin_user()}, {"same", viewer_user()}, {"", admin_user()}}};
  CHECK(authn.size() == 2);
  auto user = authn.authenticate("Bearer same");
  REQUIRE(user.has_value());
  CHECK(user->name == "podvisor-viewer");
}

TEST_CASE("authenticator does not duplicate system:authenticated",
          "[kube][apiserver][auth][authenticator]") {
  authenticator authn{{{"t", {"u", "1", {"system:authenticated", "g"}}}}};
  auto user = authn.authenticate("Bearer t");
  REQUIRE(user.has_value());
  CHECK(user->groups == std::vector<std::string>{"system:authenticated", "g"});
}

TEST_CASE("authn_status has a string for every value", "[kube][apiserver][auth][authenticator]") {
  for (auto s : {authn_status::anonymous, authn_status::authenticated, authn_status::rejected}) {
    auto name = to_string(s);
    CHECK_FALSE(name.empty());
    CHECK(parse_enum<authn_status>(name) == s);
  }
  CHECK(enum_table<authn_status>::entries.size() == 3);
}
