#include "common/error.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fcntl.h>
#include <memory>
#include <string>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;

TEST_CASE("errc string table round-trips every value", "[common][error]") {
  for (std::size_t i = 0; i < errc_count; ++i) {
    auto code = static_cast<errc>(i);
    auto name = to_string(code);
    INFO("errc " << i);
    CHECK(name != "unknown");
    CHECK(parse_errc(name) == code);
    CHECK(errc_from_code(static_cast<std::uint8_t>(i)) == code);
  }
  CHECK(to_string(errc::none) == "none");
  CHECK(to_string(errc::not_found) == "not_found");
  CHECK(to_string(errc::resource_exhausted) == "resource_exhausted");
  CHECK(to_string(static_cast<errc>(errc_count)) == "unknown");
  CHECK_FALSE(parse_errc("NotFound").has_value());
  CHECK_FALSE(parse_errc("").has_value());
  CHECK_FALSE(errc_from_code(static_cast<std::uint8_t>(errc_count)).has_value());
}

TEST_CASE("error is ok only for errc::none", "[common][error]") {
  error success;
  CHECK(success.ok());
  CHECK_FALSE(static_cast<bool>(success));
  CHECK(success.to_string() == "none");

  error failure{errc::not_found, "vmi default/x"};
  CHECK_FALSE(failure.ok());
  CHECK(static_cast<bool>(failure));
  CHECK(failure == errc::not_found);
  CHECK_FALSE(failure == errc::conflict);
  CHECK(failure.to_string() == "not_found: vmi default/x");
  CHECK(error{errc::internal}.to_string() == "internal");
}

TEST_CASE("error context nests outermost first", "[common][error]") {
  error e{errc::io_error, "disk full"};
  auto wrapped = e.with_context("write lease").with_context("sync vmi default/x");
  CHECK(wrapped.code == errc::io_error);
  CHECK(wrapped.message == "disk full");
  CHECK(wrapped.context == "sync vmi default/x: write lease");
  CHECK(wrapped.to_string() == "sync vmi default/x: write lease: io_error: disk full");
  CHECK(e.with_context("") == e);
}

namespace {

expected<int> parse_port(std::string_view text) {
  if (text == "80")
    return 80;
  return {errc::invalid_argument, "not a port"};
}

} // namespace

TEST_CASE("expected holds a value or an error", "[common][error]") {
  auto good = parse_port("80");
  REQUIRE(good.has_value());
  CHECK(static_cast<bool>(good));
  CHECK(*good == 80);
  CHECK(good.value() == 80);
  CHECK(good.value_or(1) == 80);
  CHECK(good.error_or_ok().ok());

  auto bad = parse_port("x");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == errc::invalid_argument);
  CHECK(bad.error().message == "not a port");
  CHECK(bad.value_or(1) == 1);
  CHECK(bad.error_or_ok() == errc::invalid_argument);
}

TEST_CASE("expected works with move-only values", "[common][error]") {
  expected<std::unique_ptr<int>> p{std::make_unique<int>(7)};
  REQUIRE(p);
  CHECK(**p == 7);
  auto owned = std::move(p).value();
  CHECK(*owned == 7);

  expected<std::string> s{error{errc::gone, "expired"}};
  REQUIRE_FALSE(s);
  auto e = std::move(s).error();
  CHECK(e.message == "expired");
}

namespace {

// Runs `f` in a forked child with stderr silenced; returns the signal that ended it, or
// 0 if it returned normally.
template <class F>
int signal_of_child(F f) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int null_fd = ::open("/dev/null", O_WRONLY);
    if (null_fd >= 0)
      ::dup2(null_fd, STDERR_FILENO);
    f();
    ::_exit(0);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid)
    return -1;
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

} // namespace

TEST_CASE("expected aborts on a wrong-side access, in every build type", "[common][error]") {
  CHECK(signal_of_child([] {
          expected<int> bad{errc::internal, "x"};
          volatile int v = bad.value();
          (void)v;
        }) == SIGABRT);
  CHECK(signal_of_child([] {
          expected<int> good{1};
          volatile auto c = good.error().code;
          (void)c;
        }) == SIGABRT);
  CHECK(signal_of_child([] {
          expected<int> good{1};
          volatile int v = good.value();
          (void)v;
        }) == 0);
}
