#include "kube/apiserver/auth/serving_cert.hpp"

#include <catch2/catch_test_macros.hpp>

#include "kube/apiserver/auth/pki.hpp"
#include "kube/apiserver/auth/secure_file.hpp"
#include "tests/kube/apiserver/auth/auth_fixture.hpp"
#include "tests/kube/apiserver/auth/openssl_check.hpp"

using namespace podvisor;
using namespace podvisor::kube::apiserver;
using namespace podvisor::test;

TEST_CASE("a serving certificate for a node IP chains to the cluster CA and carries the SAN",
          "[kube][apiserver][auth][serving_cert]") {
  auth_temp_dir dir;
  auto pki = ensure_pki(dir.path());
  REQUIRE(pki.has_value());
  auto ca_key = read_small_file(pki->ca_key);
  REQUIRE(ca_key.has_value());
  serving_cert_options options;
  options.ip_addresses = {"10.44.0.2"};
  auto creds = issue_serving_certificate(pki->ca_cert_pem, *ca_key, options);
  REQUIRE(creds.has_value());
  CHECK(creds->key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  CHECK(strict_verify(pki->ca_cert_pem, creds->cert_pem, X509_PURPOSE_SSL_SERVER).empty());
  CHECK_FALSE(strict_verify(pki->ca_cert_pem, creds->cert_pem, X509_PURPOSE_SSL_CLIENT).empty());
  auto cert = load_cert(creds->cert_pem);
  REQUIRE(cert);
  CHECK(X509_check_ip_asc(cert.get(), "10.44.0.2", 0) == 1);
  CHECK(X509_check_ip_asc(cert.get(), "10.44.0.3", 0) != 1);
}

TEST_CASE("a serving certificate is refused without SANs, with bad SANs or a foreign CA key",
          "[kube][apiserver][auth][serving_cert]") {
  auth_temp_dir dir;
  auto pki = ensure_pki(dir.path());
  REQUIRE(pki.has_value());
  auto ca_key = read_small_file(pki->ca_key);
  REQUIRE(ca_key.has_value());

  auto none = issue_serving_certificate(pki->ca_cert_pem, *ca_key, {});
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error() == errc::invalid_argument);

  serving_cert_options bad_ip;
  bad_ip.ip_addresses = {"10.44.0.300"};
  auto ip = issue_serving_certificate(pki->ca_cert_pem, *ca_key, bad_ip);
  REQUIRE_FALSE(ip.has_value());
  CHECK(ip.error() == errc::invalid_argument);

  serving_cert_options bad_dns;
  bad_dns.dns_names = {"-node.example"};
  CHECK(issue_serving_certificate(pki->ca_cert_pem, *ca_key, bad_dns).error() == errc::invalid_argument);

  auth_temp_dir other_dir;
  auto other = ensure_pki(other_dir.path());
  REQUIRE(other.has_value());
  auto other_key = read_small_file(other->ca_key);
  REQUIRE(other_key.has_value());
  serving_cert_options ok;
  ok.ip_addresses = {"127.0.0.1"};
  auto mismatched = issue_serving_certificate(pki->ca_cert_pem, *other_key, ok);
  REQUIRE_FALSE(mismatched.has_value());
  CHECK(mismatched.error() == errc::parse_error);
  CHECK(issue_serving_certificate("not pem", *ca_key, ok).error() == errc::parse_error);
}
