#include "introspect/bearer_token.hpp"

#include <catch2/catch_test_macros.hpp>

#include "common/temp_dir.hpp"

using namespace podvisor;
using namespace podvisor::introspect;

TEST_CASE("bearer token: only the exact token under the Bearer scheme is accepted", "[introspect][token]") {
  auto token = bearer_token::from_text("s3cret-Token_1");
  REQUIRE(token.has_value());
  CHECK(token->accepts("Bearer s3cret-Token_1"));
  CHECK(token->accepts("bearer s3cret-Token_1"));
  CHECK_FALSE(token->accepts(""));
  CHECK_FALSE(token->accepts("Bearer "));
  CHECK_FALSE(token->accepts("Bearer s3cret-Token_"));
  CHECK_FALSE(token->accepts("Bearer s3cret-Token_12"));
  CHECK_FALSE(token->accepts("Basic s3cret-Token_1"));
  CHECK_FALSE(token->accepts("s3cret-Token_1"));
  CHECK_FALSE(token->accepts("Bearer  s3cret-Token_1"));
}

TEST_CASE("bearer token: read from a file without its newline; bad files are errors", "[introspect][token]") {
  scoped_temp_dir dir;
  auto token = bearer_token::load(dir.write("token", "abc123\n"));
  REQUIRE(token.has_value());
  CHECK(token->accepts("Bearer abc123"));
  CHECK_FALSE(token->accepts("Bearer abc123\n"));

  CHECK(bearer_token::load(dir.path() / "missing").error() == errc::not_found);
  CHECK(bearer_token::load(dir.write("empty", "\n")).error() == errc::invalid_argument);
  CHECK(bearer_token::load(dir.write("space", "a b")).error() == errc::invalid_argument);
  CHECK(bearer_token::load(dir.write("huge", std::string(5000, 'a'))).error() == errc::invalid_argument);
}
