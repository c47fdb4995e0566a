// load_kubeconfig on the fixture files in tests/testdata/kubeconfig, and on broken
// variants written to a temporary directory.

#include <string>

#include <catch2/catch_test_macros.hpp>

#include "kube/client/config.hpp"
#include "tests/kube/client/test_support.hpp"

using namespace podvisor;
using namespace podvisor::kube::client;
using podvisor::test::kubeconfig_fixtures;
using podvisor::test::read_file;
using podvisor::test::temp_dir;

TEST_CASE("kubeconfig: token user, CA data and the context's namespace", "[kube][client]") {
  auto c = load_kubeconfig(kubeconfig_fixtures() / "token.yaml");
  REQUIRE(c);
  CHECK(c->server == "https://127.0.0.1:6443");
  CHECK(c->token == "fixture-token");
  CHECK(c->token_file.empty());
  CHECK(c->namespace_ == "team-a");
  CHECK(c->ca_pem == read_file(kubeconfig_fixtures() / "ca.crt"));
  CHECK_FALSE(c->insecure_skip_tls_verify);
  CHECK(c->client_cert_pem.empty());
}

TEST_CASE("kubeconfig: tokenFile and certificate-authority relative to the file", "[kube][client]") {
  auto c = load_kubeconfig(kubeconfig_fixtures() / "token-file.yaml");
  REQUIRE(c);
  CHECK(c->server == "https://[::1]:6443");
  CHECK(c->token_file == kubeconfig_fixtures() / "tokens" / "token");
  CHECK(c->ca_pem == read_file(kubeconfig_fixtures() / "ca.crt"));
  CHECK(c->namespace_ == "default");
}

TEST_CASE("kubeconfig: client certificate as data and as files", "[kube][client]") {
  auto cert = read_file(kubeconfig_fixtures() / "client.crt");
  auto key = read_file(kubeconfig_fixtures() / "client.key");
  auto data = load_kubeconfig(kubeconfig_fixtures() / "client-cert.yaml");
  REQUIRE(data);
  CHECK(data->client_cert_pem == cert);
  CHECK(data->client_key_pem == key);
  CHECK(data->token.empty());
  auto files = load_kubeconfig(kubeconfig_fixtures() / "client-cert.yaml", "files");
  REQUIRE(files);
  CHECK(files->client_cert_pem == cert);
  CHECK(files->client_key_pem == key);
}

TEST_CASE("kubeconfig: the current context, or a named one", "[kube][client]") {
  auto current = load_kubeconfig(kubeconfig_fixtures() / "contexts.yaml");
  REQUIRE(current);
  CHECK(current->server == "https://10.0.0.1:6443");
  CHECK(current->token == "token-one");
  CHECK(current->namespace_ == "default");
  auto second = load_kubeconfig(kubeconfig_fixtures() / "contexts.yaml", "second");
  REQUIRE(second);
  CHECK(second->server == "https://10.0.0.2");
  CHECK(second->token == "token-two");
  CHECK(second->insecure_skip_tls_verify);
  CHECK(second->ca_pem.empty());
  CHECK(second->namespace_ == "kube-system");
}

TEST_CASE("kubeconfig: errors name the file and the entry", "[kube][client]") {
  auto dir = kubeconfig_fixtures();
  struct bad {
    std::string file;
    std::string context;
    errc code;
    std::string says;
  };
  const bad cases[] = {
    {"no-current-context.yaml", "", errc::invalid_argument, "no current-context is set"},
    {"malformed.yaml", "", errc::parse_error, "malformed YAML at line"},
    {"contexts.yaml", "third", errc::not_found, "context \"third\" not found in contexts (have: first, second, dangling)"},
    {"contexts.yaml", "dangling", errc::not_found, "cluster \"three\" (used by context \"dangling\") not found"},
    {"exec-user.yaml", "", errc::unsupported, "user \"plugin\": exec is not supported"},
    {"missing-token-file.yaml", "", errc::not_found, "user \"sa\": tokenFile"},
    {"does-not-exist.yaml", "", errc::not_found, "no such file"},
  };
  for (const auto& c : cases) {
    INFO(c.file << " " << c.context);
    auto r = load_kubeconfig(dir / c.file, c.context);
    REQUIRE_FALSE(r);
    CHECK(r.error() == c.code);
    CHECK(r.error().message.find("kubeconfig " + (dir / c.file).string()) == 0);
    CHECK(r.error().message.find(c.says) != std::string::npos);
  }
}

