#include "kube/api/yaml_scalar.hpp"

#include <cmath>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::api;
using nlohmann::json;

namespace {

constexpr std::string_view plain = "?";
constexpr std::string_view quoted = "!";

json resolve_json(std::string_view tag, std::string_view text) {
  yaml_scalar s;
  std::string error;
  INFO(tag << " " << text);
  REQUIRE(resolve_yaml_scalar(tag, text, s, error));
  json out;
  REQUIRE(yaml_scalar_to_json(s, out, error));
  return out;
}

struct scalar_case {
  std::string_view in;
  json out;
};

} // namespace

TEST_CASE("yaml scalars resolve as go-yaml v2 resolves them", "[kube][api][manifest]") {
  const scalar_case cases[] = {
    // YAML 1.1 booleans: exactly these spellings
    {"true", true}, {"True", true}, {"TRUE", true}, {"yes", true}, {"Yes", true}, {"YES", true},
    {"y", true}, {"Y", true}, {"on", true}, {"On", true}, {"ON", true},
    {"false", false}, {"False", false}, {"FALSE", false}, {"no", false}, {"No", false},
    {"NO", false}, {"n", false}, {"N", false}, {"off", false}, {"Off", false}, {"OFF", false},
    {"tRUE", "tRUE"}, {"yES", "yES"}, {"oN", "oN"}, {"nO", "nO"}, {"t", "t"}, {"f", "f"},
    {"yes please", "yes please"},
    // nulls
    {"~", nullptr}, {"null", nullptr}, {"Null", nullptr}, {"NULL", nullptr}, {"", nullptr},
    {"nULL", "nULL"}, {"none", "none"},
    // integers, Go syntax
    {"0", 0}, {"42", 42}, {"-42", -42}, {"+42", 42}, {"0x1F", 31}, {"0X1f", 31},
    {"0o17", 15}, {"017", 15}, {"0b101", 5}, {"-0b101", -5}, {"-0x10", -16}, {"1_000", 1000},
    {"00", 0}, {"9223372036854775807", 9223372036854775807LL},
    {"-9223372036854775808", json::number_integer_t(-9223372036854775807LL - 1)},
    {"9223372036854775808", 9223372036854775808ULL},
    {"18446744073709551615", 18446744073709551615ULL},
    {"9007199254740993", 9007199254740993LL}, {"1e19", 10000000000000000000ULL},
    {"9.3e18", 9300000000000000000ULL}, {"-9.2e18", -9200000000000000000LL},
    // floats; whole ones come out as integers, as Go's JSON encoder writes them
    {"1.5", 1.5}, {"-1.5", -1.5}, {".5", 0.5}, {"-.5", -0.5}, {"+.5e1", 5}, {"1.", 1},
    {"1.0", 1}, {"1e3", 1000}, {"1E3", 1000}, {"2.5e-3", 0.0025}, {"08", 8}, {"09.5", 9.5},
    {"1_0.5", 10.5}, {"1e-400", 0}, {"1.5e300", 1.5e300},
    {"18446744073709551616", 18446744073709551616.0},
    {"-9223372036854775809", -9223372036854775809.0},
    // not numbers
    {"1e400", "1e400"}, {"0x", "0x"}, {"0xZ", "0xZ"}, {"1,000", "1,000"}, {"0.1.2", "0.1.2"},
    {"-", "-"}, {"+", "+"}, {".", "."}, {"e3", "e3"}, {"12:30", "12:30"}, {"1Gi", "1Gi"},
    {"500m", "500m"}, {"2024-01-01", "2024-01-01"}, {"2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"},
    {"<<", "<<"}, {"._5", "._5"}, {"inf", "inf"}, {"nan", "nan"}, {"0x_1", 1},
  };
  for (const auto& c : cases) {
    INFO("scalar: \"" << c.in << "\"");
    auto out = resolve_json(plain, c.in);
    CHECK(out == c.out);
    CHECK(out.type() == c.out.type());
  }
}

TEST_CASE("yaml big hex integers become approximate numbers", "[kube][api][manifest]") {
  auto out = resolve_json(plain, "0x1FFFFFFFFFFFFFFFFF");
  REQUIRE(out.is_number_float());
  CHECK(out.get<double>() == std::ldexp(1.0, 69));
}

TEST_CASE("yaml quoted, block and custom-tagged scalars stay strings", "[kube][api][manifest]") {
  for (auto text : {"true", "yes", "1", "0x10", "null", "~", "1.5", ""}) {
    CHECK(resolve_json(quoted, text) == json(text));
    CHECK(resolve_json("!custom", text) == json(text));
    CHECK(resolve_json("tag:yaml.org,2002:str", text) == json(text));
  }
}

TEST_CASE("yaml explicit core tags are checked against the value", "[kube][api][manifest]") {
  CHECK(resolve_json("tag:yaml.org,2002:int", "0x10") == 16);
  CHECK(resolve_json("tag:yaml.org,2002:float", "3") == 3);
  CHECK(resolve_json("tag:yaml.org,2002:float", "3.5") == 3.5);
  CHECK(resolve_json("tag:yaml.org,2002:bool", "yes") == true);
  CHECK(resolve_json("tag:yaml.org,2002:null", "") == nullptr);
  CHECK(resolve_json("tag:yaml.org,2002:timestamp", "2001-12-14") == "2001-12-14");
  CHECK(resolve_json("tag:yaml.org,2002:binary", "aGVsbG8=") == "hello");
  CHECK(resolve_json("tag:yaml.org,2002:binary", "aGVs\nbG8h") == "hello!");
  CHECK(resolve_json("tag:yaml.org,2002:set", "x") == "x");

  yaml_scalar s;
  std::string error;
  CHECK_FALSE(resolve_yaml_scalar("tag:yaml.org,2002:int", "abc", s, error));
  CHECK(error == "cannot decode !!str `abc` as a !!int");
  CHECK_FALSE(resolve_yaml_scalar("tag:yaml.org,2002:bool", "1", s, error));
  CHECK(error == "cannot decode !!int `1` as a !!bool");
  CHECK_FALSE(resolve_yaml_scalar("tag:yaml.org,2002:int", "1.5", s, error));
  CHECK(error == "cannot decode !!float `1.5` as a !!int");
  CHECK_FALSE(resolve_yaml_scalar("tag:yaml.org,2002:null", "x", s, error));
  CHECK(error == "cannot decode !!str `x` as a !!null");
  CHECK_FALSE(resolve_yaml_scalar("tag:yaml.org,2002:binary", "###", s, error));
  CHECK(error == "!!binary value contains invalid base64 data");
}
