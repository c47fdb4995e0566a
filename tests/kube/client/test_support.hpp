#pragma once
// Helpers for the kube/client tests: a temporary directory removed however the test
// ends, an environment variable set for one test and restored after, waiting for a
// condition with a deadline instead of sleeping, and the fixture directory.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <system_error>
#include <thread>

#include "common/temp_dir.hpp"

namespace podvisor::test {

/// tests/testdata/kubeconfig.
inline std::filesystem::path kubeconfig_fixtures() {
  return std::filesystem::path(PODVISOR_SOURCE_DIR) / "tests" / "testdata" / "kubeconfig";
}

/// A temporary directory removed at scope end (see common/temp_dir.hpp).
using temp_dir = podvisor::scoped_temp_dir;

/// Sets (or, with nullopt, unsets) an environment variable until scope end.
class scoped_env {
public:
  scoped_env(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str()))
      old_ = old;
    if (value)
      ::setenv(name_.c_str(), value->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;
  ~scoped_env() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }

private:
  std::string name_;
  std::optional<std::string> old_;
};

/// Polls `condition` every 10 ms until it holds or `timeout` passed; returns its last value.
inline bool wait_until(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

/// The whole content of a file ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace podvisor::test
