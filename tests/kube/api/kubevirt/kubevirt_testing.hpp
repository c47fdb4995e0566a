#pragma once
// Test helpers for the kubevirt.io/v1 kinds: load a manifest from
// tests/testdata/manifests/kubevirt, check lossless round trips, and check enum tables.

#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "kube/api/codec.hpp"
#include "kube/api/json_text.hpp"

namespace podvisor::kube::api::kubevirt_testing {

/// Parses tests/testdata/manifests/kubevirt/<name>; fails the test if it cannot.
inline json load_manifest(std::string_view name) {
  std::string path = std::string(PODVISOR_SOURCE_DIR) + "/tests/testdata/manifests/kubevirt/" + std::string(name);
  INFO("manifest: " << path);
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  json out;
  std::string error;
  if (!parse_json(text.str(), out, error))
    FAIL("cannot parse " << path << ": " << error);
  return out;
}

/// Decodes `in` as a T with no errors and checks that encoding gives `in` back exactly.
template <class T>
T round_trip(const json& in) {
  auto result = decode<T>(in);
  INFO("decode errors: " << join_messages(result.errors));
  REQUIRE(result.ok());
  json out = encode(result.value);
  INFO("patch from input to output: " << json::diff(in, out).dump());
  CHECK(out == in);
  return result.value;
}

/// Checks an enum table against KubeVirt's spellings, in order, and round-trips every
/// entry through to_string/parse_enum and through JSON.
template <class E>
void check_enum_table(const std::vector<std::string_view>& kubevirt_spellings) {
  const auto& entries = enum_table<E>::entries;
  REQUIRE(entries.size() == kubevirt_spellings.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    INFO("entry " << i << ": \"" << kubevirt_spellings[i] << "\"");
    CHECK(entries[i].name == kubevirt_spellings[i]);
    CHECK(to_string(entries[i].value) == entries[i].name);
    CHECK(parse_enum<E>(entries[i].name) == entries[i].value);
    for (std::size_t j = 0; j < i; ++j) {
      CHECK(entries[j].value != entries[i].value);
      CHECK(entries[j].name != entries[i].name);
    }
    enum_field<E> field = entries[i].value;
    json wire = detail::encode_value(field);
    CHECK(wire == std::string(entries[i].name));
    auto back = decode<enum_field<E>>(wire);
    REQUIRE(back.ok());
    CHECK(back.value == entries[i].value);
  }
}

} // namespace podvisor::kube::api::kubevirt_testing
