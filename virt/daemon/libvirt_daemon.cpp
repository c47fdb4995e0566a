#include "virt/daemon/libvirt_daemon.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <deque>
#include <fstream>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

#include "common/format.hpp"
#include "common/process.hpp"

namespace fs = std::filesystem;

namespace podvisor::virt {

daemon_paths paths_under(const fs::path& root) {
  daemon_paths p;
  p.root = root;
  p.etc = root / "etc";
  p.run = root / "run";
  p.lib = root / "lib";
  p.log = root / "log";
  p.cache = root / "cache";
  return p;
}

struct libvirt_daemon::process_holder {
  child_process child;
};

namespace {

// What the child does between fork and exec, prepared in the parent (no allocation after
// fork). Targets are the fixed paths of a privileged libvirtd.
struct mount_plan {
  static constexpr std::size_t count = 5;
  std::array<std::string, count> sources;
  std::array<const char*, count> targets = {"/etc/libvirt", "/run", "/var/lib/libvirt", "/var/log/libvirt",
                                            "/var/cache/libvirt"};
};

int enter_private_mounts(void* context) {
  const auto* plan = static_cast<const mount_plan*>(context);
  if (::unshare(CLONE_NEWNS) != 0)
    return errno;
  // Private propagation first, so none of our bind mounts leak back to the host.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return errno;
  for (std::size_t i = 0; i < mount_plan::count; ++i) {
    if (::mount(plan->sources[i].c_str(), plan->targets[i], nullptr, MS_BIND | MS_REC, nullptr) != 0)
      return errno;
  }
  return 0;
}

bool socket_accepts(const fs::path& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string p = path.string();
  std::copy(p.begin(), p.end(), addr.sun_path);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string tail_of(const fs::path& file, std::size_t lines) {
  std::ifstream in(file);
  if (!in)
    return {};
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (last.size() > lines)
      last.pop_front();
  }
  std::string out;
  for (const auto& l : last)
    out += l + "\n";
  return out;
}

error write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::trunc);
  if (!out || !(out << content) || !out.flush())
    return error{errc::io_error, format("cannot write {}", path.string())};
  return {};
}

} // namespace

libvirt_daemon::libvirt_daemon(daemon_options opts, daemon_paths paths)
    : opts_(std::move(opts)), paths_(std::move(paths)) {}

libvirt_daemon::~libvirt_daemon() {
  stop();
}