TEST_CASE("kubeconfig: broken entries are reported precisely", "[kube][client]") {
  temp_dir tmp;
  auto with = [&](const std::string& cluster, const std::string& user) {
    return tmp.write("config", "clusters:\n- name: c\n  cluster:\n" + cluster + "users:\n- name: u\n  user:\n" + user
                                 + "contexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n"
                                   "current-context: x\n");
  };
  struct bad {
    std::string cluster;
    std::string user;
    errc code;
    std::string says;
  };
  const bad cases[] = {
    {"    insecure-skip-tls-verify: true\n", "    token: t\n", errc::invalid_argument, "cluster \"c\" has no server"},
    {"    server: https://h\n    certificate-authority-data: '!!!'\n", "    token: t\n", errc::parse_error,
     "certificate-authority-data is not valid base64"},
    {"    server: https://h\n    certificate-authority-data: aGVsbG8=\n", "    token: t\n", errc::parse_error,
     "holds no PEM certificate"},
    {"    server: https://h\n    certificate-authority: missing.crt\n", "    token: t\n", errc::not_found,
     "cluster \"c\": certificate-authority " + (tmp.path() / "missing.crt").string() + ": no such file"},
    {"    server: https://h\n    insecure-skip-tls-verify: maybe\n", "    token: t\n", errc::parse_error,
     "insecure-skip-tls-verify must be true or false"},
    {"    server: [a, b]\n", "    token: t\n", errc::parse_error, "server must be a string"},
    {"    server: https://h\n", "    client-certificate: " + (kubeconfig_fixtures() / "client.crt").string() + "\n",
     errc::invalid_argument, "needs both a certificate and a key"},
    {"    server: https://h\n", "    client-certificate-data: aGVsbG8=\n    client-key-data: aGVsbG8=\n",
     errc::parse_error, "client certificate holds no PEM certificate"},
    {"    server: https://h\n", "    username: a\n    password: b\n", errc::unsupported, "username is not supported"},
  };
  for (const auto& c : cases) {
    INFO(c.cluster << c.user);
    auto file = with(c.cluster, c.user);
    auto r = load_kubeconfig(file);
    REQUIRE_FALSE(r);
    CHECK(r.error() == c.code);
    CHECK(r.error().message.find("kubeconfig " + file.string() + ": ") == 0);
    CHECK(r.error().message.find(c.says) != std::string::npos);
  }
}

TEST_CASE("kubeconfig: a CA together with insecure-skip-tls-verify is refused", "[kube][client]") {
  temp_dir tmp;
  auto file = tmp.write("config", "clusters:\n- name: c\n  cluster:\n    server: https://h\n    insecure-skip-tls-verify: true\n"
                                  "    certificate-authority: " + (kubeconfig_fixtures() / "ca.crt").string()
                                    + "\ncontexts:\n- name: x\n  context:\n    cluster: c\ncurrent-context: x\n");
  auto r = load_kubeconfig(file);
  REQUIRE_FALSE(r);
  CHECK(r.error() == errc::invalid_argument);
  CHECK(r.error().message.find("cannot be combined") != std::string::npos);
}

TEST_CASE("kubeconfig: a context without a user gives no credentials", "[kube][client]") {
  temp_dir tmp;
  auto file = tmp.write("config", "clusters:\n- name: c\n  cluster:\n    server: https://h:1\ncontexts:\n- name: x\n"
                                  "  context:\n    cluster: c\ncurrent-context: x\n");
  auto r = load_kubeconfig(file);
  REQUIRE(r);
  CHECK(r->token.empty());
  CHECK(r->token_file.empty());
  CHECK(r->client_cert_pem.empty());
}

TEST_CASE("kubeconfig: a document that is not a map, and an empty file", "[kube][client]") {
  temp_dir tmp;
  for (const char* text : {"- a\n- b\n", "", "just text"}) {
    INFO(text);
    auto r = load_kubeconfig(tmp.write("config", text));
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::parse_error);
    CHECK(r.error().message.find("not a kubeconfig") != std::string::npos);
  }
  auto r = load_kubeconfig(tmp.write("config", "contexts: 3\ncurrent-context: x\n"));
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("contexts must be a list") != std::string::npos);
}
