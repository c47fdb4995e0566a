#include "kube/api/quantity.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <vector>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::api;

namespace {

quantity q(std::string_view text) {
  std::string why;
  auto parsed = quantity::parse(text, &why);
  INFO(text << ": " << why);
  REQUIRE(parsed);
  return *parsed;
}

struct canonical_case {
  std::string_view in;
  std::string_view out;
};

// Expectations derived from Kubernetes' quantity_test.go (TestQuantityParse,
// TestQuantityParseEmit, TestQuantityString), written here as parse -> String().
constexpr canonical_case canonical_cases[] = {
  // zero in every family prints as "0"
  {"0", "0"}, {"0n", "0"}, {"0u", "0"}, {"0m", "0"}, {"0Ki", "0"}, {"0k", "0"}, {"0Mi", "0"},
  {"0M", "0"}, {"0Gi", "0"}, {"0G", "0"}, {"0Ti", "0"}, {"0T", "0"}, {"-0", "0"}, {"+0", "0"},
  {"000", "0"}, {"0.0", "0"}, {"0e5", "0"}, {"0.000Ki", "0"},
  // plain and binary suffixes
  {"1", "1"}, {"1Ki", "1Ki"}, {"8Ki", "8Ki"}, {"7Mi", "7Mi"}, {"6Gi", "6Gi"}, {"5Ti", "5Ti"},
  {"4Pi", "4Pi"}, {"3Ei", "3Ei"}, {"10Ti", "10Ti"}, {"100Ti", "100Ti"}, {"1024Mi", "1Gi"},
  {"1536Mi", "1536Mi"}, {"1.5Gi", "1536Mi"}, {"0.5Gi", "512Mi"}, {"0.5Mi", "512Ki"},
  {"1001Gi", "1001Gi"}, {"1024Gi", "1Ti"}, {"300Mi", "300Mi"}, {"307200Ki", "300Mi"},
  {"1025Ki", "1025Ki"}, {"1.5Ki", "1536"}, {"01Ki", "1Ki"},
  // decimal suffixes
  {"5n", "5n"}, {"4u", "4u"}, {"3m", "3m"}, {"9", "9"}, {"8k", "8k"}, {"50k", "50k"},
  {"7M", "7M"}, {"6G", "6G"}, {"5T", "5T"}, {"40T", "40T"}, {"300T", "300T"}, {"2P", "2P"},
  {"1E", "1E"}, {"12E", "12E"}, {"1000", "1k"}, {"1000M", "1G"}, {"0.001T", "1G"},
  {"1000u", "1m"}, {"1.08", "1080m"}, {"1080000000n", "1080m"}, {"500m", "500m"},
  {"1234567M", "1234567M"},
  // Go's String() echoes these verbatim (kubernetes/kubernetes#138165); we canonicalize
  {"+1k", "1k"}, {"01k", "1k"}, {"1E3", "1e3"}, {"1.001", "1001m"}, {"1.500k", "1500"},
  // decimal exponents
  {"1E-3", "1e-3"}, {"1e3", "1e3"}, {"1E6", "1e6"}, {"1e9", "1e9"}, {"1E12", "1e12"},
  {"1e15", "1e15"}, {"1E18", "1e18"}, {"1e14", "100e12"}, {"1e13", "10e12"},
  {".001e12", "1e9"}, {"0.001e0", "1e-3"}, {"1000e-12", "1e-9"}, {"80e-3", "80e-3"},
  {"300e6", "300e6"}, {"3e3", "3e3"}, {"00", "0"}, {"1.5E-3", "1500e-6"}, {"1e+3", "1e3"},
  {"1e0003", "1e3"},
  // things that look like floating point
  {"100.035k", "100035"}, {"0.001", "1m"}, {"0.0005k", "500m"}, {"0.005", "5m"},
  {"0.05", "50m"}, {"0.5", "500m"}, {"0.00050k", "500m"}, {"0.00500", "5m"},
  {"0.05000", "50m"}, {"0.50000", "500m"}, {"0.5e0", "500e-3"}, {"0.5e-1", "50e-3"},
  {"0.5e-2", "5e-3"}, {"10.035M", "10035k"}, {"1.2e3", "1200"}, {"1.3E+6", "1300e3"},
  {"1.40e9", "1400e6"}, {"1.53E12", "1530e9"}, {"1.6e15", "1600e12"}, {"1.7E18", "1700e15"},
  {"9.01", "9010m"}, {"8.1k", "8100"}, {"7.123456M", "7123456"},
  {"6.987654321G", "6987654321"}, {"5.444T", "5444G"}, {"40.1T", "40100G"},
  {"300.2T", "300200G"}, {"2.5P", "2500T"}, {"1.01E", "1010P"}, {"1.5G", "1500M"},
  {"0.1", "100m"},
  // rounding up to nano, and the BinarySI cap at 2^63-1
  {"3.001n", "4n"}, {"1.1E-9", "2e-9"}, {"0.0000000001", "1n"}, {"0.0000000005", "1n"},
  {"0.00000000050", "1n"}, {"0.5e-9", "1e-9"}, {"0.9n", "1n"}, {"0.00000012345", "124n"},
  {"0.00000012354", "124n"}, {"9Ei", "9223372036854775807"},
  {"9223372036854775807Ki", "9223372036854775807"}, {"7Ei", "7Ei"}, {"8Ei", "9223372036854775807"},
  // fractional binary values
  {"100.035Ki", "102435840m"}, {"0.05Gi", "53687091200m"}, {"0.025Ti", "27487790694400m"},
  {"0.000000000001Ki", "2n"}, {".001Ki", "1024m"}, {".000001Ki", "1024u"},
  {".000000001Ki", "1024n"}, {".000000000001Ki", "2n"},
  // written by trolls, still valid
  {".001", "1m"}, {".0001k", "100m"}, {"1.", "1"}, {"1.G", "1G"},
  // DecimalSI has no suffix past "E": exponent notation keeps the magnitude
  {"1000E", "1e21"}, {"5000E", "5e21"}, {"1000000E", "1e24"},
};

} // namespace