expected<std::unique_ptr<libvirt_daemon>> libvirt_daemon::start(daemon_options opts) {
  if (opts.root.empty() || !opts.root.is_absolute())
    return error{errc::invalid_argument, "libvirt daemon: root must be an absolute path"};
  auto paths = paths_under(opts.root);
  if (paths.socket().string().size() >= sizeof(sockaddr_un{}.sun_path))
    return error{errc::invalid_argument,
                 format("libvirt daemon: socket path {} is longer than a unix socket allows; use a shorter root",
                        paths.socket().string())};
  if (opts.config.host_uuid.empty())
    opts.config.host_uuid = random_uuid();
  if (!is_uuid(opts.config.host_uuid))
    return error{errc::invalid_argument, format("libvirt daemon: host UUID \"{}\" is not a UUID", opts.config.host_uuid)};

  std::error_code ec;
  for (const auto& dir : {paths.etc, paths.run / "libvirt", paths.lib / "qemu", paths.qemu_log_dir(),
                          paths.capabilities_dir()}) {
    fs::create_directories(dir, ec);
    if (ec)
      return error{errc::io_error, format("libvirt daemon: cannot create {}: {}", dir.string(), ec.message())};
  }
  // A previous daemon on this root that was killed leaves its socket and pid file behind.
  fs::remove(paths.socket(), ec);
  opts.config.log_file = "/var/log/libvirt/libvirtd.log";
  if (auto err = write_file(paths.etc / "libvirtd.conf", render_libvirtd_conf(opts.config)); !err.ok())
    return err;
  if (auto err = write_file(paths.etc / "qemu.conf", render_qemu_conf(opts.config)); !err.ok())
    return err;

  std::unique_ptr<libvirt_daemon> d{new libvirt_daemon(opts, paths)};
  if (!opts.node_capabilities_cache.empty()) {
    auto seeded = seed_cache(opts.node_capabilities_cache, paths.capabilities_dir());
    if (!seeded)
      return seeded.error();
    d->seeded_entries_ = *seeded;
  }
  d->seeded_ = snapshot_cache(paths.capabilities_dir());

  mount_plan plan;
  plan.sources = {paths.etc.string(), paths.run.string(), paths.lib.string(), paths.log.string(),
                  paths.cache.string()};
  spawn_options so;
  so.output_path = paths.daemon_output().string();
  so.cpus = opts.cpus;
  so.parent_death_signal = SIGTERM;
  so.hook = &enter_private_mounts;
  so.hook_context = &plan;
  auto started_at = std::chrono::steady_clock::now();
  auto child = child_process::spawn({opts.binary, "--pid-file", "/run/libvirt/libvirtd.pid"}, so);
  if (!child)
    return error{child.error().code, format("libvirt daemon: {}", child.error().message)};
  d->process_ = std::make_unique<process_holder>(process_holder{std::move(*child)});

  auto deadline = started_at + opts.start_timeout;
  auto step = std::chrono::milliseconds(2);
  while (!socket_accepts(paths.socket())) {
    if (!d->process_->child.running()) {
      return error{errc::unavailable, format("libvirt daemon exited during start ({}):\n{}",
                                             d->process_->child.status()->to_string(), d->log_tail())};
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string tail = d->log_tail();
      d->stop();
      return error{errc::timeout, format("libvirt daemon did not open {} within {} ms:\n{}", paths.socket().string(),
                                         opts.start_timeout.count(), tail)};
    }
    // Every VM's start waits on this: a daemon ready 1 ms after a check costs that much
    // latency, and a connect attempt every 10 ms costs nothing next to its start.
    std::this_thread::sleep_for(step);
    step = std::min(step * 2, std::chrono::milliseconds(10));
  }
  d->start_duration_ =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_at);
  return d;
}

std::string libvirt_daemon::uri() const {
  return format("qemu+unix:///system?socket={}", paths_.socket().string());
}

pid_t libvirt_daemon::pid() const {
  return process_ ? process_->child.pid() : -1;
}

bool libvirt_daemon::running() {
  return process_ && process_->child.running();
}

expected<int> libvirt_daemon::seed_capabilities_late() {
  if (opts_.node_capabilities_cache.empty())
    return 0;
  auto seeded = seed_cache(opts_.node_capabilities_cache, paths_.capabilities_dir());
  if (!seeded)
    return seeded.error();
  seeded_entries_ = *seeded;
  seeded_ = snapshot_cache(paths_.capabilities_dir());
  return *seeded;
}

expected<capabilities_outcome> libvirt_daemon::publish_capabilities() {
  if (opts_.node_capabilities_cache.empty())
    return capabilities_outcome::none;
  auto outcome = publish_cache(paths_.capabilities_dir(), opts_.node_capabilities_cache, seeded_);
  if (outcome && (*outcome == capabilities_outcome::probed || *outcome == capabilities_outcome::refreshed))
    seeded_ = snapshot_cache(paths_.capabilities_dir()); // published: later calls report reused
  return outcome;
}

std::string libvirt_daemon::stop() {
  if (!process_)
    return {};
  auto status = process_->child.stop(opts_.stop_timeout);
  process_.reset();
  return status.to_string();
}

std::string libvirt_daemon::log_tail(std::size_t lines) const {
  std::string out = tail_of(paths_.daemon_log(), lines);
  std::string more = tail_of(paths_.daemon_output(), lines);
  if (!more.empty())
    out += more;
  return out.empty() ? "(libvirtd wrote nothing)" : out;
}

} // namespace podvisor::virt
