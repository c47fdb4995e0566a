#include "kube/api/codec.hpp"
#include "kube/api/json_text.hpp"
#include "kube/api/meta.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::api;

namespace {

enum class color { red, green };
} // namespace

template <>
struct podvisor::kube::api::enum_table<color> {
  static constexpr std::array entries = {enum_entry{color::red, "red"},
                                         enum_entry{color::green, "green"}};
};

namespace {

struct paint {
  std::string name;
  enum_field<color> color_;
  std::optional<std::uint32_t> coats;
  std::vector<std::string> tags;
  unknown_fields unknown;
};

template <class F>
void describe(F& f, paint& x) {
  f("name", x.name, {.required = true, .doc = "Name."});
  f("color", x.color_);
  f("coats", x.coats);
  f("tags", x.tags);
}

} // namespace


TEST_CASE("codec decodes known fields and keeps unknown ones", "[kube][api][codec]") {
  auto in = json::parse(R"({"name":"a","color":"red","coats":2,"future":{"x":1}})");
  auto out = decode<paint>(in);
  REQUIRE(out.ok());
  CHECK(out.value.name == "a");
  CHECK(out.value.color_ == color::red);
  CHECK(out.value.coats == 2u);
  REQUIRE(out.unknown == std::vector<std::string>{"future"});
  CHECK(encode(out.value) == in);
}

TEST_CASE("codec reports every type error with its field path", "[kube][api][codec]") {
  auto in = json::parse(R"({"name":5,"coats":-1,"tags":["ok",3]})");
  auto out = decode<paint>(in);
  REQUIRE(out.errors.size() == 3);
  CHECK(out.errors[0].message() == R"(name: Invalid value: 5: must be of type string)");
  CHECK(out.errors[1].message() == R"(coats: Invalid value: -1: must be greater than or equal to 0)");
  CHECK(out.errors[2].message() == R"(tags[1]: Invalid value: 3: must be of type string)");
}

TEST_CASE("codec keeps unknown enum spellings for validation to judge", "[kube][api][codec]") {
  auto out = decode<paint>(json::parse(R"({"name":"a","color":"blue"})"));
  REQUIRE(out.ok());
  CHECK_FALSE(out.value.color_.known());
  CHECK(out.value.color_.raw() == "blue");
  CHECK(supported_values<color>() == R"("green", "red")");
}

TEST_CASE("codec generates an OpenAPI schema from the description", "[kube][api][codec]") {
  auto s = schema<paint>();
  CHECK(s["type"] == "object");
  CHECK(s["required"] == json::array({"name"}));
  CHECK(s["properties"]["color"]["enum"] == json::array({"red", "green"}));
  CHECK(s["properties"]["coats"]["type"] == "integer");
  CHECK(s["properties"]["name"]["description"] == "Name.");
}

TEST_CASE("object meta round-trips and omits empty fields", "[kube][api][codec]") {
  auto in = json::parse(R"({"name":"web","namespace":"default","labels":{"app":"web"},
    "creationTimestamp":"2024-05-01T12:00:00Z","managedFields":[{"manager":"kubectl"}],
    "ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"p","uid":"u","controller":true}]})");
  auto out = decode<object_meta>(in);
  REQUIRE(out.ok());
  CHECK(out.value.namespace_ == "default");
  CHECK(format_timestamp(out.value.creation_timestamp) == "2024-05-01T12:00:00Z");
  CHECK(encode(out.value) == in);
}

TEST_CASE("parse_json refuses malformed and over-deep documents", "[kube][api][codec]") {
  json j;
  std::string err;
  CHECK_FALSE(parse_json("{\"a\":", j, err));
  CHECK(err.find("invalid JSON") == 0);
  CHECK_FALSE(parse_json(std::string(1000, '['), j, err));
  CHECK(err == "JSON nested deeper than 100 levels");
  CHECK_FALSE(parse_json("{} trailing", j, err));
  // nlohmann's lexer takes a NUL byte for the end of input: "{}\0garbage" must not parse as {}.
  std::string nul = "{}";
  nul += '\0';
  nul += "garbage";
  CHECK_FALSE(parse_json(nul, j, err));
  CHECK(parse_json(R"({"a":[1,2]})", j, err));
}

TEST_CASE("timestamps outside what the clock holds are refused, not overflowed", "[kube][api][codec]") {
  // Found by the fuzzer: year 8765 overflowed the nanosecond clock (undefined behaviour).
  CHECK_FALSE(parse_timestamp("8765-01-01T00:00:00Z"));
  CHECK_FALSE(parse_timestamp("1600-01-01T00:00:00Z"));
  CHECK(parse_timestamp("2261-12-31T23:59:59Z"));
  CHECK(parse_timestamp("1970-01-01T00:00:00Z"));
  auto out = decode<object_meta>(json::parse(R"({"creationTimestamp":"9999-12-31T23:59:59Z"})"));
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].field == "creationTimestamp");
}
