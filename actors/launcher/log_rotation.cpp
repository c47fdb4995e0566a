#include "actors/launcher/log_rotation.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "common/format.hpp"

namespace fs = std::filesystem;

namespace podvisor::actors::launcher {

namespace {
fs::path numbered(const fs::path& path, int n) {
  return fs::path(path.string() + "." + std::to_string(n));
}
} // namespace

expected<bool> rotate_if_larger(const fs::path& path, std::uint64_t max_bytes, int keep) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec)
    return false;
  if (size <= max_bytes)
    return false;
  keep = std::max(keep, 1);
  fs::remove(numbered(path, keep), ec);
  for (int n = keep - 1; n >= 1; --n) {
    if (fs::exists(numbered(path, n)))
      fs::rename(numbered(path, n), numbered(path, n + 1), ec);
  }
  fs::copy_file(path, numbered(path, 1), fs::copy_options::overwrite_existing, ec);
  if (ec)
    return error{errc::io_error, format("rotate {}: {}", path.string(), ec.message())};
  if (::truncate(path.c_str(), 0) != 0)
    return error{errc::io_error, format("rotate {}: truncate failed", path.string())};
  return true;
}

} // namespace podvisor::actors::launcher
