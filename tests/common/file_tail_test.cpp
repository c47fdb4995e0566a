// last_lines: the end of a log file for error messages.
#include "common/file_tail.hpp"

#include <catch2/catch_test_macros.hpp>

#include "common/temp_dir.hpp"

using namespace podvisor;

TEST_CASE("last_lines keeps the last non-empty lines", "[common][file_tail]") {
  scoped_temp_dir dir{"podvisor-tail-"};
  auto f = dir.write("log", "a\n\nb\nc\nd\n");
  CHECK(last_lines(f, 2) == "c | d");
  CHECK(last_lines(f, 10) == "a | b | c | d");
  CHECK(last_lines(f, 0).empty());
  CHECK(last_lines(dir.path() / "absent", 3).empty());
}
