#include "actors/launcher/log_rotation.hpp"

#include <catch2/catch_test_macros.hpp>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "common/temp_dir.hpp"

using namespace podvisor;
using namespace podvisor::actors::launcher;
namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
} // namespace

TEST_CASE("rotation copies, shifts old copies, truncates; an O_APPEND writer continues at the start") {
  scoped_temp_dir tmp;
  auto log = tmp.path() / "serial.log";
  // The writer keeps its descriptor across rotations, as QEMU does.
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  REQUIRE(fd >= 0);
  auto put = [&](const std::string& s) { REQUIRE(::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size())); };

  put("first generation\n");
  auto r = rotate_if_larger(log, 1000, 2);
  REQUIRE(r);
  CHECK_FALSE(*r); // small enough
  CHECK_FALSE(fs::exists(tmp.path() / "serial.log.1"));

  REQUIRE(rotate_if_larger(log, 5, 2).value());
  CHECK(slurp(tmp.path() / "serial.log.1") == "first generation\n");
  CHECK(fs::file_size(log) == 0);
  put("second generation\n");
  CHECK(slurp(log) == "second generation\n");

  REQUIRE(rotate_if_larger(log, 5, 2).value());
  put("third\n");
  REQUIRE(rotate_if_larger(log, 5, 2).value());
  CHECK(slurp(tmp.path() / "serial.log.1") == "third\n");
  CHECK(slurp(tmp.path() / "serial.log.2") == "second generation\n");
  CHECK_FALSE(fs::exists(tmp.path() / "serial.log.3")); // only `keep` copies
  ::close(fd);
}

TEST_CASE("a log that does not exist yet is not an error") {
  scoped_temp_dir tmp;
  auto r = rotate_if_larger(tmp.path() / "nothing.log", 1, 1);
  REQUIRE(r);
  CHECK_FALSE(*r);
}
