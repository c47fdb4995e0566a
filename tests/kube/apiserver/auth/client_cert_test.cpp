#include "kube/apiserver/auth/client_cert.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/apiserver/auth/auth_fixture.hpp"
#include "tests/kube/apiserver/auth/openssl_check.hpp"

using namespace podvisor;
using namespace podvisor::kube::apiserver;
using namespace podvisor::test;
using namespace std::chrono_literals;

namespace {

std::string subject_of(const std::string& pem) {
  auto cert = load_cert(pem);
  char buf[512] = {};
  X509_NAME_oneline(X509_get_subject_name(cert.get()), buf, sizeof buf);
  return buf;
}

} // namespace

TEST_CASE("a client certificate carries the user as CN and the groups as O",
          "[kube][apiserver][auth][client_cert]") {
  auth_temp_dir dir;
  auto pki = ensure_pki(dir.path());
  REQUIRE(pki.has_value());
  user_info user{"podvisor-controller", "ignored", {"podvisor:components", "extra:group"}};
  auto creds = issue_client_certificate(*pki, user);
  REQUIRE(creds.has_value());
  CHECK(creds->key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  CHECK(subject_of(creds->cert_pem) == "/O=podvisor:components/O=extra:group/CN=podvisor-controller");
  CHECK(strict_verify(pki->ca_cert_pem, creds->cert_pem, X509_PURPOSE_SSL_CLIENT).empty());
  CHECK_FALSE(strict_verify(pki->ca_cert_pem, creds->cert_pem, X509_PURPOSE_SSL_SERVER).empty());

  auto who = verify_client_certificate(pki->ca_cert_pem, creds->cert_pem, std::chrono::system_clock::now());
  REQUIRE(who.has_value());
  CHECK(who->name == "podvisor-controller");
  CHECK(who->uid.empty());
  CHECK(who->groups ==
        std::vector<std::string>{"podvisor:components", "extra:group", "system:authenticated"});
}

TEST_CASE("verify_client_certificate rejects what kube-apiserver would reject",
          "[kube][apiserver][auth][client_cert]") {
  auth_temp_dir dir;
  auto pki = ensure_pki(dir.path());
  REQUIRE(pki.has_value());
  auto creds = issue_client_certificate(*pki, admin_user());
  REQUIRE(creds.has_value());
  auto now = std::chrono::system_clock::now();

  SECTION("another CA") {
    auth_temp_dir other;
    auto foreign = ensure_pki(other.path());
    REQUIRE(foreign.has_value());
    auto who = verify_client_certificate(foreign->ca_cert_pem, creds->cert_pem, now);
    REQUIRE_FALSE(who.has_value());
    CHECK(who.error() == errc::unauthorized);
  }
  SECTION("expired") {
    auto who = verify_client_certificate(pki->ca_cert_pem, creds->cert_pem, now + 24h * 400);
    REQUIRE_FALSE(who.has_value());
    CHECK(who.error() == errc::unauthorized);
    CHECK(who.error().message.find("expired") != std::string::npos);
  }
  SECTION("a serving certificate is not a client certificate") {
    auto who = verify_client_certificate(pki->ca_cert_pem, slurp(pki->serving_cert), now);
    REQUIRE_FALSE(who.has_value());
    CHECK(who.error() == errc::unauthorized);
  }
  SECTION("not PEM") {
    auto who = verify_client_certificate(pki->ca_cert_pem, "garbage", now);
    REQUIRE_FALSE(who.has_value());
    CHECK(who.error() == errc::parse_error);
    CHECK(verify_client_certificate("garbage", creds->cert_pem, now).error() == errc::parse_error);
  }
}

TEST_CASE("a client certificate does not outlive the CA", "[kube][apiserver][auth][client_cert]") {
  auth_temp_dir dir;
  manual_clock clock{std::chrono::system_clock::now()};
  pki_options options;
  options.clock = &clock;
  options.ca_validity = 24h * 100;
  auto pki = ensure_pki(dir.path(), options);
  REQUIRE(pki.has_value());
  client_cert_options cert_options;
  cert_options.clock = &clock;
  auto creds = issue_client_certificate(*pki, admin_user(), cert_options);
  REQUIRE(creds.has_value());
  auto cert = load_cert(creds->cert_pem);
  auto ca = load_cert(pki->ca_cert_pem);
  CHECK(ASN1_TIME_compare(X509_get0_notAfter(cert.get()), X509_get0_notAfter(ca.get())) == 0);
}

TEST_CASE("issue_client_certificate needs a user name", "[kube][apiserver][auth][client_cert]") {
  auth_temp_dir dir;
  auto pki = ensure_pki(dir.path());
  REQUIRE(pki.has_value());
  auto creds = issue_client_certificate(*pki, user_info{});
  REQUIRE_FALSE(creds.has_value());
  CHECK(creds.error() == errc::invalid_argument);
}
