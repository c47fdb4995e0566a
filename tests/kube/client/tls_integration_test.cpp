// rest_client's TLS against a small cpp-httplib HTTPS listener whose certificates come
// from the API server's PKI code: client-certificate authentication (the embedded API
// server authenticates bearer tokens only, so mutual TLS is exercised here), a client
// without the certificate the listener demands, and a server whose certificate does not
// name the address the client dialled.

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <catch2/catch_test_macros.hpp>
#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "kube/apiserver/auth/client_cert.hpp"
#include "kube/apiserver/auth/kubeconfig.hpp"
#include "kube/apiserver/auth/pki.hpp"
#include "kube/client/config.hpp"
#include "kube/client/rest_client.hpp"
#include "tests/kube/client/test_support.hpp"

using namespace podvisor;
using namespace podvisor::kube::client;
using podvisor::test::temp_dir;

namespace {

/// An HTTPS listener on `host` with the PKI's serving certificate that answers
/// GET /whoami with the CN of the client certificate ("" without one). With
/// `require_client_cert`, the PKI's CA must have signed a client certificate.
class tls_listener {
public:
  tls_listener(const kube::apiserver::pki_files& pki, const std::string& host, bool require_client_cert)
    : server_(pki.serving_cert.c_str(), pki.serving_key.c_str(),
              require_client_cert ? pki.ca_cert.c_str() : nullptr) {
    REQUIRE(server_.is_valid());
    server_.Get("/whoami", [](const httplib::Request& req, httplib::Response& res) {
      std::string cn;
      if (req.ssl != nullptr) {
        if (X509* cert = SSL_get1_peer_certificate(req.ssl)) {
          char buf[256] = {};
          X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
          cn = buf;
          X509_free(cert);
        }
      }
      res.set_content(cn, "text/plain");
    });
    server_.set_keep_alive_timeout(1);
    port_ = server_.bind_to_any_port(host);
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the accept loop runs.
    REQUIRE(test::wait_until([this] { return server_.is_running(); }));
  }
  ~tls_listener() {
    server_.stop();
    thread_.join();
  }
  tls_listener(const tls_listener&) = delete;
  tls_listener& operator=(const tls_listener&) = delete;

  int port() const { return port_; }

private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

struct pki_fixture {
  temp_dir dir;
  kube::apiserver::pki_files pki;

  pki_fixture() {
    auto made = kube::apiserver::ensure_pki(dir.path() / "data");
    if (!made)
      FAIL("ensure_pki: " << made.error().to_string());
    pki = *made;
  }

  /// A kubeconfig for `server` written as the API server writes them, loaded back.
  client_config kubeconfig(const std::string& server, const kube::apiserver::client_credentials* creds) {
    kube::apiserver::kubeconfig k;
    k.server = server;
    k.ca_pem = pki.ca_cert_pem;
    k.user_name = "podvisor-test-user";
    if (creds) {
      k.client_cert_pem = creds->cert_pem;
      k.client_key_pem = creds->key_pem;
    } else {
      k.token = "unused";
    }
    auto file = dir.path() / "test.kubeconfig";
    REQUIRE_FALSE(kube::apiserver::write_kubeconfig(file, k));
    auto config = load_kubeconfig(file);
    if (!config)
      FAIL("load_kubeconfig: " << config.error().to_string());
    return *config;
  }
};

std::unique_ptr<rest_client> make_client(client_config config) {
  config.request_timeout = std::chrono::seconds(5);
  auto client = rest_client::create(std::move(config));
  if (!client)
    FAIL("rest_client::create: " << client.error().to_string());
  return std::move(*client);
}

} // namespace

TEST_CASE("integration: a client-certificate kubeconfig authenticates over mutual TLS", "[kube][client][integration]") {
  pki_fixture f;
  tls_listener listener(f.pki, "127.0.0.1", true);
  auto creds = kube::apiserver::issue_client_certificate(f.pki, {"podvisor-cert-user", "", {"podvisor:components"}});
  REQUIRE(creds);
  auto config = f.kubeconfig("https://127.0.0.1:" + std::to_string(listener.port()), &*creds);
  CHECK(config.token.empty());
  CHECK_FALSE(config.client_cert_pem.empty());
  auto client = make_client(config);
  auto who = client->get_raw("/whoami");
  REQUIRE(who);
  CHECK(*who == "podvisor-cert-user");
  // Again, over the pooled keep-alive connection.
  auto again = client->get_raw("/whoami");
  REQUIRE(again);
  CHECK(*again == "podvisor-cert-user");
}

TEST_CASE("integration: without the client certificate a mutual-TLS server refuses the handshake",
          "[kube][client][integration]") {
  pki_fixture f;
  tls_listener listener(f.pki, "127.0.0.1", true);
  auto client = make_client(f.kubeconfig("https://127.0.0.1:" + std::to_string(listener.port()), nullptr));
  auto who = client->get_raw("/whoami");
  REQUIRE_FALSE(who);
  CHECK(who.error() == errc::unavailable);
  INFO(who.error().to_string());
  // With TLS 1.3 the refusal comes after the handshake: as an alert ("tlsv13 alert
  // certificate required") when it can be read before the connection is reset, else as
  // a failed write; either way the message points at the client certificate.
  CHECK(who.error().message.find("TLS") != std::string::npos);
  auto says_certificate = who.error().message.find("certificate required") != std::string::npos
                          || who.error().message.find("may require a client certificate") != std::string::npos;
  CHECK(says_certificate);
}

TEST_CASE("integration: a server certificate that does not name the dialled address is refused",
          "[kube][client][integration]") {
  pki_fixture f;
  // 127.0.0.2 is loopback too, but the serving certificate names only 127.0.0.1, ::1 and
  // localhost.
  tls_listener listener(f.pki, "127.0.0.2", false);
  auto url = "https://127.0.0.2:" + std::to_string(listener.port());
  auto client = make_client(f.kubeconfig(url, nullptr));
  auto who = client->get_raw("/whoami");
  REQUIRE_FALSE(who);
  CHECK(who.error() == errc::unavailable);
  INFO(who.error().to_string());
  CHECK(who.error().message.find("IP address mismatch") != std::string::npos);

  // insecure-skip-tls-verify accepts it (and any other certificate).
  client_config insecure;
  insecure.server = url;
  insecure.insecure_skip_tls_verify = true;
  auto trusting = make_client(insecure);
  auto anyway = trusting->get_raw("/whoami");
  REQUIRE(anyway);
  CHECK(anyway->empty());
}

TEST_CASE("integration: the serving certificate verifies by host name too", "[kube][client][integration]") {
  pki_fixture f;
  tls_listener listener(f.pki, "127.0.0.1", false);
  auto client = make_client(f.kubeconfig("https://localhost:" + std::to_string(listener.port()), nullptr));
  // localhost may resolve to ::1 first, where nothing listens; httplib tries each address.
  auto who = client->get_raw("/whoami");
  REQUIRE(who);
}
