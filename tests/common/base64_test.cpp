#include "common/base64.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;

TEST_CASE("base64 matches the RFC 4648 test vectors", "[kube][apiserver][auth][base64]") {
  const std::pair<std::string, std::string> vectors[] = {
    {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    CHECK(base64_encode(plain) == encoded);
    CHECK(base64_decode(encoded) == plain);
  }
}

TEST_CASE("base64url uses - and _ and no padding", "[kube][apiserver][auth][base64]") {
  std::string bytes = "\xfb\xff";
  CHECK(base64_encode(bytes) == "+/8=");
  CHECK(base64url_encode(bytes) == "-_8");
  CHECK(base64url_encode("foob") == "Zm9vYg");
}

TEST_CASE("base64_decode rejects malformed text", "[kube][apiserver][auth][base64]") {
  CHECK_FALSE(base64_decode("Zm9").has_value());
  CHECK_FALSE(base64_decode("Zm9*").has_value());
  CHECK_FALSE(base64_decode("-_8=").has_value());
}
