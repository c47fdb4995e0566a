#pragma once
// Mount helpers for the podlet's state directories. Namespace files (network and mount
// namespaces) are kept alive by bind-mounting /proc/PID/ns/* onto plain files; the
// directory holding them must be a private mount so the bind mounts neither propagate
// into other namespaces nor (for mount namespaces) form a loop the kernel refuses.

#include <filesystem>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace podvisor::kube::podlet {

/// Mount points (from /proc/self/mountinfo, unescaped) at or below `dir`, deepest first.
std::vector<std::string> mounts_under(const std::filesystem::path& dir);

/// True when `path` itself is a mount point.
bool is_mount_point(const std::filesystem::path& path);

/// Creates `dir` if missing and makes it a private mount (a bind mount onto itself the
/// first time). Idempotent.
error ensure_private_mount(const std::filesystem::path& dir);

/// Detaches every mount at or below `dir` (deepest first); success when none is left.
error unmount_tree(const std::filesystem::path& dir);

} // namespace podvisor::kube::podlet
