#include "kube/api/yaml_scalar.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::api;
using nlohmann::json;

namespace {

constexpr std::string_view plain = "?";
constexpr std::string_view quoted = "!";

std::string resolve_key(std::string_view text, std::string_view tag = plain) {
  yaml_scalar s;
  std::string error, key;
  INFO(text);
  REQUIRE(resolve_yaml_scalar(tag, text, s, error));
  REQUIRE(yaml_scalar_to_key(s, key, error));
  return key;
}

} // namespace

TEST_CASE("yaml infinities and NaN have no JSON value", "[kube][api][manifest]") {
  struct {
    std::string_view in, error;
  } cases[] = {{".inf", "json: unsupported value: +Inf"}, {"+.Inf", "json: unsupported value: +Inf"},
               {"-.INF", "json: unsupported value: -Inf"}, {".nan", "json: unsupported value: NaN"},
               {".NaN", "json: unsupported value: NaN"}};
  for (const auto& c : cases) {
    yaml_scalar s;
    std::string error;
    REQUIRE(resolve_yaml_scalar(plain, c.in, s, error));
    CHECK(s.type == yaml_scalar::kind::floating);
    json out;
    CHECK_FALSE(yaml_scalar_to_json(s, out, error));
    CHECK(error == c.error);
  }
}

TEST_CASE("yaml keys become strings as sigs.k8s.io/yaml converts them", "[kube][api][manifest]") {
  CHECK(resolve_key("name") == "name");
  CHECK(resolve_key("12") == "12");
  CHECK(resolve_key("0x10") == "16");
  CHECK(resolve_key("010") == "8");
  CHECK(resolve_key("true") == "true");
  CHECK(resolve_key("yes") == "true");
  CHECK(resolve_key("off") == "false");
  CHECK(resolve_key("yes", quoted) == "yes");
  // Floats print as Go's FormatFloat(f, 'g', -1, 32).
  CHECK(resolve_key("1.5") == "1.5");
  CHECK(resolve_key("1.0") == "1");
  CHECK(resolve_key("1e6") == "1e+06");
  CHECK(resolve_key("100000.0") == "100000");
  CHECK(resolve_key("0.0001") == "0.0001");
  CHECK(resolve_key("0.00001") == "1e-05");
  CHECK(resolve_key("3.14159265358979") == "3.1415927");
  CHECK(resolve_key("-0.0") == "-0");
  CHECK(resolve_key(".inf") == ".inf");
  CHECK(resolve_key("-.inf") == "-.inf");
  CHECK(resolve_key(".nan") == ".nan");
  CHECK(resolve_key("1e300") == ".inf");

  yaml_scalar s;
  std::string error, key;
  REQUIRE(resolve_yaml_scalar(plain, "~", s, error));
  CHECK_FALSE(yaml_scalar_to_key(s, key, error));
  CHECK(error == "unsupported map key of type: <nil>");
  REQUIRE(resolve_yaml_scalar(plain, "18446744073709551615", s, error));
  CHECK_FALSE(yaml_scalar_to_key(s, key, error));
  CHECK(error == "unsupported map key of type: uint64");
}

TEST_CASE("invalid UTF-8 is replaced as Go's JSON encoder does", "[kube][api][manifest]") {
  std::string text = "plain ✓ text";
  sanitize_utf8(text);
  CHECK(text == "plain ✓ text");
  text = "a\xff" "b";
  sanitize_utf8(text);
  CHECK(text == "a\xEF\xBF\xBD" "b");
  text = "\xC0\x80";
  sanitize_utf8(text);
  CHECK(text == "\xEF\xBF\xBD\xEF\xBF\xBD");
  text = "x\xE2\x82";
  sanitize_utf8(text);
  CHECK(text == "x\xEF\xBF\xBD\xEF\xBF\xBD");
  text = "\xED\xA0\x80"; // a UTF-16 surrogate
  sanitize_utf8(text);
  CHECK(json(text).dump() == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST_CASE("yaml whole floats become the integers Go's encoder prints", "[kube][api][manifest]") {
  auto convert = [](double f) {
    yaml_scalar s;
    s.type = yaml_scalar::kind::floating;
    s.floating = f;
    json out;
    std::string error;
    REQUIRE(yaml_scalar_to_json(s, out, error));
    return out;
  };
  CHECK(convert(1000.0) == 1000);
  CHECK(convert(1000.0).is_number_integer());
  CHECK(convert(-0.0) == 0);
  CHECK(convert(0.5).is_number_float());
  CHECK(convert(9007199254740991.0) == 9007199254740991LL);
  // Past 2^53 Go prints the shortest digits padded with zeros, not the exact value.
  CHECK(convert(123456789012345680.0) == 123456789012345680LL);
  CHECK(convert(9223372036854775808.0) == 9223372036854776000ULL);
  CHECK(convert(-9223372036854775808.0).is_number_float()); // -9223372036854776000 < int64 min
  CHECK(convert(1e20).is_number_float());                    // beyond uint64
  CHECK(convert(1e21).is_number_float());                    // Go switches to exponent form
}
