#include "bench/launcher_bench_virsh.hpp"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "bench/launcher_bench_support.hpp"
#include "cmd/podvisor-launcher/options.hpp"
#include "cmd/podvisor-launcher/vm_setup.hpp"
#include "common/process.hpp"
#include "common/temp_dir.hpp"
#include "virt/daemon/libvirt_daemon.hpp"

namespace podvisor::bench_launcher {

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

const char* const booted_marker = "PODVISOR-GUEST: booted";

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

/// One domain of the burst, from its conversion to its booted marker.
struct domain_run {
  std::string name; ///< libvirt's domain name (test_<vmi name>)
  fs::path xml, serial, virsh_out;
  std::optional<child_process> create; ///< `virsh create`, until it exits
  std::unique_ptr<file_follower> serial_follow;
  clock_type::time_point t0;
  std::optional<double> running_ms, booted_ms;
  std::string error;
};

/// Converts a 64 MiB (or --memory-mib) test-guest VMI named `vmi_name` exactly as the
/// launcher would (its own option parsing and preparation) and writes the domain XML.
bool prepare(const virsh_burst_options& o, const fs::path& tmp, const std::string& vmi_name, domain_run& d,
             std::string* err) {
  fs::path wd = tmp / vmi_name;
  fs::create_directories(wd);
  fs::path vmi = wd / "vmi.json";
  std::ofstream(vmi) << guest_vmi_json(vmi_name, o.memory_mib) << "\n";
  auto opts = launcher_cmd::parse_options({"--vmi", vmi.string(), "--work-dir", wd.string(), "--kernel",
                                           o.kernel.string(), "--initrd", o.initrd.string(), "--accel", o.accel});
  if (!opts) {
    *err = "launcher options: " + opts.error().message;
    return false;
  }
  auto prepared = launcher_cmd::prepare_vm(*opts);
  if (!prepared) {
    *err = "converting " + vmi_name + ": " + prepared.error().message;
    return false;
  }
  d.name = prepared->domain_name;
  d.serial = prepared->serial_log;
  d.xml = tmp / (vmi_name + ".xml");
  d.virsh_out = tmp / (vmi_name + ".virsh.out");
  std::ofstream(d.xml) << prepared->domain_xml;
  return true;
}

/// Destroys every domain that may exist when it goes out of scope (also on an early
/// return): `virsh destroy`, and SIGKILL of QEMU by its pid file if that failed.
class domain_reaper {
public:
  domain_reaper(virt::libvirt_daemon& daemon, fs::path tmp) : daemon_(daemon), tmp_(std::move(tmp)) {}
  ~domain_reaper() { reap(); }
  domain_reaper(const domain_reaper&) = delete;
  domain_reaper& operator=(const domain_reaper&) = delete;

  void track(const std::string& domain) { domains_.push_back(domain); }

  /// Destroys the tracked domains; the number that needed QEMU killed.
  int reap() {
    int killed = 0;
    for (const auto& domain : domains_) {
      fs::path pid_file = daemon_.paths().qemu_pid_dir() / (domain + ".pid");
      long qemu = read_pid_file(pid_file);
      if (qemu <= 0 || ::kill(static_cast<pid_t>(qemu), 0) != 0)
        continue; // never started, or already gone
      bool destroyed =
          run_capture({"virsh", "-c", daemon_.uri(), "destroy", domain}, tmp_ / "destroy.out", 60s).has_value();
      if (!destroyed && ::kill(static_cast<pid_t>(qemu), 0) == 0) {
        ::kill(static_cast<pid_t>(qemu), SIGKILL); // last resort: never leave a QEMU behind
        ++killed;
      }
    }
    domains_.clear();
    return killed;
  }

private:
  virt::libvirt_daemon& daemon_;
  fs::path tmp_;
  std::vector<std::string> domains_;
};

bool interrupted(const virsh_burst_options& o) { return o.interrupted && *o.interrupted; }

/// Starts `virsh create` for every domain at once, then follows each to its exit (the
/// domain is running) and its booted marker. Failures are recorded per domain.
void run_burst(const virsh_burst_options& o, virt::libvirt_daemon& daemon, domain_reaper& reaper,
               std::vector<domain_run>& ds, std::chrono::seconds limit) {
  for (auto& d : ds) {
    fs::remove(d.serial);
    d.serial_follow = std::make_unique<file_follower>(d.serial);
    spawn_options so;
    so.output_path = d.virsh_out.string();
    reaper.track(d.name);
    d.t0 = clock_type::now();
    auto child = child_process::spawn({"virsh", "-c", daemon.uri(), "create", d.xml.string()}, so);
    if (child)
      d.create.emplace(std::move(*child));
    else
      d.error = "virsh: " + child.error().to_string();
  }
  auto deadline = clock_type::now() + limit;
  for (;;) {
    bool pending = false;
    for (auto& d : ds) {
      if (!d.error.empty())
        continue;
      if (!d.running_ms) {
        if (d.create->running()) {
          pending = true;
          continue;
        }
        if (d.create->status() && d.create->status()->success())
          d.running_ms = ms_since(d.t0);
        else {
          d.error = "virsh create " + d.name + " failed: " + tail(d.virsh_out, 4);
          continue;
        }
      }
      if (!d.booted_ms) {
        if (d.serial_follow->find(booted_marker))
          d.booted_ms = ms_since(d.t0);
        else
          pending = true;
      }
    }
    if (!pending)
      return;
    bool stop = interrupted(o), late = clock_type::now() > deadline;
    if (stop || late) {
      for (auto& d : ds)
        if (d.error.empty() && !d.booted_ms) {
          if (d.create && d.create->running())
            d.create->stop(5s);
          d.error = d.name + (stop ? ": interrupted" : ": not booted within " + std::to_string(limit.count()) + " s");
        }
      return;
    }
    std::this_thread::sleep_for(10ms);
  }
}

json percentiles(const std::vector<double>& v) {
  return {{"p50", percentile(v, 50)}, {"p95", percentile(v, 95)}, {"max", percentile(v, 100)}, {"n", v.size()}};
}

} // namespace

