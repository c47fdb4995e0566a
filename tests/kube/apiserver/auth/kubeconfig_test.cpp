#include "kube/apiserver/auth/kubeconfig.hpp"

#include <catch2/catch_test_macros.hpp>

#include <nlohmann/json.hpp>

#include "kube/apiserver/auth/client_cert.hpp"
#include "kube/apiserver/auth/pki.hpp"
#include "tests/kube/apiserver/auth/auth_fixture.hpp"

using namespace podvisor;
using namespace podvisor::kube::apiserver;
using namespace podvisor::test;

namespace {

/// Loads each kubeconfig with python3-kubernetes' config.load_kube_config, the way a
/// Python client does, and reports what the client ended up with: one JSON object per
/// file. Debian's python3-kubernetes belongs to /usr/bin/python3 (a python3 earlier on
/// PATH may not have it).
const char* loader_script = R"(import json, sys
from kubernetes import client, config
out = []
for path in sys.argv[1:]:
    c = client.Configuration()
    config.load_kube_config(config_file=path, client_configuration=c)
    read = lambda f: open(f).read() if f else None
    out.append({"host": c.host, "api_key": c.api_key, "verify_ssl": c.verify_ssl,
                "ca": read(c.ssl_ca_cert), "cert": read(c.cert_file), "key": read(c.key_file)})
print(json.dumps(out))
)";

nlohmann::json load_with_python(const auth_temp_dir& dir, const std::vector<std::filesystem::path>& files) {
  auto script = dir.path() / "load.py";
  spit(script, loader_script);
  std::string cmd = "/usr/bin/python3 " + script.string();
  for (const auto& f : files)
    cmd += " " + f.string();
  auto r = run_command(cmd + " 2>&1");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.output);
}

} // namespace

TEST_CASE("server_url brackets IPv6 and replaces wildcard addresses",
          "[kube][apiserver][auth][kubeconfig]") {
  CHECK(server_url("127.0.0.1", 6443) == "https://127.0.0.1:6443");
  CHECK(server_url("10.1.2.3", 1) == "https://10.1.2.3:1");
  CHECK(server_url("::1", 443) == "https://[::1]:443");
  CHECK(server_url("[fd00::7]", 443) == "https://[fd00::7]:443");
  CHECK(server_url("0.0.0.0", 80) == "https://127.0.0.1:80");
  CHECK(server_url("", 80) == "https://127.0.0.1:80");
  CHECK(server_url("::", 80) == "https://[::1]:80");
  CHECK(server_url("localhost", 8443) == "https://localhost:8443");
}

TEST_CASE("render_kubeconfig writes kubectl's layout", "[kube][apiserver][auth][kubeconfig]") {
  kubeconfig c;
  c.server = "https://127.0.0.1:6443";
  c.ca_pem = "foobar";
  c.user_name = "podvisor-admin";
  c.token = "abc_DEF-123";
  CHECK(render_kubeconfig(c) == "apiVersion: v1\n"
                                "kind: Config\n"
                                "clusters:\n"
                                "- name: podvisor\n"
                                "  cluster:\n"
                                "    server: https://127.0.0.1:6443\n"
                                "    certificate-authority-data: Zm9vYmFy\n"
                                "users:\n"
                                "- name: podvisor-admin\n"
                                "  user:\n"
                                "    token: abc_DEF-123\n"
                                "contexts:\n"
                                "- name: podvisor\n"
                                "  context:\n"
                                "    cluster: podvisor\n"
                                "    user: podvisor-admin\n"
                                "current-context: podvisor\n"
                                "preferences: {}\n");
}

TEST_CASE("render_kubeconfig quotes scalars YAML would misread", "[kube][apiserver][auth][kubeconfig]") {
  kubeconfig c;
  c.server = "https://[::1]:6443";
  c.user_name = "yes";
  c.token = "-starts-with-dash";
  c.namespace_ = "0123";
  auto text = render_kubeconfig(c);
  CHECK(text.find("    server: https://[::1]:6443\n") != std::string::npos);
  CHECK(text.find("- name: \"yes\"\n") != std::string::npos);
  CHECK(text.find("    token: \"-starts-with-dash\"\n") != std::string::npos);
  CHECK(text.find("    namespace: \"0123\"\n") != std::string::npos);
  c.token = "quote\"back\\slash";
  CHECK(render_kubeconfig(c).find("    token: \"quote\\\"back\\\\slash\"\n") != std::string::npos);
}

TEST_CASE("kubeconfigs load in python3-kubernetes with the right server, CA and credentials",
          "[kube][apiserver][auth][kubeconfig]") {
  auth_temp_dir dir;
  auto pki = ensure_pki(dir.path());
  REQUIRE(pki.has_value());

  kubeconfig with_token;
  with_token.server = server_url("127.0.0.1", 43210);
  with_token.ca_pem = pki->ca_cert_pem;
  with_token.user_name = "podvisor-admin";
  with_token.token = "Xb2k9yQ-c3_LwVt7nR0pZa1sE5dF8gH4jK6mN2oP0qU";
  auto token_file = dir.path() / "admin.kubeconfig";
  REQUIRE(write_kubeconfig(token_file, with_token).ok());
  CHECK(file_mode(token_file) == 0600);

  // Awkward scalars must survive PyYAML too.
  kubeconfig awkward = with_token;
  awkward.server = server_url("::1", 6443);
  awkward.user_name = "on";
  awkward.token = "-0x12";
  auto awkward_file = dir.path() / "awkward.kubeconfig";
  REQUIRE(write_kubeconfig(awkward_file, awkward).ok());

  auto creds = issue_client_certificate(*pki, admin_user());
  REQUIRE(creds.has_value());
  kubeconfig with_cert = with_token;
  with_cert.token.clear();
  with_cert.client_cert_pem = creds->cert_pem;
  with_cert.client_key_pem = creds->key_pem;
  auto cert_file = dir.path() / "cert.kubeconfig";
  REQUIRE(write_kubeconfig(cert_file, with_cert).ok());

  auto loaded = load_with_python(dir, {token_file, awkward_file, cert_file});
  REQUIRE(loaded.size() == 3);
  CHECK(loaded[0]["host"] == "https://127.0.0.1:43210");
  CHECK(loaded[0]["api_key"]["authorization"] == "Bearer " + with_token.token);
  CHECK(loaded[0]["verify_ssl"] == true);
  CHECK(loaded[0]["ca"] == pki->ca_cert_pem);

  CHECK(loaded[1]["host"] == "https://[::1]:6443");
  CHECK(loaded[1]["api_key"]["authorization"] == "Bearer -0x12");

  CHECK(loaded[2]["host"] == "https://127.0.0.1:43210");
  CHECK(loaded[2]["cert"] == creds->cert_pem);
  CHECK(loaded[2]["key"] == creds->key_pem);
  CHECK(loaded[2]["ca"] == pki->ca_cert_pem);
}