TEST_CASE("quantity parses and prints canonically as Kubernetes does", "[kube][api][quantity]") {
  for (const auto& c : canonical_cases) {
    INFO(c.in);
    CHECK(q(c.in).to_string() == c.out);
    // Canonical output parses back to the same value and prints the same again.
    CHECK(q(c.out) == q(c.in));
    CHECK(q(c.out).to_string() == c.out);
  }
}

TEST_CASE("quantity prints negative values with a leading minus", "[kube][api][quantity]") {
  for (const auto& c : canonical_cases) {
    if (c.out == "0")
      continue;
    INFO(c.in);
    std::string in = std::string(c.in[0] == '+' ? c.in.substr(1) : c.in);
    CHECK(q("-" + in).to_string() == "-" + std::string(c.out));
    CHECK(q("-" + in).sign() == -1);
    CHECK(q("+" + in) == q(c.in));
  }
  CHECK(q("-1Gi").to_string() == "-1Gi");
}

TEST_CASE("quantity remembers the format of its suffix", "[kube][api][quantity]") {
  CHECK(q("1Gi").format() == quantity_format::binary_si);
  CHECK(q("0Ki").format() == quantity_format::binary_si);
  CHECK(q("0.5Ki").format() == quantity_format::binary_si);
  CHECK(q("1G").format() == quantity_format::decimal_si);
  CHECK(q("1").format() == quantity_format::decimal_si);
  CHECK(q("0").format() == quantity_format::decimal_si);
  CHECK(q("1e3").format() == quantity_format::decimal_exponent);
  CHECK(q("1E-3").format() == quantity_format::decimal_exponent);
  // A BinarySI value between 0 and 1 becomes DecimalSI, as ParseQuantity does.
  CHECK(q("0.000000000001Ki").format() == quantity_format::decimal_si);
  CHECK(q("-0.000000000001Ki").format() == quantity_format::decimal_si);
}

TEST_CASE("quantity format names round-trip through the enum table", "[kube][api][quantity]") {
  for (const auto& entry : enum_table<quantity_format>::entries) {
    CHECK(parse_enum<quantity_format>(to_string(entry.value)) == entry.value);
  }
  CHECK(to_string(quantity_format::binary_si) == "BinarySI");
  CHECK(to_string(quantity_format::decimal_si) == "DecimalSI");
  CHECK(to_string(quantity_format::decimal_exponent) == "DecimalExponent");
}

