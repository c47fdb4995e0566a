// Real libvirtd processes in private mount namespaces (needs root and libvirt's QEMU
// driver). Run as integration tests: each start may pay QEMU's capabilities probe.
#include "virt/daemon/libvirt_daemon.hpp"

#include <catch2/catch_test_macros.hpp>
#include <csignal>
#include <fstream>
#include <sstream>

#include "common/process.hpp"
#include "common/temp_dir.hpp"

using namespace podvisor;
using namespace podvisor::virt;
namespace fs = std::filesystem;

namespace {

// Runs virsh against `uri` and returns its output (stdout+stderr) and exit status.
std::pair<std::string, exit_status> virsh(const std::string& uri, const std::vector<std::string>& args,
                                          const fs::path& scratch) {
  auto out = scratch / "virsh.out";
  fs::remove(out);
  std::vector<std::string> argv{"virsh", "-c", uri};
  argv.insert(argv.end(), args.begin(), args.end());
  spawn_options so;
  so.output_path = out.string();
  auto child = child_process::spawn(argv, so);
  REQUIRE(child);
  auto st = child->wait_for(std::chrono::seconds(60));
  REQUIRE(st);
  std::ifstream in(out);
  std::ostringstream ss;
  ss << in.rdbuf();
  return {ss.str(), *st};
}

bool host_mounts_mention(const fs::path& root) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.find(root.string()) != std::string::npos)
      return true;
  return false;
}

} // namespace

TEST_CASE("a private daemon serves its own socket with its own host UUID and leaves nothing behind") {
  scoped_temp_dir tmp("pv-lvd-");
  daemon_options opts;
  opts.root = tmp.path() / "d";
  opts.node_capabilities_cache = tmp.path() / "node-caps";
  auto d = libvirt_daemon::start(opts);
  REQUIRE(d);
  auto& daemon = **d;
  INFO(daemon.log_tail());
  CHECK(daemon.running());
  CHECK(fs::exists(daemon.paths().socket()));
  // The daemon's mounts live in its own namespace only.
  CHECK_FALSE(host_mounts_mention(opts.root));
  CHECK_FALSE(fs::exists("/run/libvirt/libvirt-sock.podvisor-would-not-be-here"));

  auto [caps, st] = virsh(daemon.uri(), {"capabilities"}, tmp.path());
  INFO(caps);
  REQUIRE(st.success());
  CHECK(caps.find("<uuid>" + daemon.host_uuid() + "</uuid>") != std::string::npos);
  // Answering `capabilities` needs the QEMU driver, so its probe has happened by now.
  auto outcome = daemon.publish_capabilities();
  REQUIRE(outcome);
  CHECK((*outcome == capabilities_outcome::probed || *outcome == capabilities_outcome::reused));
  CHECK_FALSE(snapshot_cache(opts.node_capabilities_cache).empty());

  pid_t pid = daemon.pid();
  daemon.stop();
  CHECK(::kill(pid, 0) != 0); // reaped, not a zombie of ours
  CHECK_FALSE(daemon.running());
}

TEST_CASE("two daemons side by side: distinct sockets, UUIDs and state; the second reuses the node's cache") {
  scoped_temp_dir tmp("pv-lvd-");
  auto node_caps = tmp.path() / "node-caps";
  daemon_options a_opts;
  a_opts.root = tmp.path() / "a";
  a_opts.node_capabilities_cache = node_caps;
  auto a = libvirt_daemon::start(a_opts);
  REQUIRE(a);
  INFO((*a)->log_tail());
  auto [a_caps, a_st] = virsh((*a)->uri(), {"capabilities"}, tmp.path());
  REQUIRE(a_st.success());
  REQUIRE((*a)->publish_capabilities());

  daemon_options b_opts;
  b_opts.root = tmp.path() / "b";
  b_opts.node_capabilities_cache = node_caps;
  auto b = libvirt_daemon::start(b_opts);
  REQUIRE(b);
  INFO((*b)->log_tail());
  CHECK((*b)->seeded_entries() >= 1);
  CHECK((*a)->host_uuid() != (*b)->host_uuid());
  CHECK((*a)->paths().socket() != (*b)->paths().socket());

  auto [b_caps, b_st] = virsh((*b)->uri(), {"capabilities"}, tmp.path());
  REQUIRE(b_st.success());
  CHECK(b_caps.find((*b)->host_uuid()) != std::string::npos);
  CHECK(b_caps.find((*a)->host_uuid()) == std::string::npos);
  // Same QEMU, same libvirt, same pinned CPU: the seed is valid and libvirt keeps it.
  auto outcome = (*b)->publish_capabilities();
  REQUIRE(outcome);
  CHECK(*outcome == capabilities_outcome::reused);

  (*a)->stop();
  CHECK((*b)->running()); // stopping one never touches the other
  auto [b_again, b_again_st] = virsh((*b)->uri(), {"list", "--all"}, tmp.path());
  CHECK(b_again_st.success());
}

TEST_CASE("a daemon started before the node cache was filled reuses an entry seeded late") {
  // What launchers started together on a fresh node do: the first probes and publishes,
  // the second, already running, seeds the entry before its first QEMU lookup.
  scoped_temp_dir tmp("pv-lvd-");
  auto node_caps = tmp.path() / "node-caps";
  daemon_options a_opts;
  a_opts.root = tmp.path() / "a";
  a_opts.node_capabilities_cache = node_caps;
  daemon_options b_opts = a_opts;
  b_opts.root = tmp.path() / "b";
  auto a = libvirt_daemon::start(a_opts);
  REQUIRE(a);
  auto b = libvirt_daemon::start(b_opts);
  REQUIRE(b);
  INFO((*a)->log_tail() << (*b)->log_tail());
  CHECK((*b)->seeded_entries() == 0);

  auto [a_caps, a_st] = virsh((*a)->uri(), {"capabilities"}, tmp.path());
  REQUIRE(a_st.success());
  auto a_outcome = (*a)->publish_capabilities();
  REQUIRE(a_outcome);
  CHECK(*a_outcome == capabilities_outcome::probed);

  auto late = (*b)->seed_capabilities_late();
  REQUIRE(late);
  CHECK(*late >= 1);
  auto [b_caps, b_st] = virsh((*b)->uri(), {"capabilities"}, tmp.path());
  REQUIRE(b_st.success());
  // libvirt kept the late seed: b never probed.
  auto b_outcome = (*b)->publish_capabilities();
  REQUIRE(b_outcome);
  CHECK(*b_outcome == capabilities_outcome::reused);
}

TEST_CASE("a daemon that cannot start is reported with its log, not left running") {
  scoped_temp_dir tmp("pv-lvd-");
  daemon_options opts;
  opts.root = tmp.path() / "d";
  opts.binary = "/nonexistent/libvirtd";
  auto d = libvirt_daemon::start(opts);
  REQUIRE_FALSE(d);
  CHECK(d.error().message.find("/nonexistent/libvirtd") != std::string::npos);

  opts.root = fs::path("/") / std::string(120, 'x');
  auto too_long = libvirt_daemon::start(opts);
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().code == errc::invalid_argument);
}
