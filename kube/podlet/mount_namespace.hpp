#pragma once
// A pod's mount namespace, made in-process: no `unshare`, `nsenter` or `mount` is forked.
// A short-lived thread unshares its filesystem attributes and its mount namespace, makes
// the namespace's mounts recursively private, performs the pod's mount steps with
// mount(2)/umount2(2), and the calling thread (still in the host's namespace) keeps the
// namespace alive by bind-mounting the thread's /proc/self/task/<tid>/ns/mnt onto a file.
// That file must lie on a private mount (ensure_private_mount in mounts.hpp), as for
// `unshare --mount=FILE`: a shared one would propagate the bind into the new namespace
// and the kernel refuses such a loop.

#include <filesystem>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace podvisor::kube::podlet {

/// One mount operation inside a pod's mount namespace.
struct mount_step {
  enum class kind {
    tmpfs,             ///< a tmpfs at `target` with `options` (mount -t tmpfs -o OPTIONS tmpfs TARGET)
    bind,              ///< `source` bound at `target`, not recursive (mount --bind SOURCE TARGET)
    remount_read_only, ///< the bind at `target` made read-only (mount -o remount,bind,ro TARGET)
    detach,            ///< the mount at `target` detached lazily (umount --lazy TARGET)
  };
  kind what = kind::bind;
  std::string source;
  std::string target;
  std::string options;

  static mount_step tmpfs(std::string target, std::string options) {
    return {kind::tmpfs, {}, std::move(target), std::move(options)};
  }
  static mount_step bind(std::string source, std::string target) {
    return {kind::bind, std::move(source), std::move(target), {}};
  }
  static mount_step remount_read_only(std::string target) { return {kind::remount_read_only, {}, std::move(target), {}}; }
  static mount_step detach(std::string target) { return {kind::detach, {}, std::move(target), {}}; }

  /// The step as the mount(8)/umount(8) command line that does the same, for messages.
  std::string describe() const;

  friend bool operator==(const mount_step&, const mount_step&) = default;
};

/// Makes a new mount namespace (a copy of the caller's, every mount made private),
/// performs `steps` in it in order and bind-mounts it onto `file`, which must exist on a
/// private mount. Setns into `file` enters it afterwards. Blocks until done; the calling
/// thread's own namespaces are untouched. On error nothing is left: no mount at `file`,
/// the namespace gone. Errors name the failing step (its describe()) and strerror.
error create_mount_namespace(const std::filesystem::path& file, const std::vector<mount_step>& steps);

} // namespace podvisor::kube::podlet