TEST_CASE("quantity rejects malformed input with Kubernetes' messages", "[kube][api][quantity]") {
  const std::string_view format_wrong[] = {
    "", "1.2.3", "1Mb", "1 Gi", " 1", "1 ", "\t1", "1\n", "1.1.M", "1+1.0M", "aoeu",
    "Non-Numeric", "1e3.5", "1_000", "0x10", "1KI", "1e3e3", "1,5", "0.1am",
  };
  for (auto text : format_wrong) {
    INFO("input: \"" << text << "\"");
    std::string why;
    CHECK_FALSE(quantity::parse(text, &why));
    CHECK(why == quantity::format_error);
  }
  const std::string_view bad_suffix[] = {
    "+-1", "--1", "1e", "0.1mi", ".5i", "1i", "-3.01i", "-3.01e-", "1e+", "1ki", "1k1",
    "1Kii", "1mm", "1e4294967297", "1E2147483648", "1e-2147483648", "1e99999999999999999999",
  };
  for (auto text : bad_suffix) {
    INFO("input: \"" << text << "\"");
    std::string why;
    CHECK_FALSE(quantity::parse(text, &why));
    CHECK(why == "unable to parse quantity's suffix");
  }
  // No digit at all: Go reads these as zero; we refuse them (see the header).
  const std::string_view no_digits[] = {".", "-.", "+", "-", "Mi", "e3", "k", ".Ki"};
  for (auto text : no_digits) {
    INFO("input: \"" << text << "\"");
    std::string why;
    CHECK_FALSE(quantity::parse(text, &why));
    CHECK(why == "unable to parse numeric part of quantity");
  }
  CHECK_FALSE(quantity::parse("1Mb")); // `why` is optional
}

TEST_CASE("quantity accepts exponents across the int32 range", "[kube][api][quantity]") {
  CHECK(q("1e2147483647").to_string() == "10e2147483646");
  CHECK(q("1E-2147483647").to_string() == "1e-9"); // rounded up to nano
  CHECK(q("-.484785E-7466").to_string() == "-1e-9");
  CHECK(q("1e2147483647") > q("1e2147483646"));
}

TEST_CASE("quantity handles absurd sizes without crashing", "[kube][api][quantity]") {
  // BinarySI is capped at 2^63-1, however large the input.
  CHECK(q("99999999999999999999999999999999999Ei").to_string() == "9223372036854775807");
  CHECK(q("-99999999999999999999999999999999999Ei").to_string() == "-9223372036854775807");
  CHECK(q(std::string(10000, '9') + "Ki").value() == std::numeric_limits<std::int64_t>::max());
  // 35 significant digits fit; more than 38 are refused with a clear error.
  CHECK(q("99999999999999999999999999999999999E").to_string() == "99999999999999999999999999999999999E");
  CHECK(q("99999999999999999999999999999999999999").to_string() == "99999999999999999999999999999999999999");
  std::string why;
  CHECK_FALSE(quantity::parse("999999999999999999999999999999999999999", &why));
  CHECK(why.find("38 significant digits") != std::string::npos);
  std::string many(10000, '7');
  CHECK_FALSE(quantity::parse(many, &why));
  CHECK_FALSE(quantity::parse(many + "Mi.5", &why));
  CHECK(why == quantity::format_error);
  // Ten thousand digits that are mostly zeros are fine.
  CHECK(q("1" + std::string(9999, '0')).to_string() == "1e9999");
  CHECK(q("0." + std::string(10000, '0') + "1").to_string() == "1n");
  CHECK(q("0." + std::string(10000, '9')).to_string() == "1");
  CHECK(q("0." + std::string(10000, '9') + "Ki").to_string() == "1Ki");
  CHECK(q(std::string(10000, '0') + "1Gi").to_string() == "1Gi");
  // An exponent that leaves the int32 range after removing trailing zeros is refused.
  CHECK_FALSE(quantity::parse("10e2147483647", &why));
  CHECK(why == "quantity is too large to be represented");
}

