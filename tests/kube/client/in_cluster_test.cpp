// load_in_cluster from a temporary service-account directory and the environment, and
// load_default_config's order of sources.

#include <string>

#include <catch2/catch_test_macros.hpp>

#include "kube/client/config.hpp"
#include "tests/kube/client/test_support.hpp"

using namespace podvisor;
using namespace podvisor::kube::client;
using podvisor::test::kubeconfig_fixtures;
using podvisor::test::read_file;
using podvisor::test::scoped_env;
using podvisor::test::temp_dir;

namespace {

/// A service-account directory like the one kubelet mounts.
void write_service_account(const temp_dir& dir, bool with_namespace = true) {
  dir.write("token", "sa-token\n");
  dir.write("ca.crt", read_file(kubeconfig_fixtures() / "ca.crt"));
  if (with_namespace)
    dir.write("namespace", "podvisor-system");
}

} // namespace

TEST_CASE("in-cluster: server from the environment, token file, CA and namespace", "[kube][client]") {
  temp_dir sa;
  write_service_account(sa);
  scoped_env host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  scoped_env port("KUBERNETES_SERVICE_PORT", "443");
  auto c = load_in_cluster(sa.path());
  REQUIRE(c);
  CHECK(c->server == "https://10.96.0.1:443");
  CHECK(c->token_file == sa.path() / "token");
  CHECK(c->ca_pem == read_file(kubeconfig_fixtures() / "ca.crt"));
  CHECK(c->namespace_ == "podvisor-system");
}

TEST_CASE("in-cluster: an IPv6 service host is bracketed; no namespace file means default", "[kube][client]") {
  temp_dir sa;
  write_service_account(sa, false);
  scoped_env host("KUBERNETES_SERVICE_HOST", "fd00:10:96::1");
  scoped_env port("KUBERNETES_SERVICE_PORT", "6443");
  auto c = load_in_cluster(sa.path());
  REQUIRE(c);
  CHECK(c->server == "https://[fd00:10:96::1]:6443");
  CHECK(c->namespace_ == "default");
}

TEST_CASE("in-cluster: missing environment or files are clear errors", "[kube][client]") {
  temp_dir sa;
  SECTION("no environment") {
    write_service_account(sa);
    scoped_env host("KUBERNETES_SERVICE_HOST", std::nullopt);
    scoped_env port("KUBERNETES_SERVICE_PORT", "443");
    auto c = load_in_cluster(sa.path());
    REQUIRE_FALSE(c);
    CHECK(c.error() == errc::not_found);
    CHECK(c.error().message.find("KUBERNETES_SERVICE_HOST") != std::string::npos);
  }
  SECTION("no token") {
    sa.write("ca.crt", read_file(kubeconfig_fixtures() / "ca.crt"));
    scoped_env host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
    scoped_env port("KUBERNETES_SERVICE_PORT", "443");
    auto c = load_in_cluster(sa.path());
    REQUIRE_FALSE(c);
    CHECK(c.error() == errc::not_found);
    CHECK(c.error().to_string().find((sa.path() / "token").string()) != std::string::npos);
  }
  SECTION("a CA file without a certificate") {
    sa.write("token", "t");
    sa.write("ca.crt", "garbage");
    scoped_env host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
    scoped_env port("KUBERNETES_SERVICE_PORT", "443");
    auto c = load_in_cluster(sa.path());
    REQUIRE_FALSE(c);
    CHECK(c.error() == errc::parse_error);
    CHECK(c.error().message.find((sa.path() / "ca.crt").string()) != std::string::npos);
  }
}

TEST_CASE("default config: explicit file, then $KUBECONFIG, then in-cluster, then ~/.kube/config", "[kube][client]") {
  temp_dir home;
  home.write(".kube/config", read_file(kubeconfig_fixtures() / "contexts.yaml"));
  scoped_env home_env("HOME", home.path().string());
  scoped_env host("KUBERNETES_SERVICE_HOST", std::nullopt);
  scoped_env port("KUBERNETES_SERVICE_PORT", std::nullopt);
  {
    scoped_env kc("KUBECONFIG", ":" + (kubeconfig_fixtures() / "token.yaml").string() + ":/nonexistent");
    auto explicit_one = load_default_config(kubeconfig_fixtures() / "token-file.yaml");
    REQUIRE(explicit_one);
    CHECK(explicit_one->server == "https://[::1]:6443");
    auto from_env = load_default_config();
    REQUIRE(from_env);
    CHECK(from_env->token == "fixture-token");
  }
  scoped_env kc("KUBECONFIG", std::nullopt);
  auto from_home = load_default_config();
  REQUIRE(from_home);
  CHECK(from_home->token == "token-one");
  {
    scoped_env in_host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
    scoped_env in_port("KUBERNETES_SERVICE_PORT", "443");
    // In a cluster the service-account directory is used; it does not exist here, which
    // shows that it was chosen over ~/.kube/config.
    auto in_cluster = load_default_config();
    REQUIRE_FALSE(in_cluster);
    CHECK(in_cluster.error().to_string().find("/var/run/secrets/kubernetes.io/serviceaccount/token")
          != std::string::npos);
  }
}
