#pragma once
// The bearer token requests carry. A static token, or a token file that rotates (projected
// service-account tokens are replaced about every hour): the file is checked at most once
// per second and re-read when its modification time or size changed, and re-read at once
// when the server answers 401 (the caller then retries once). Internal to kube/client.
//
// Thread safety: every member may be called from any thread concurrently.

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.hpp"
#include "common/error.hpp"

namespace podvisor::kube::client {

/// Where a request's token comes from.
class token_source {
public:
  /// `file` empty: always `token`. Otherwise the file is read now (an error names it) and
  /// `token` is ignored. `clock` must outlive the source.
  static expected<std::unique_ptr<token_source>> create(std::string token, std::filesystem::path file,
                                                        const podvisor::clock& clock = real_clock::instance());

  /// The token to send ("" for none). For a file, at most once per `check_interval` its
  /// modification time and size are compared with the last read, and it is re-read when
  /// either changed. A file that cannot be read or is empty keeps the previous token (a
  /// rotation may be in progress).
  std::string current();

  /// Re-reads the file now, whatever its time stamp says (after a 401). True when the
  /// token changed, so that retrying is worthwhile; always false for a static token.
  bool refresh();

  /// Whether the token comes from a file.
  bool from_file() const { return !file_.empty(); }

  /// How often `current` looks at the file.
  static constexpr std::chrono::seconds check_interval{1};

private:
  token_source(std::string token, std::filesystem::path file, const podvisor::clock& clock)
    : token_(std::move(token)), file_(std::move(file)), clock_(clock) {}
  /// Reads the file; false (token unchanged) when it cannot be read or is empty.
  bool reload_locked(std::string* why = nullptr);

  std::mutex mu_;
  std::string token_;
  const std::filesystem::path file_;
  const podvisor::clock& clock_;
  podvisor::clock::steady_time last_check_{};
  std::filesystem::file_time_type mtime_{};
  std::uintmax_t size_ = 0;
};

} // namespace podvisor::kube::client