int run_virsh_burst(const virsh_burst_options& o) {
  scoped_temp_dir tmp("pvvb.", "/tmp"); // short: the daemon's socket path lives under it
  if (tmp.path().empty()) {
    std::perror("bench_launcher --virsh-only: mkdtemp");
    return 1;
  }
  std::vector<std::string> errors;
  std::vector<domain_run> ds(static_cast<std::size_t>(o.count));
  domain_run warmup;
  std::string err;
  if (!prepare(o, tmp.path(), "floor-warmup", warmup, &err)) {
    std::fprintf(stderr, "bench_launcher --virsh-only: %s\n", err.c_str());
    return 1;
  }
  for (std::size_t i = 0; i < ds.size(); ++i)
    if (!prepare(o, tmp.path(), "floor-" + std::to_string(i), ds[i], &err)) {
      std::fprintf(stderr, "bench_launcher --virsh-only: %s\n", err.c_str());
      return 1;
    }

  virt::daemon_options dopts;
  dopts.root = tmp.path() / "base";
  auto t_daemon = clock_type::now();
  auto daemon = virt::libvirt_daemon::start(dopts);
  if (!daemon) {
    std::fprintf(stderr, "bench_launcher --virsh-only: libvirtd: %s\n", daemon.error().message.c_str());
    return 1;
  }
  double daemon_start_ms = ms_since(t_daemon);
  long daemon_idle_kib = kib_field((*daemon)->pid(), "status", "VmRSS");
  std::printf("virsh create of %d domain(s) at once (%d MiB, %s, test guest) on one plain libvirtd\n", o.count,
              o.memory_mib, o.accel.c_str());
  std::fflush(stdout);

  long daemon_busy_kib = -1;
  std::vector<double> qemu_kib;
  int killed = 0;
  std::optional<double> warmup_ms;
  {
    domain_reaper reaper(**daemon, tmp.path());
    // Warm-up, not measured: the daemon probes QEMU's capabilities on its first domain (a
    // launcher's daemon finds them in the node's cache instead).
    std::vector<domain_run> first(1);
    first[0] = std::move(warmup);
    run_burst(o, **daemon, reaper, first, 300s);
    warmup_ms = first[0].running_ms;
    if (!first[0].error.empty())
      errors.push_back("warm-up: " + first[0].error);
    killed += reaper.reap();

    if (errors.empty())
      run_burst(o, **daemon, reaper, ds, std::chrono::seconds(120 + 20 * o.count));
    daemon_busy_kib = kib_field((*daemon)->pid(), "status", "VmRSS");
    for (auto& d : ds) {
      if (!d.error.empty())
        errors.push_back(d.error);
      long qemu = read_pid_file((*daemon)->paths().qemu_pid_dir() / (d.name + ".pid"));
      if (qemu > 0 && d.booted_ms)
        qemu_kib.push_back(static_cast<double>(kib_field(static_cast<pid_t>(qemu), "status", "VmRSS")));
    }
    killed += reaper.reap();
  }
  if (killed > 0)
    errors.push_back(std::to_string(killed) + " domain(s) not destroyed by virsh; their QEMU was killed");
  auto stopped = (*daemon)->stop();
  daemon->reset();

  std::vector<double> running, booted;
  for (auto& d : ds) {
    if (d.running_ms)
      running.push_back(*d.running_ms);
    if (d.booted_ms)
      booted.push_back(*d.booted_ms);
  }
  auto row = [](const char* what, const std::vector<double>& v) {
    std::printf("  %-36s %8.0f ms %8.0f ms %8.0f ms   (%zu)\n", what, percentile(v, 50), percentile(v, 95),
                percentile(v, 100), v.size());
  };
  std::printf("\n  %-36s %11s %11s %11s   (n)\n", "per domain", "p50", "p95", "max");
  row("virsh create → running", running);
  row("virsh create → booted marker", booted);
  std::printf("  warm-up domain create → running (daemon probes QEMU): %.0f ms; daemon start %.0f ms\n",
              warmup_ms.value_or(-1), daemon_start_ms);
  std::printf("  libvirtd VmRSS idle %ld KiB → with %d domains %ld KiB; QEMU VmRSS p50 %.0f KiB\n", daemon_idle_kib,
              o.count, daemon_busy_kib, percentile(qemu_kib, 50));
  std::printf("  daemon stopped: %s\n", stopped.c_str());
  for (const auto& e : errors)
    std::fprintf(stderr, "bench_launcher --virsh-only: %s\n", e.c_str());

  json j{{"count", o.count},
         {"memory_mib", o.memory_mib},
         {"accel", o.accel},
         {"create_to_running_ms", percentiles(running)},
         {"create_to_booted_ms", percentiles(booted)},
         {"warmup_create_to_running_ms", warmup_ms.value_or(-1)},
         {"daemon_start_ms", daemon_start_ms},
         {"libvirtd_rss_kib", {{"idle", daemon_idle_kib}, {"with_domains", daemon_busy_kib}}},
         {"qemu_rss_kib", percentiles(qemu_kib)},
         {"errors", errors}};
  std::ofstream(o.out) << j.dump(2) << "\n";
  std::printf("figures written to %s\n", o.out.c_str());
  return errors.empty() && !interrupted(o) ? 0 : 1;
}

} // namespace podvisor::bench_launcher
