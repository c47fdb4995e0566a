#include "kube/podlet/mounts.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/mount.h>

namespace podvisor::kube::podlet {

namespace {

namespace fs = std::filesystem;

/// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool ok = true;
      for (std::size_t k = 1; k <= 3; ++k) {
        char c = s[i + k];
        if (c < '0' || c > '7') {
          ok = false;
          break;
        }
        v = v * 8 + (c - '0');
      }
      if (ok) {
        out += static_cast<char>(v);
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string normal(const fs::path& p) {
  std::error_code ec;
  auto c = fs::weakly_canonical(p, ec);
  return (ec ? p : c).lexically_normal().string();
}

} // namespace

std::vector<std::string> mounts_under(const fs::path& dir) {
  std::vector<std::string> out;
  const std::string base = normal(dir);
  std::ifstream in{"/proc/self/mountinfo"};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields{line};
    std::string id, parent, devno, root, point;
    if (!(fields >> id >> parent >> devno >> root >> point))
      continue;
    point = unescape(point);
    if (point == base || (point.size() > base.size() && point.compare(0, base.size(), base) == 0 &&
                          point[base.size()] == '/'))
      out.push_back(point);
  }
  // Deepest first; a path mounted twice appears twice and is detached twice.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return out;
}

bool is_mount_point(const fs::path& path) {
  const std::string p = normal(path);
  auto all = mounts_under(path);
  return std::find(all.begin(), all.end(), p) != all.end();
}

error ensure_private_mount(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return error{errc::io_error, "create " + dir.string() + ": " + ec.message()};
  const std::string p = normal(dir);
  if (!is_mount_point(p) && ::mount(p.c_str(), p.c_str(), nullptr, MS_BIND, nullptr) != 0)
    return error{errc::io_error, "bind mount " + p + " onto itself: " + std::strerror(errno)};
  if (::mount(nullptr, p.c_str(), nullptr, MS_PRIVATE, nullptr) != 0)
    return error{errc::io_error, "make " + p + " a private mount: " + std::strerror(errno)};
  return {};
}

error unmount_tree(const fs::path& dir) {
  for (const auto& point : mounts_under(dir))
    if (::umount2(point.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
      return error{errc::io_error, "unmount " + point + ": " + std::strerror(errno)};
  return {};
}

} // namespace podvisor::kube::podlet
