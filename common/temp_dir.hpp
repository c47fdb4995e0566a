#pragma once
// A fresh directory under the system temp dir (or a given parent), removed with
// everything in it when the owner goes out of scope — also when a test fails or a
// benchmark throws. For tests, benchmarks and tools that need scratch space they own.

#include <filesystem>
#include <string>
#include <string_view>

namespace podvisor {

/// Owns one temporary directory.
class scoped_temp_dir {
public:
  /// Creates `<parent>/<prefix><random>`; `parent` empty → the system temp dir. Aborts
  /// with a message if no directory can be created (nowhere to work is not recoverable
  /// for the callers this is for).
  explicit scoped_temp_dir(std::string_view prefix = "podvisor-", const std::filesystem::path& parent = {});
  scoped_temp_dir(const scoped_temp_dir&) = delete;
  scoped_temp_dir& operator=(const scoped_temp_dir&) = delete;
  ~scoped_temp_dir();

  const std::filesystem::path& path() const { return path_; }

  /// Writes `content` to path()/name (creating parent directories); returns the path.
  std::filesystem::path write(const std::string& name, const std::string& content) const;

private:
  std::filesystem::path path_;
};

} // namespace podvisor
