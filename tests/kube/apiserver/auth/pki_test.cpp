#include "kube/apiserver/auth/pki.hpp"

#include <catch2/catch_test_macros.hpp>

#include <openssl/evp.h>

#include "tests/kube/apiserver/auth/auth_fixture.hpp"
#include "tests/kube/apiserver/auth/openssl_check.hpp"

using namespace podvisor;
using namespace podvisor::kube::apiserver;
using namespace podvisor::test;
using namespace std::chrono_literals;

namespace {

struct pki_snapshot {
  std::string ca_crt, ca_key, crt, key;
};

pki_snapshot snapshot(const pki_files& files) {
  return {slurp(files.ca_cert), slurp(files.ca_key), slurp(files.serving_cert), slurp(files.serving_key)};
}

bool cert_has_ip(const std::string& pem, const char* ip) {
  auto cert = load_cert(pem);
  return cert && X509_check_ip_asc(cert.get(), ip, 0) == 1;
}

bool cert_has_host(const std::string& pem, const char* host) {
  auto cert = load_cert(pem);
  return cert && X509_check_host(cert.get(), host, 0, 0, nullptr) == 1;
}

} // namespace

TEST_CASE("ensure_pki creates a CA and a serving certificate at first start",
          "[kube][apiserver][auth][pki]") {
  auth_temp_dir dir;
  auto files = ensure_pki(dir.path() / "data");
  REQUIRE(files.has_value());
  CHECK(files->ca_created);
  CHECK(files->serving_issued);
  CHECK(files->serving_reason == "no certificate yet");
  CHECK(files->dir == dir.path() / "data" / "pki");
  CHECK(file_mode(files->dir) == 0700);
  CHECK(file_mode(files->ca_key) == 0600);
  CHECK(file_mode(files->serving_key) == 0600);
  CHECK(file_mode(files->ca_cert) == 0644);
  CHECK(file_mode(files->serving_cert) == 0644);
  CHECK(files->ca_cert_pem == slurp(files->ca_cert));
  CHECK(files->ca_cert_pem.rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  CHECK(slurp(files->ca_key).rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
}

TEST_CASE("the serving certificate verifies against the CA with strict checks and has the SANs",
          "[kube][apiserver][auth][pki]") {
  auth_temp_dir dir;
  pki_options options;
  options.extra_ips = {"10.0.0.7", "fd00::7"};
  options.extra_dns_names = {"podvisor.example"};
  auto files = ensure_pki(dir.path(), options);
  REQUIRE(files.has_value());
  auto ca = slurp(files->ca_cert);
  auto crt = slurp(files->serving_cert);
  CHECK(strict_verify(ca, crt, X509_PURPOSE_SSL_SERVER).empty());
  // A serving certificate is not a client certificate, and not a CA.
  CHECK_FALSE(strict_verify(ca, crt, X509_PURPOSE_SSL_CLIENT).empty());
  CHECK(X509_check_ca(load_cert(crt).get()) == 0);
  CHECK(X509_check_ca(load_cert(ca).get()) == 1);

  for (const char* ip : {"127.0.0.1", "::1", "10.0.0.7", "fd00::7"}) {
    INFO(ip);
    CHECK(cert_has_ip(crt, ip));
  }
  CHECK(cert_has_host(crt, "localhost"));
  CHECK(cert_has_host(crt, "podvisor.example"));
  CHECK_FALSE(cert_has_ip(crt, "10.0.0.8"));
  CHECK_FALSE(cert_has_host(crt, "other.example"));
}

TEST_CASE("keys are EC P-256 and match their certificates", "[kube][apiserver][auth][pki]") {
  auth_temp_dir dir;
  auto files = ensure_pki(dir.path());
  REQUIRE(files.has_value());
  for (const auto& [crt_path, key_path] : {std::pair{files->ca_cert, files->ca_key},
                                           std::pair{files->serving_cert, files->serving_key}}) {
    auto key_pem = slurp(key_path);
    BIO* bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    REQUIRE(key != nullptr);
    char group[64] = {};
    std::size_t len = 0;
    REQUIRE(EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1);
    CHECK(std::string{group} == "prime256v1");
    auto cert = load_cert(slurp(crt_path));
    CHECK(X509_check_private_key(cert.get(), key) == 1);
    EVP_PKEY_free(key);
  }
}

TEST_CASE("a second start reuses every file", "[kube][apiserver][auth][pki]") {
  auth_temp_dir dir;
  auto first = ensure_pki(dir.path());
  REQUIRE(first.has_value());
  auto before = snapshot(*first);
  auto second = ensure_pki(dir.path());
  REQUIRE(second.has_value());
  CHECK_FALSE(second->ca_created);
  CHECK_FALSE(second->serving_issued);
  CHECK(second->serving_reason.empty());
  auto after = snapshot(*second);
  CHECK(after.ca_crt == before.ca_crt);
  CHECK(after.ca_key == before.ca_key);
  CHECK(after.crt == before.crt);
  CHECK(after.key == before.key);
}

TEST_CASE("a new SAN reissues the serving certificate with the same CA",
          "[kube][apiserver][auth][pki]") {
  auth_temp_dir dir;
  auto first = ensure_pki(dir.path());
  REQUIRE(first.has_value());
  auto before = snapshot(*first);

  pki_options options;
  options.extra_ips = {"192.168.122.10"};
  auto second = ensure_pki(dir.path(), options);
  REQUIRE(second.has_value());
  CHECK_FALSE(second->ca_created);
  CHECK(second->serving_issued);
  CHECK(second->serving_reason == "missing SAN 192.168.122.10");
  auto after = snapshot(*second);
  CHECK(after.ca_crt == before.ca_crt);
  CHECK(after.ca_key == before.ca_key);
  CHECK(after.crt != before.crt);
  CHECK(after.key != before.key);
  CHECK(cert_has_ip(after.crt, "192.168.122.10"));
  CHECK(strict_verify(after.ca_crt, after.crt, X509_PURPOSE_SSL_SERVER).empty());

  options.extra_dns_names = {"node01.podvisor"};
  auto third = ensure_pki(dir.path(), options);
  REQUIRE(third.has_value());
  CHECK(third->serving_reason == "missing SAN node01.podvisor");
  // Back to fewer SANs: the certificate covering more is kept.
  auto fourth = ensure_pki(dir.path());
  REQUIRE(fourth.has_value());
  CHECK_FALSE(fourth->serving_issued);
}

TEST_CASE("a serving certificate close to expiry is renewed", "[kube][apiserver][auth][pki]") {
  auth_temp_dir dir;
  manual_clock clock{std::chrono::system_clock::now()};
  pki_options options;
  options.clock = &clock;
  auto first = ensure_pki(dir.path(), options);
  REQUIRE(first.has_value());
  auto before = snapshot(*first);

  clock.advance(24h * 300); // 65 days left: kept
  auto kept = ensure_pki(dir.path(), options);
  REQUIRE(kept.has_value());
  CHECK_FALSE(kept->serving_issued);

  clock.advance(24h * 40); // 25 days left: renewed
  auto renewed = ensure_pki(dir.path(), options);
  REQUIRE(renewed.has_value());
  CHECK(renewed->serving_issued);
  CHECK(renewed->serving_reason == "expires within 30 days");
  CHECK(slurp(renewed->ca_cert) == before.ca_crt);
  CHECK(slurp(renewed->serving_cert) != before.crt);

  clock.advance(24h * 30); // the old certificate would have expired; the new one is fine
  auto later = ensure_pki(dir.path(), options);
  REQUIRE(later.has_value());
  CHECK_FALSE(later->serving_issued);
}

TEST_CASE("a broken serving pair is replaced", "[kube][apiserver][auth][pki]") {
  auth_temp_dir dir;
  auto first = ensure_pki(dir.path());
  REQUIRE(first.has_value());

  SECTION("certificate missing (a crash after writing the key)") {
    std::filesystem::remove(first->serving_cert);
    auto again = ensure_pki(dir.path());
    REQUIRE(again.has_value());
    CHECK(again->serving_reason == "no certificate yet");
  }
  SECTION("key from another pair") {
    auth_temp_dir other;
    auto foreign = ensure_pki(other.path());
    REQUIRE(foreign.has_value());
    std::filesystem::copy_file(foreign->serving_key, first->serving_key,
                               std::filesystem::copy_options::overwrite_existing);
    auto again = ensure_pki(dir.path());
    REQUIRE(again.has_value());
    CHECK(again->serving_reason == "certificate does not match its key");
  }
  SECTION("certificate signed by another CA") {
    auth_temp_dir other;
    auto foreign = ensure_pki(other.path());
    REQUIRE(foreign.has_value());
    std::filesystem::copy_file(foreign->serving_cert, first->serving_cert,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(foreign->serving_key, first->serving_key,
                               std::filesystem::copy_options::overwrite_existing);
    auto again = ensure_pki(dir.path());
    REQUIRE(again.has_value());
    CHECK(again->serving_reason.rfind("not valid for the current CA", 0) == 0);
  }
  SECTION("garbage certificate") {
    spit(first->serving_cert, "not a certificate");
    auto again = ensure_pki(dir.path());
    REQUIRE(again.has_value());
    CHECK(again->serving_reason.rfind("unreadable certificate", 0) == 0);
  }
  auto files = ensure_pki(dir.path());
  REQUIRE(files.has_value());
  CHECK_FALSE(files->serving_issued);
  CHECK(strict_verify(slurp(files->ca_cert), slurp(files->serving_cert), X509_PURPOSE_SSL_SERVER).empty());
}

TEST_CASE("a loose key mode is tightened on reuse", "[kube][apiserver][auth][pki]") {
  auth_temp_dir dir;
  auto first = ensure_pki(dir.path());
  REQUIRE(first.has_value());
  for (const auto& key : {first->ca_key, first->serving_key})
    std::filesystem::permissions(key, std::filesystem::perms::others_read, std::filesystem::perm_options::add);
  REQUIRE(ensure_pki(dir.path()).has_value());
  CHECK(file_mode(first->ca_key) == 0600);
  CHECK(file_mode(first->serving_key) == 0600);
}

TEST_CASE("ensure_pki refuses to guess about a damaged CA", "[kube][apiserver][auth][pki]") {
  auth_temp_dir dir;
  auto first = ensure_pki(dir.path());
  REQUIRE(first.has_value());
  auto ca = slurp(first->ca_cert);

  SECTION("key missing") {
    std::filesystem::remove(first->ca_key);
    auto again = ensure_pki(dir.path());
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error() == errc::not_found);
  }
  SECTION("certificate unreadable") {
    spit(first->ca_cert, "garbage");
    auto again = ensure_pki(dir.path());
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error() == errc::parse_error);
  }
  SECTION("key of another CA") {
    auth_temp_dir other;
    auto foreign = ensure_pki(other.path());
    REQUIRE(foreign.has_value());
    std::filesystem::copy_file(foreign->ca_key, first->ca_key,
                               std::filesystem::copy_options::overwrite_existing);
    auto again = ensure_pki(dir.path());
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error() == errc::parse_error);
    CHECK(slurp(first->ca_cert) == ca); // nothing replaced
  }
  SECTION("CA expired") {
    manual_clock clock{std::chrono::system_clock::now() + 24h * 3700};
    pki_options options;
    options.clock = &clock;
    auto again = ensure_pki(dir.path(), options);
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error() == errc::gone);
  }
}

