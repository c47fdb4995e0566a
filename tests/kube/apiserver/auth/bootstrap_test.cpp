#include "kube/apiserver/auth/bootstrap.hpp"

#include <catch2/catch_test_macros.hpp>

#include "kube/apiserver/auth/authenticator.hpp"
#include "kube/apiserver/auth/authorizer.hpp"
#include "common/base64.hpp"
#include "kube/apiserver/auth/kubeconfig.hpp"
#include "tests/kube/apiserver/auth/auth_fixture.hpp"

using namespace podvisor;
using namespace podvisor::kube::apiserver;
using namespace podvisor::test;

TEST_CASE("prepare_security sets up PKI and tokens once", "[kube][apiserver][auth][bootstrap]") {
  auth_temp_dir dir;
  auto data = dir.path() / "data";
  security_options options{data, {"controller", "node-node01"}, {}};
  auto first = prepare_security(options);
  REQUIRE(first.has_value());
  CHECK(first->pki.ca_created);
  CHECK(first->token_file == data / "tokens.csv");
  CHECK(file_mode(data) == 0700);
  CHECK(file_mode(first->token_file) == 0600);
  CHECK(first->tokens_added == std::vector<std::string>{"podvisor-admin", "podvisor-viewer",
                                                        "podvisor-controller",
                                                        "podvisor-node-node01"});
  REQUIRE(first->tokens.size() == 4);

  auto second = prepare_security(options);
  REQUIRE(second.has_value());
  CHECK_FALSE(second->pki.ca_created);
  CHECK_FALSE(second->pki.serving_issued);
  CHECK(second->tokens_added.empty());
  CHECK(second->tokens == first->tokens);

  options.components.emplace_back("agent");
  auto third = prepare_security(options);
  REQUIRE(third.has_value());
  CHECK(third->tokens_added == std::vector<std::string>{"podvisor-agent"});
  CHECK(third->tokens.size() == 5);
}

TEST_CASE("prepare_security checks component names before touching the disk",
          "[kube][apiserver][auth][bootstrap]") {
  auth_temp_dir dir;
  auto bad = prepare_security({dir.path() / "data", {"controller", "../etc"}, {}});
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error() == errc::invalid_argument);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "data"));
}

TEST_CASE("write_kubeconfigs writes one file per user with its own token",
          "[kube][apiserver][auth][bootstrap]") {
  auth_temp_dir dir;
  auto setup = prepare_security({dir.path(), {"scheduler"}, {}});
  REQUIRE(setup.has_value());
  auto written = write_kubeconfigs(*setup, server_url("127.0.0.1", 6443));
  REQUIRE(written.has_value());
  REQUIRE(*written == std::vector<std::filesystem::path>{dir.path() / "admin.kubeconfig",
                                                         dir.path() / "viewer.kubeconfig",
                                                         dir.path() / "scheduler.kubeconfig"});
  const std::pair<const char*, const char*> expected_users[] = {
    {"admin.kubeconfig", "podvisor-admin"},
    {"viewer.kubeconfig", "podvisor-viewer"},
    {"scheduler.kubeconfig", "podvisor-scheduler"}};
  for (const auto& [file, user] : expected_users) {
    INFO(file);
    auto path = dir.path() / file;
    CHECK(file_mode(path) == 0600);
    auto text = slurp(path);
    auto token = find_user_token(setup->tokens, user);
    REQUIRE(token != nullptr);
    // A random token that starts with '-', '_' or a digit is written double-quoted.
    CHECK((text.find("    token: " + token->token + "\n") != std::string::npos ||
           text.find("    token: \"" + token->token + "\"\n") != std::string::npos));
    CHECK(text.find("    user: " + std::string{user} + "\n") != std::string::npos);
    CHECK(text.find("    server: https://127.0.0.1:6443\n") != std::string::npos);
    CHECK(text.find("certificate-authority-data: " + base64_encode(setup->pki.ca_cert_pem)) !=
          std::string::npos);
  }
}

TEST_CASE("tokens from prepare_security authenticate and authorize end to end",
          "[kube][apiserver][auth][bootstrap]") {
  auth_temp_dir dir;
  auto setup = prepare_security({dir.path(), {"controller"}, {}});
  REQUIRE(setup.has_value());
  authenticator authn{setup->tokens};
  request_attributes create_vmi{
      "create", true, "kubevirt.io", "virtualmachineinstances", "", "default", "", ""};

  auto admin =
      authn.authenticate("Bearer " + find_user_token(setup->tokens, "podvisor-admin")->token);
  REQUIRE(admin.has_value());
  CHECK(authorize(admin, create_vmi).allowed());

  auto controller =
      authn.authenticate("Bearer " + find_user_token(setup->tokens, "podvisor-controller")->token);
  REQUIRE(controller.has_value());
  CHECK(authorize(controller, create_vmi).allowed());

  auto viewer =
      authn.authenticate("Bearer " + find_user_token(setup->tokens, "podvisor-viewer")->token);
  REQUIRE(viewer.has_value());
  auto denied = authorize(viewer, create_vmi);
  CHECK(denied.http_status() == 403);
  CHECK(denied.message ==
        "virtualmachineinstances.kubevirt.io is forbidden: User \"podvisor-viewer\" cannot create "
        "resource \"virtualmachineinstances\" in API group \"kubevirt.io\" in the namespace \"default\"");

  CHECK(authn.check("Bearer not-a-token").status == authn_status::rejected);
}

TEST_CASE("write_kubeconfigs reports a user whose token was removed",
          "[kube][apiserver][auth][bootstrap]") {
  auth_temp_dir dir;
  auto setup = prepare_security({dir.path(), {}, {}});
  REQUIRE(setup.has_value());
  setup->tokens.erase(setup->tokens.begin() + 1); // the viewer
  auto written = write_kubeconfigs(*setup, server_url("127.0.0.1", 6443));
  REQUIRE_FALSE(written.has_value());
  CHECK(written.error() == errc::not_found);
}
