#include "kube/api/kubevirt/firmware_uuid.hpp"

#include <string>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::api;

namespace {

std::string hex(const std::array<std::uint8_t, 20>& digest) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (auto b : digest) {
    out += digits[b >> 4];
    out += digits[b & 0x0f];
  }
  return out;
}

} // namespace

TEST_CASE("sha1 matches the FIPS 180 test vectors", "[kube][api][kubevirt][firmware_uuid]") {
  CHECK(hex(sha1("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(hex(sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
        == "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  // 55, 56 and 64 bytes: the padding boundaries.
  CHECK(hex(sha1(std::string(55, 'a'))) == "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  CHECK(hex(sha1(std::string(56, 'a'))) == "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  CHECK(hex(sha1(std::string(64, 'a'))) == "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

TEST_CASE("uuid_v5 matches RFC 4122's name-based UUIDs", "[kube][api][kubevirt][firmware_uuid]") {
  // The DNS namespace, 6ba7b810-9dad-11d1-80b4-00c04fd430c8, and "www.example.com".
  constexpr uuid_bytes dns = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                              0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  CHECK(format_uuid(uuid_v5(dns, "www.example.com")) == "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

TEST_CASE("firmware UUIDs are KubeVirt's, stable and name-specific", "[kube][api][kubevirt][firmware_uuid]") {
  CHECK(format_uuid(firmware_uuid_namespace) == "6a1a24a1-4061-4607-8bf4-a3963d0c5895");
  // What KubeVirt's CalculateLegacyUUID gives for a VM named testvm.
  CHECK(firmware_uuid_for("testvm") == "5a9fc181-957e-5c32-9e5a-2de5e9673531");
  CHECK(firmware_uuid_for("testvm") == firmware_uuid_for("testvm"));
  CHECK(firmware_uuid_for("testvm2") != firmware_uuid_for("testvm"));
  auto id = firmware_uuid_for("x");
  CHECK(id.size() == 36);
  CHECK(id[14] == '5'); // version
}
