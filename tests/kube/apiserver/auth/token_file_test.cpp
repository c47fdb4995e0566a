#include "kube/apiserver/auth/token_file.hpp"

#include <catch2/catch_test_macros.hpp>

#include <set>

#include "tests/kube/apiserver/auth/auth_fixture.hpp"

using namespace podvisor;
using namespace podvisor::kube::apiserver;
using podvisor::test::auth_temp_dir;
using podvisor::test::file_mode;
using podvisor::test::slurp;
using podvisor::test::spit;

TEST_CASE("generate_token gives 43 base64url characters, different every time",
          "[kube][apiserver][auth][token_file]") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto token = generate_token();
    REQUIRE(token.has_value());
    CHECK(token->size() == 43);
    CHECK(token->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    seen.insert(*token);
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("parse_token_file reads kube-apiserver's static token format",
          "[kube][apiserver][auth][token_file]") {
  auto entries = parse_token_file("tok1,alice,1,\"g1,g2\"\n"
                                  "tok2,bob,2\n"
                                  "tok3,carol,3,single,ignored,columns\n"
                                  ",nobody,4,\"g\"\n" // empty token: skipped
                                  "tok5,dave,5,\",a,,b,\"\n");
  REQUIRE(entries.has_value());
  REQUIRE(entries->size() == 4);
  CHECK((*entries)[0] == token_entry{"tok1", {"alice", "1", {"g1", "g2"}}});
  CHECK((*entries)[1] == token_entry{"tok2", {"bob", "2", {}}});
  CHECK((*entries)[2] == token_entry{"tok3", {"carol", "3", {"single"}}});
  CHECK((*entries)[3].user.groups == std::vector<std::string>{"a", "b"});
}

TEST_CASE("parse_token_file rejects lines with fewer than 3 columns",
          "[kube][apiserver][auth][token_file]") {
  auto short_line = parse_token_file("tok1,alice,1\ntok2,bob\n");
  REQUIRE_FALSE(short_line.has_value());
  CHECK(short_line.error() == errc::parse_error);
  CHECK(short_line.error().message ==
        "line 2: must have at least 3 columns (token, user name, user uid), found 2");
  // Go's reader has no comment syntax: such a line is a one-column record.
  CHECK_FALSE(parse_token_file("# tokens\n").has_value());
  CHECK_FALSE(parse_token_file("a,\"b,c\n").has_value());
}

TEST_CASE("format_token_line round-trips awkward names", "[kube][apiserver][auth][token_file]") {
  token_entry entry{"abc-_123", {"user, with comma", "uid \"q\"", {"g1", "system:masters"}}};
  auto line = format_token_line(entry);
  CHECK(line == "abc-_123,\"user, with comma\",\"uid \"\"q\"\"\",\"g1,system:masters\"\n");
  auto back = parse_token_file(line);
  REQUIRE(back.has_value());
  REQUIRE(back->size() == 1);
  CHECK(back->front() == entry);
}

TEST_CASE("ensure_token_file creates tokens once and reloads them",
          "[kube][apiserver][auth][token_file]") {
  auth_temp_dir dir;
  auto path = dir.path() / "tokens.csv";
  std::vector<user_info> users{admin_user(), viewer_user()};

  auto first = ensure_token_file(path, users);
  REQUIRE(first.has_value());
  CHECK(first->added == std::vector<std::string>{"podvisor-admin", "podvisor-viewer"});
  REQUIRE(first->entries.size() == 2);
  CHECK(first->entries[0].user == admin_user());
  CHECK(file_mode(path) == 0600);
  auto bytes = slurp(path);

  auto second = ensure_token_file(path, users);
  REQUIRE(second.has_value());
  CHECK(second->added.empty());
  CHECK(second->entries == first->entries);
  CHECK(slurp(path) == bytes);

  auto loaded = load_token_file(path);
  REQUIRE(loaded.has_value());
  CHECK(*loaded == first->entries);
  REQUIRE(find_user_token(*loaded, "podvisor-viewer"));
  CHECK(find_user_token(*loaded, "podvisor-viewer")->token == first->entries[1].token);
  CHECK(find_user_token(*loaded, "nobody") == nullptr);
}

TEST_CASE("ensure_token_file appends new users and keeps hand edits byte for byte",
          "[kube][apiserver][auth][token_file]") {
  auth_temp_dir dir;
  auto path = dir.path() / "tokens.csv";
  std::string hand_written = "mytoken,podvisor-admin,42,\"system:masters\"\n  other , me,7"; // no final newline
  spit(path, hand_written);

  auto controller = component_user("controller");
  REQUIRE(controller.has_value());
  auto state = ensure_token_file(path, {admin_user(), *controller});
  REQUIRE(state.has_value());
  CHECK(state->added == std::vector<std::string>{"podvisor-controller"});
  REQUIRE(state->entries.size() == 3);
  CHECK(state->entries[0].token == "mytoken"); // the admin keeps the hand-written token
  CHECK(state->entries[1].user.name == "me");
  auto text = slurp(path);
  CHECK(text.rfind(hand_written + "\n", 0) == 0);
  CHECK(text.substr(hand_written.size() + 1) == format_token_line(state->entries[2]));
  CHECK(file_mode(path) == 0600);
}

TEST_CASE("ensure_token_file refuses a malformed file and leaves it alone",
          "[kube][apiserver][auth][token_file]") {
  auth_temp_dir dir;
  auto path = dir.path() / "tokens.csv";
  spit(path, "only,two\n");
  auto state = ensure_token_file(path, {admin_user()});
  REQUIRE_FALSE(state.has_value());
  CHECK(state.error() == errc::parse_error);
  CHECK(state.error().message.find("tokens.csv: line 1") != std::string::npos);
  CHECK(slurp(path) == "only,two\n");
}

TEST_CASE("load_token_file tightens a world-readable file", "[kube][apiserver][auth][token_file]") {
  auth_temp_dir dir;
  auto path = dir.path() / "tokens.csv";
  spit(path, "t,u,1\n");
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                       std::filesystem::perms::owner_write |
                                       std::filesystem::perms::others_read);
  REQUIRE(load_token_file(path).has_value());
  CHECK(file_mode(path) == 0600);
}