TEST_CASE("quantity compares by value, ignoring the format", "[kube][api][quantity]") {
  CHECK(q("0") == q("0"));
  CHECK(q("0") == q("0Ki"));
  CHECK(q("100m") > q("50m"));
  CHECK(q("50m") < q("100m"));
  CHECK(q("10000T") > q("100Gi"));
  CHECK(q("1Gi") == q("1073741824"));
  CHECK(q("1k") == q("1000"));
  CHECK(q("1k") == q("1e3"));
  CHECK(q("1.5") == q("1500m"));
  CHECK(q("1E") < q("12E"));
  CHECK(q("-1") < q("0"));
  CHECK(q("-2") < q("-1"));
  CHECK(q("-1Gi") < q("-1G"));
  CHECK(q("1Gi") > q("1G"));
  CHECK(q("999m") < q("1"));
  CHECK(q("1001m") > q("1"));
  CHECK(q("9.01") != q("9.02"));
  CHECK(q("1n") > q("0"));
  CHECK(q("-1n") < q("0"));
  CHECK(q("123456789012345678901234567890") > q("123456789012345678901234567889"));
  CHECK(q("1e30") > q("999999999999999999999999999999"));

  std::vector<quantity> values = {q("1Gi"), q("-5"), q("500m"), q("1"), q("1e3"), q("0")};
  std::sort(values.begin(), values.end());
  std::vector<std::string> printed;
  for (const auto& v : values)
    printed.push_back(v.to_string());
  CHECK(printed == std::vector<std::string>{"-5", "0", "500m", "1", "1e3", "1Gi"});
}

TEST_CASE("quantity value rounds away from zero", "[kube][api][quantity]") {
  struct {
    std::string_view in;
    std::int64_t value, milli;
  } cases[] = {
    {"-.484785E-7466", -1, -1},
    {".484785E-7466", 1, 1},
    {"-.484785E-1", -1, -49},
    {".484785E-1", 1, 49},
    {"-0.0005", -1, -1},
    {"0.0005", 1, 1},
    {"-1500m", -2, -1500},
    {"1500m", 2, 1500},
    {"-9.5000000001Gi", -10200547329, -10200547328108},
    {"9.5000000001Gi", 10200547329, 10200547328108},
    {"-1", -1, -1000},
    {"1", 1, 1000},
    {"0", 0, 0},
    {"1Gi", 1073741824, 1073741824000},
    {"100m", 1, 100},
    {"1n", 1, 1},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    CHECK(q(c.in).value() == c.value);
    CHECK(q(c.in).milli_value() == c.milli);
  }
  CHECK(q("1n").scaled_value(-9) == 1);
  CHECK(q("1u").scaled_value(-9) == 1000);
  CHECK(q("1").scaled_value(-6) == 1000000);
  CHECK(q("1n").scaled_value(-6) == 1);
  CHECK(q("1").scaled_value(2) == 1);
  CHECK(q("100").scaled_value(-2) == 10000);
  CHECK(q("1.5G").scaled_value(6) == 1500);
}

TEST_CASE("quantity value saturates where Go would overflow", "[kube][api][quantity]") {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  CHECK(q("9Ei").value() == max);
  CHECK(q("12E").value() == max);
  CHECK(q("-12E").value() == min);
  CHECK(q("9223372036854775807").milli_value() == max);
  CHECK(q("1e2147483647").value() == max);
  CHECK(q("-9223372036854775808").value() == min);
}

TEST_CASE("quantity is built from integers in a chosen format", "[kube][api][quantity]") {
  CHECK(quantity::from_int(1, quantity_format::decimal_si).to_string() == "1");
  CHECK(quantity::from_int(1000, quantity_format::decimal_si).to_string() == "1k");
  CHECK(quantity::from_int(1234000, quantity_format::decimal_si).to_string() == "1234k");
  CHECK(quantity::from_int(1024, quantity_format::binary_si).to_string() == "1Ki");
  CHECK(quantity::from_int(1000000, quantity_format::decimal_exponent).to_string() == "1e6");
  CHECK(quantity::from_int(1024 * 1024, quantity_format::binary_si).to_string() == "1Mi");
  CHECK(quantity::from_int(2000, quantity_format::binary_si).to_string() == "2000");
  CHECK(quantity::from_int(-2000, quantity_format::binary_si).to_string() == "-2000");
  CHECK(quantity::from_int(5, quantity_format::binary_si).to_string() == "5");
  CHECK(quantity::from_int(0, quantity_format::binary_si).to_string() == "0");
  CHECK(quantity::from_int(std::numeric_limits<std::int64_t>::min(), quantity_format::decimal_si)
          .to_string()
        == "-9223372036854775808");
  CHECK(quantity::from_int(1024, quantity_format::binary_si).format() == quantity_format::binary_si);
  CHECK(quantity::from_int(7, quantity_format::decimal_si).value() == 7);

  CHECK(quantity::from_milli(1, quantity_format::decimal_si).to_string() == "1m");
  CHECK(quantity::from_milli(1000, quantity_format::decimal_si).to_string() == "1");
  CHECK(quantity::from_milli(1234000, quantity_format::decimal_si).to_string() == "1234");
  CHECK(quantity::from_milli(1024, quantity_format::binary_si).to_string() == "1024m");
  CHECK(quantity::from_milli(1000000, quantity_format::decimal_exponent).to_string() == "1e3");
  CHECK(quantity::from_milli(1024 * 1024, quantity_format::binary_si).to_string() == "1048576m");
  CHECK(quantity::from_milli(1500, quantity_format::decimal_si).milli_value() == 1500);

  quantity zero;
  CHECK(zero.is_zero());
  CHECK(zero.sign() == 0);
  CHECK(zero.to_string() == "0");
  CHECK(zero == q("0"));
  CHECK_FALSE(q("1n").is_zero());
}

