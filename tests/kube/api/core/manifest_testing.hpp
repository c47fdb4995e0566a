#pragma once
// Test helpers for the core kinds: load a manifest from tests/testdata/manifests/core and
// check that decoding and re-encoding it gives back exactly the same JSON.

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <catch2/catch_test_macros.hpp>

#include "kube/api/codec.hpp"
#include "kube/api/json_text.hpp"

namespace podvisor::kube::api::testing {

/// Parses tests/testdata/manifests/core/<name>; fails the test if it cannot.
inline json load_core_manifest(std::string_view name) {
  std::string path = std::string(PODVISOR_SOURCE_DIR) + "/tests/testdata/manifests/core/" + std::string(name);
  std::ifstream in(path);
  INFO("manifest: " << path);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  json out;
  std::string error;
  if (!parse_json(text.str(), out, error))
    FAIL("cannot parse " << path << ": " << error);
  return out;
}

/// Decodes `in` as a T, requires no errors, and checks encode(decode(in)) == in. A failure
/// prints the JSON patch from the input to what was written.
template <class T>
T require_round_trip(const json& in) {
  auto decoded_value = decode<T>(in);
  INFO("decode errors: " << join_messages(decoded_value.errors));
  REQUIRE(decoded_value.ok());
  json out = encode(decoded_value.value);
  INFO("patch from input to output: " << json::diff(in, out).dump());
  CHECK(out == in);
  return decoded_value.value;
}

} // namespace podvisor::kube::api::testing
