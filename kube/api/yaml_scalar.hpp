#pragma once
// What a YAML scalar means, decided exactly as sigs.k8s.io/yaml decides it: go-yaml v2
// resolves the scalar (YAML 1.1 booleans such as yes/no/on/off/y/n, nulls, Go-syntax
// integers with 0x/0o/0b/leading-0 octal prefixes and underscores, floats), and the
// result is then made JSON-compatible (non-string keys become strings, whole floats are
// written as integers the way Go's encoding/json prints them).
//
// Separate from the manifest loader so the rules can be read and tested on their own.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace podvisor::kube::api {

/// A resolved YAML scalar.
struct yaml_scalar {
  enum class kind {
    null,
    boolean,
    integer,          ///< fits int64
    unsigned_integer, ///< above int64, fits uint64
    big_integer,      ///< beyond uint64 (Go's *big.Int); `floating` holds an approximation
    floating,
    string,
  };
  kind type = kind::string;
  bool boolean = false;
  std::int64_t integer = 0;
  std::uint64_t unsigned_integer = 0;
  double floating = 0;
  std::string string;
};

/// yaml-cpp's spelling of "no tag" on a plain scalar; quoted and block scalars get "!".
inline constexpr std::string_view yaml_plain_tag = "?";

/// Resolves `value` with yaml-cpp's `tag` ("?" plain, "!" quoted/block/explicit "!",
/// "tag:yaml.org,2002:int" for `!!int`, anything else for custom tags, which go-yaml
/// leaves as strings). Fails, with go-yaml's wording, when an explicit core tag does not
/// fit the value ("cannot decode !!str `abc` as a !!int") or `!!binary` is not base64.
bool resolve_yaml_scalar(std::string_view tag, std::string_view value, yaml_scalar& out,
                         std::string& error);

/// The JSON value sigs.k8s.io/yaml produces. Fails for NaN and infinities, which Go's JSON
/// encoder refuses ("json: unsupported value: NaN").
bool yaml_scalar_to_json(const yaml_scalar& scalar, nlohmann::json& out, std::string& error);

/// The JSON object key for a scalar used as a mapping key: strings as they are, integers in
/// decimal, booleans as "true"/"false", floats as Go's FormatFloat(f, 'g', -1, 32). Null,
/// uint64 and big integer keys are refused, as sigs.k8s.io/yaml refuses them.
bool yaml_scalar_to_key(const yaml_scalar& scalar, std::string& out, std::string& error);

/// Replaces invalid UTF-8 with U+FFFD, as Go's JSON encoder does, so every string in a
/// converted document can be serialized.
void sanitize_utf8(std::string& text);

} // namespace podvisor::kube::api
