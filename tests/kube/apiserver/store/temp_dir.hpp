#pragma once
// A fresh directory under the system temp dir, removed with everything in it when the
// test ends, whether it passed, failed or threw.

#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace podvisor::test {

class temp_dir {
public:
  temp_dir() {
    std::random_device rd;
    auto base = std::filesystem::temp_directory_path();
    for (;;) {
      path_ = base / ("podvisor-store-test-" + std::to_string(rd()));
      std::error_code ec;
      if (std::filesystem::create_directory(path_, ec))
        break;
    }
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

} // namespace podvisor::test
