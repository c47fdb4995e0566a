// create_mount_namespace with real mounts (root): the steps are visible inside the new
// namespace only, its mounts are private, the caller's own namespace is untouched, and
// a failing step is named in the error and leaves no namespace file mounted and no
// thread behind. Inside is checked through nsenter(1), independently of the code under
// test; every mount is detached at the end even when a check fails.
#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <thread>

#include "common/temp_dir.hpp"
#include "kube/podlet/host_command.hpp"
#include "kube/podlet/mount_namespace.hpp"
#include "kube/podlet/mounts.hpp"

using namespace podvisor;
using namespace podvisor::kube::podlet;
namespace fs = std::filesystem;

namespace {

/// A private mount (as the podlet's state directory is) with a source directory holding
/// a file, empty mount points and the namespace file.
struct fixture {
  scoped_temp_dir dir{"podlet-mntns-"};
  fs::path root, ns;

  fixture() {
    auto e = ensure_private_mount(dir.path());
    INFO(e.to_string());
    REQUIRE(e.ok());
    root = fs::canonical(dir.path());
    ns = root / "mnt";
    dir.write("src/x", "hello");
    dir.write("mnt", "");
    for (const char* d : {"dst", "ro", "mem", "gone"})
      fs::create_directories(root / d);
  }
  ~fixture() { (void)unmount_tree(dir.path()); }

  std::string p(const char* name) const { return (root / name).string(); }
};

std::size_t thread_count() {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator{"/proc/self/task"}, fs::directory_iterator{}));
}

/// True once this process has `n` threads, within 5 s: a joined thread leaves
/// /proc/self/task a moment after join() returns (the kernel reaps it after waking us).
bool threads_back_to(std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
  while (thread_count() != n) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return true;
}

ino_t inode(const fs::path& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

} // namespace

TEST_CASE("create_mount_namespace performs the steps inside the new namespace only") {
  fixture f;
  const ino_t own = inode("/proc/thread-self/ns/mnt");
  auto e = create_mount_namespace(f.ns, {mount_step::tmpfs(f.p("mem"), "mode=0777,size=1m"),
                                         mount_step::bind(f.p("src"), f.p("dst")),
                                         mount_step::bind(f.p("src"), f.p("ro")),
                                         mount_step::remount_read_only(f.p("ro")),
                                         mount_step::bind(f.p("src"), f.p("gone")),
                                         mount_step::detach(f.p("gone"))});
  INFO(e.to_string());
  REQUIRE(e.ok());
  CHECK(inode("/proc/thread-self/ns/mnt") == own); // the caller stayed where it was
  CHECK(is_mount_point(f.ns));
  CHECK(inode(f.ns) != own);
  // On the host only the namespace file is mounted.
  CHECK(mounts_under(f.root) == std::vector<std::string>{f.ns.string(), f.root.string()});
  CHECK_FALSE(fs::exists(f.root / "dst" / "x"));

  const std::string script = "cd " + f.root.string() +
                             " && cat dst/x ro/x && echo && stat -f -c %T mem"
                             " && ! touch ro/y 2>/dev/null && touch dst/z && test ! -e gone/x"
                             " && ! grep -q shared: /proc/self/mountinfo && echo private";
  auto out = run_command({"nsenter", "--mount=" + f.ns.string(), "/bin/sh", "-c", script});
  INFO((out ? *out : out.error().to_string()));
  REQUIRE(out.has_value());
  CHECK(*out == "hellohello\ntmpfs\nprivate\n");
  CHECK(fs::exists(f.root / "src" / "z")); // written through the bind
  CHECK_FALSE(fs::exists(f.root / "src" / "y"));
}

TEST_CASE("a failing mount step is named and leaves no namespace mounted") {
  struct row {
    std::vector<std::string> says; // what the error message must contain
    errc code;
  };
  fixture f;
  const auto threads = thread_count();
  const std::string missing = f.p("missing");
  const std::vector<std::pair<std::vector<mount_step>, row>> rows{
      {{mount_step::bind(f.p("src"), f.p("dst")), mount_step::bind(missing, f.p("ro"))},
       {{"mount --bind " + missing + " " + f.p("ro"), "No such file or directory"}, errc::not_found}},
      {{mount_step::remount_read_only(f.p("dst"))}, {{"mount -o remount,bind,ro " + f.p("dst"), "Invalid argument"}, errc::io_error}},
      {{mount_step::tmpfs(f.p("mem"), "size=plenty")}, {{"mount -t tmpfs -o size=plenty tmpfs " + f.p("mem")}, errc::io_error}},
      {{mount_step::detach(f.p("gone"))}, {{"umount --lazy " + f.p("gone"), "Invalid argument"}, errc::io_error}},
  };
  for (const auto& [steps, want] : rows) {
    auto e = create_mount_namespace(f.ns, steps);
    INFO(e.to_string());
    CHECK(e.code == want.code);
    for (const auto& s : want.says)
      CHECK(e.message.find(s) != std::string::npos);
    CHECK_FALSE(is_mount_point(f.ns));
    CHECK(mounts_under(f.root) == std::vector<std::string>{f.root.string()});
    CHECK(threads_back_to(threads));
  }
  auto e = create_mount_namespace(f.root / "absent", {});
  CHECK(e.code == errc::not_found);
  CHECK(e.message.find((f.root / "absent").string()) != std::string::npos);
}