namespace {

struct container_resources {
  quantity memory;
  std::optional<quantity> cpu;
  std::map<std::string, quantity> limits;
  unknown_fields unknown;
};

template <class F>
void describe(F& f, container_resources& x) {
  f("memory", x.memory);
  f("cpu", x.cpu);
  f("limits", x.limits);
}

} // namespace

TEST_CASE("quantity decodes from JSON strings and numbers", "[kube][api][quantity]") {
  auto in = json::parse(R"({"memory":"1024Mi","cpu":0.5,
    "limits":{"a":1000,"b":" 2Gi ","c":"1.5G","d":-3,"e":18446744073709551615,"f":1e-7,"g":2.5e21}})");
  auto out = decode<container_resources>(in);
  REQUIRE(out.ok());
  CHECK(out.value.memory == q("1Gi"));
  REQUIRE(out.value.cpu);
  CHECK(out.value.cpu->to_string() == "500m");
  CHECK(encode(out.value) == json::parse(R"({"memory":"1Gi","cpu":"500m",
    "limits":{"a":"1k","b":"2Gi","c":"1500M","d":"-3","e":"18446744073709551615",
    "f":"100e-9","g":"2500e18"}})"));
}

TEST_CASE("quantity reports bad JSON values with Kubernetes' message", "[kube][api][quantity]") {
  auto out = decode<container_resources>(
    json::parse(R"({"memory":"1Mb","cpu":true,"limits":{"x":"1mi","y":{}}})"));
  REQUIRE(out.errors.size() == 4);
  const std::string regex_message =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  CHECK(out.errors[0].message() == R"(memory: Invalid value: "1Mb": )" + regex_message);
  CHECK(out.errors[1].message() == "cpu: Invalid value: true: " + regex_message);
  CHECK(out.errors[2].message() == R"(limits[x]: Invalid value: "1mi": unable to parse quantity's suffix)");
  CHECK(out.errors[3].field == "limits[y]");
  CHECK(out.errors[3].detail == regex_message);
}

TEST_CASE("quantity encodes canonically and is never omitted", "[kube][api][quantity]") {
  container_resources r;
  CHECK(encode(r) == json::parse(R"({"memory":"0"})"));
  r.memory = q("0.5Gi");
  r.cpu = q("0.1");
  r.limits["mem"] = q("1e3");
  CHECK(encode(r) == json::parse(R"({"memory":"512Mi","cpu":"100m","limits":{"mem":"1e3"}})"));
  auto back = decode<container_resources>(encode(r));
  REQUIRE(back.ok());
  CHECK(back.value.memory == r.memory);
  CHECK(back.value.cpu == r.cpu);
  CHECK(back.value.limits == r.limits);
}

TEST_CASE("quantity publishes an int-or-string schema", "[kube][api][quantity]") {
  CHECK(schema<quantity>() == json::parse(R"({"anyOf":[{"type":"integer"},{"type":"string"}],
    "x-kubernetes-int-or-string":true})"));
  CHECK(schema<container_resources>()["properties"]["limits"]["additionalProperties"]
        == schema<quantity>());
}
