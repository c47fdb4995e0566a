#include "kube/apiserver/auth/csv.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;
using namespace podvisor::kube::apiserver;

namespace {

std::vector<std::vector<std::string>> fields_of(std::string_view text) {
  auto records = parse_csv(text);
  REQUIRE(records.has_value());
  std::vector<std::vector<std::string>> out;
  for (auto& r : *records)
    out.push_back(r.fields);
  return out;
}

} // namespace

TEST_CASE("parse_csv reads plain and quoted fields", "[kube][apiserver][auth][csv]") {
  using rows = std::vector<std::vector<std::string>>;
  CHECK(fields_of("a,b,c\n") == rows{{"a", "b", "c"}});
  CHECK(fields_of("t,u,1,\"g1,g2\"") == rows{{"t", "u", "1", "g1,g2"}});
  CHECK(fields_of("\"say \"\"hi\"\"\",x\n") == rows{{"say \"hi\"", "x"}});
  CHECK(fields_of("a,b,\n") == rows{{"a", "b", ""}});
  CHECK(fields_of("a,\"\"\n") == rows{{"a", ""}});
}

TEST_CASE("parse_csv trims leading spaces, skips empty lines and reads CRLF",
          "[kube][apiserver][auth][csv]") {
  using rows = std::vector<std::vector<std::string>>;
  CHECK(fields_of("a,  b, \"c\"\r\n\r\n\nd,e\n") == rows{{"a", "b", "c"}, {"d", "e"}});
  CHECK(fields_of("a ,b\n") == rows{{"a ", "b"}}); // trailing spaces stay, as in Go
}

TEST_CASE("parse_csv keeps newlines inside quoted fields and counts lines",
          "[kube][apiserver][auth][csv]") {
  auto records = parse_csv("a,\"x\ny\"\nb,c\n");
  REQUIRE(records.has_value());
  REQUIRE(records->size() == 2);
  CHECK((*records)[0].fields[1] == "x\ny");
  CHECK((*records)[0].line == 1);
  CHECK((*records)[1].line == 3);
}

TEST_CASE("parse_csv rejects stray quotes like Go's reader", "[kube][apiserver][auth][csv]") {
  auto bare = parse_csv("ok,fine\na\"b,c\n");
  REQUIRE_FALSE(bare.has_value());
  CHECK(bare.error() == errc::parse_error);
  CHECK(bare.error().message == "record on line 2; line 2: bare \" in non-quoted-field");

  auto unterminated = parse_csv("a,\"open\n");
  REQUIRE_FALSE(unterminated.has_value());
  CHECK(unterminated.error().message.find("extraneous or missing \" in quoted-field") !=
        std::string::npos);

  CHECK_FALSE(parse_csv("\"a\"b,c\n").has_value());
}

TEST_CASE("csv_field quotes only when needed, csv_quoted always", "[kube][apiserver][auth][csv]") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("") == "");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"x\"") == "\"say \"\"x\"\"\"");
  CHECK(csv_field(" lead") == "\" lead\"");
  CHECK(csv_field("line\nbreak") == "\"line\nbreak\"");
  CHECK(csv_quoted("g1") == "\"g1\"");
  auto round = parse_csv(csv_field("a,\"b\"") + "," + csv_quoted("x") + "\n");
  REQUIRE(round.has_value());
  CHECK((*round)[0].fields == std::vector<std::string>{"a,\"b\"", "x"});
}
