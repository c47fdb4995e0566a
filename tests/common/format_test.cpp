#include "common/format.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <catch2/catch_test_macros.hpp>

#include "common/error.hpp"

using podvisor::format;

TEST_CASE("format replaces placeholders in order", "[common][format]") {
  CHECK(format("domain started in {} ms", 412) == "domain started in 412 ms");
  CHECK(format("{} {} {}", std::string{"a"}, std::string_view{"b"}, "c") == "a b c");
  CHECK(format("no placeholders") == "no placeholders");
  CHECK(format("") == "");
}

TEST_CASE("format prints every supported argument type", "[common][format]") {
  CHECK(format("{}", true) == "true");
  CHECK(format("{}", false) == "false");
  CHECK(format("{}", 'x') == "x");
  CHECK(format("{}", std::int8_t{-5}) == "-5");
  CHECK(format("{}", std::uint8_t{200}) == "200");
  CHECK(format("{}", std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
  CHECK(format("{}", std::numeric_limits<std::uint64_t>::max()) == "18446744073709551615");
  CHECK(format("{}", 0.25) == "0.25");
  CHECK(format("{}", 1.0f / 3.0f) == "0.3333333432674408");
  CHECK(format("{}", 1e300) == "1e+300");
  const char* none = nullptr;
  CHECK(format("{}", none) == "(null)");
  char buffer[8] = {'a', 'b', '\0', 'z', 'z', 'z', 'z', 'z'};
  CHECK(format("{}", buffer) == "ab");
  char unterminated[3] = {'x', 'y', 'z'};
  CHECK(format("{}", unterminated) == "xyz");
}

TEST_CASE("format reaches to_string through ADL", "[common][format]") {
  CHECK(format("{}", podvisor::errc::not_found) == "not_found");
  CHECK(format("failed: {}", podvisor::error{podvisor::errc::timeout, "no answer"}) ==
        "failed: timeout: no answer");
}

TEST_CASE("format escapes braces and keeps lone ones", "[common][format]") {
  CHECK(format("{{}} {}", 1) == "{} 1");
  CHECK(format("{{{}}}", 2) == "{2}");
  CHECK(format("a { b } c", 3) == "a { b } c {!extra: 3}");
  CHECK(format("trailing {", 1) == "trailing { {!extra: 1}");
  CHECK(format("{x}", 1) == "{x} {!extra: 1}");
}

TEST_CASE("format with mismatched argument counts shows the mistake", "[common][format]") {
  CHECK(format("{} of {}", 1) == "1 of {!missing}");
  CHECK(format("{} {} {}") == "{!missing} {!missing} {!missing}");
  CHECK(format("{}", 1, 2, "x") == "1 {!extra: 2, x}");
  CHECK(format("none", 7) == "none {!extra: 7}");
}
