#include "kube/apiserver/auth/secure_file.hpp"

#include <catch2/catch_test_macros.hpp>

#include <sys/stat.h>

#include "tests/kube/apiserver/auth/auth_fixture.hpp"

using namespace podvisor;
using namespace podvisor::kube::apiserver;
using podvisor::test::auth_temp_dir;
using podvisor::test::file_mode;
using podvisor::test::slurp;

namespace {

/// Sets the umask for one scope.
class umask_guard {
public:
  explicit umask_guard(mode_t mask) : old_(::umask(mask)) {}
  umask_guard(const umask_guard&) = delete;
  umask_guard& operator=(const umask_guard&) = delete;
  ~umask_guard() { ::umask(old_); }

private:
  mode_t old_;
};

std::size_t entries_in(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator{dir})
    ++n;
  return n;
}

} // namespace

TEST_CASE("write_file_atomically gives the exact mode whatever the umask",
          "[kube][apiserver][auth][secure_file]") {
  auth_temp_dir dir;
  umask_guard permissive{0};
  auto key = dir.path() / "a.key";
  REQUIRE(write_file_atomically(key, "secret", mode_private).ok());
  CHECK(slurp(key) == "secret");
  CHECK(file_mode(key) == 0600);

  auto cert = dir.path() / "a.crt";
  REQUIRE(write_file_atomically(cert, "public", mode_public).ok());
  CHECK(file_mode(cert) == 0644);
}

TEST_CASE("write_file_atomically replaces a file and leaves no temporary behind",
          "[kube][apiserver][auth][secure_file]") {
  auth_temp_dir dir;
  auto path = dir.path() / "tokens.csv";
  REQUIRE(write_file_atomically(path, "old", mode_public).ok());
  REQUIRE(write_file_atomically(path, "new content", mode_private).ok());
  CHECK(slurp(path) == "new content");
  CHECK(file_mode(path) == 0600);
  CHECK(entries_in(dir.path()) == 1);
}

TEST_CASE("write_file_atomically reports a missing directory and creates nothing",
          "[kube][apiserver][auth][secure_file]") {
  auth_temp_dir dir;
  auto e = write_file_atomically(dir.path() / "missing" / "x.key", "secret", mode_private);
  CHECK(e == errc::io_error);
  CHECK(e.message.find("missing") != std::string::npos);
  CHECK(entries_in(dir.path()) == 0);
}

TEST_CASE("read_small_file reads, refuses large files and reports missing ones",
          "[kube][apiserver][auth][secure_file]") {
  auth_temp_dir dir;
  auto path = dir.path() / "f";
  REQUIRE(write_file_atomically(path, "0123456789", mode_private).ok());
  auto ok = read_small_file(path);
  REQUIRE(ok.has_value());
  CHECK(*ok == "0123456789");
  CHECK(read_small_file(path, 5).error() == errc::invalid_argument);
  CHECK(read_small_file(dir.path() / "nope").error() == errc::not_found);
}

TEST_CASE("restrict_to_owner removes group and other bits",
          "[kube][apiserver][auth][secure_file]") {
  auth_temp_dir dir;
  auto path = dir.path() / "k";
  REQUIRE(write_file_atomically(path, "x", mode_public).ok());
  REQUIRE(file_mode(path) == 0644);
  REQUIRE(restrict_to_owner(path).ok());
  CHECK(file_mode(path) == 0600);
}

TEST_CASE("ensure_directory creates nested directories and gives the last one its mode",
          "[kube][apiserver][auth][secure_file]") {
  auth_temp_dir dir;
  umask_guard usual{022};
  auto leaf = dir.path() / "a" / "b" / "pki";
  REQUIRE(ensure_directory(leaf, std::filesystem::perms::owner_all).ok());
  CHECK(file_mode(leaf) == 0700);
  CHECK(file_mode(dir.path() / "a") == 0755);
  // An existing directory keeps its mode.
  REQUIRE(ensure_directory(dir.path() / "a", std::filesystem::perms::owner_all).ok());
  CHECK(file_mode(dir.path() / "a") == 0755);
}
