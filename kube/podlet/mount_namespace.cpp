#include "kube/podlet/mount_namespace.hpp"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace podvisor::kube::podlet {

namespace {

errc classify(int err) {
  switch (err) {
  case ENOENT:
  case ENOTDIR:
    return errc::not_found;
  case EPERM:
  case EACCES:
    return errc::forbidden;
  default:
    return errc::io_error;
  }
}

error failed(const std::string& what, int err) { return error{classify(err), what + ": " + std::strerror(err)}; }

/// The flags a read-only remount must keep: remount replaces all of them, and mount(8)
/// keeps those the bind already has (nosuid/nodev of a bind from /tmp, say).
unsigned long kept_flags(const std::string& target) {
  struct statvfs st{};
  if (::statvfs(target.c_str(), &st) != 0)
    return 0;
  const std::pair<unsigned long, unsigned long> table[] = {
      {ST_NOSUID, MS_NOSUID},       {ST_NODEV, MS_NODEV},           {ST_NOEXEC, MS_NOEXEC},
      {ST_NOATIME, MS_NOATIME},     {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME}};
  unsigned long out = 0;
  for (const auto& [st_flag, ms_flag] : table)
    if (st.f_flag & st_flag)
      out |= ms_flag;
  return out;
}

/// Performs `s` in the calling thread's mount namespace.
error perform(const mount_step& s) {
  const char* target = s.target.c_str();
  int rc = -1;
  switch (s.what) {
  case mount_step::kind::tmpfs:
    rc = ::mount("tmpfs", target, "tmpfs", 0, s.options.c_str());
    break;
  case mount_step::kind::bind:
    rc = ::mount(s.source.c_str(), target, nullptr, MS_BIND, nullptr);
    break;
  case mount_step::kind::remount_read_only:
    rc = ::mount(nullptr, target, nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags(s.target), nullptr);
    break;
  case mount_step::kind::detach:
    rc = ::umount2(target, MNT_DETACH);
    break;
  }
  return rc == 0 ? error{} : failed(s.describe(), errno);
}

/// The new namespace's side: it unshares, mounts, reports, then waits to be released
/// so that its /proc/self/task/<tid>/ns/mnt stays valid while the caller binds it.
struct handoff {
  std::mutex mutex;
  std::condition_variable changed;
  bool done = false;     // the thread finished its steps (or failed)
  bool released = false; // the caller no longer needs the thread
  error result;
  pid_t tid = 0;
};

void make_namespace(handoff& h, const std::vector<mount_step>& steps) {
  error result;
  // CLONE_FS: a thread shares its root and cwd with the process, and the kernel lets
  // only a task with its own fs_struct change mount namespace.
  if (::unshare(CLONE_FS | CLONE_NEWNS) != 0)
    result = failed("unshare the mount namespace", errno);
  // Like `unshare --propagation private`: nothing mounted here reaches the host, and
  // nothing mounted on the host later reaches the pod.
  else if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    result = failed("mount --make-rprivate /", errno);
  else
    for (const auto& s : steps)
      if (auto e = perform(s)) {
        result = std::move(e);
        break;
      }
  std::unique_lock lock{h.mutex};
  h.result = std::move(result);
  h.tid = static_cast<pid_t>(::syscall(SYS_gettid));
  h.done = true;
  h.changed.notify_all();
  h.changed.wait(lock, [&] { return h.released; });
}

} // namespace

std::string mount_step::describe() const {
  switch (what) {
  case kind::tmpfs:
    return "mount -t tmpfs -o " + options + " tmpfs " + target;
  case kind::bind:
    return "mount --bind " + source + " " + target;
  case kind::remount_read_only:
    return "mount -o remount,bind,ro " + target;
  case kind::detach:
    return "umount --lazy " + target;
  }
  return "mount step on " + target;
}

error create_mount_namespace(const std::filesystem::path& file, const std::vector<mount_step>& steps) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    return error{errc::not_found, "mount namespace file " + file.string() + " does not exist"};
  handoff h;
  std::thread worker;
  try {
    worker = std::thread{[&h, &steps] { make_namespace(h, steps); }};
  } catch (const std::system_error& e) {
    return error{errc::resource_exhausted, "start a thread for the mount namespace " + file.string() + ": " + e.what()};
  }
  error result;
  {
    std::unique_lock lock{h.mutex};
    h.changed.wait(lock, [&] { return h.done; });
    result = h.result;
    // Bound from this thread, in the host's namespace, while the thread still holds the
    // new one: what unshare(1)'s helper child does for --mount=FILE.
    if (result.ok()) {
      const std::string ns = "/proc/self/task/" + std::to_string(h.tid) + "/ns/mnt";
      if (::mount(ns.c_str(), file.c_str(), nullptr, MS_BIND, nullptr) != 0)
        result = failed("bind the new mount namespace " + ns + " onto " + file.string(), errno);
    }
    h.released = true;
    h.changed.notify_all();
  }
  worker.join();
  return result;
}

} // namespace podvisor::kube::podlet