TEST_CASE("ensure_pki rejects bad extra SANs before creating anything",
          "[kube][apiserver][auth][pki]") {
  auth_temp_dir dir;
  for (auto [ips, names] : {std::pair<std::vector<std::string>, std::vector<std::string>>{{"10.0.0.300"}, {}},
                            {{"localhost"}, {}},
                            {{}, {"bad name"}},
                            {{}, {"-x.example"}},
                            {{}, {"a,DNS:evil.example"}},
                            {{}, {""}}}) {
    pki_options options;
    options.extra_ips = ips;
    options.extra_dns_names = names;
    auto files = ensure_pki(dir.path() / "data", options);
    REQUIRE_FALSE(files.has_value());
    CHECK(files.error() == errc::invalid_argument);
  }
  CHECK_FALSE(std::filesystem::exists(dir.path() / "data"));
}

TEST_CASE("serving SAN lists start with loopback and drop duplicates",
          "[kube][apiserver][auth][pki]") {
  pki_options options;
  options.extra_ips = {"10.0.0.1", "127.0.0.1", "10.0.0.1"};
  options.extra_dns_names = {"localhost", "a.example"};
  CHECK(serving_ip_sans(options) == std::vector<std::string>{"127.0.0.1", "::1", "10.0.0.1"});
  CHECK(serving_dns_sans(options) == std::vector<std::string>{"localhost", "a.example"});
}
