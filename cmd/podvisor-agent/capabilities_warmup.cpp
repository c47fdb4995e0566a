#include "cmd/podvisor-agent/capabilities_warmup.hpp"

#include <csignal>

#include "common/file_tail.hpp"
#include "common/process.hpp"

namespace podvisor::cmd::agent {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

warmup_report run_capabilities_warmup(const warmup_options& opts, const std::atomic<bool>& cancel) {
  auto t0 = std::chrono::steady_clock::now();
  warmup_report report;
  auto finish = [&](std::string detail) {
    std::error_code ec;
    fs::remove_all(opts.work_dir, ec);
    report.detail = std::move(detail);
    report.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    return report;
  };
  std::error_code ec;
  fs::remove_all(opts.work_dir, ec); // what a killed agent's warm-up left
  fs::create_directories(opts.work_dir, ec);
  if (ec)
    return finish("cannot create " + opts.work_dir.string() + ": " + ec.message());
  fs::permissions(opts.work_dir, fs::perms::owner_all, ec);
  auto output = opts.work_dir / "launcher.log";
  spawn_options so;
  so.output_path = output.string();
  // The launcher stops its daemon on SIGTERM; an agent killed with -9 must not leave
  // either behind.
  so.parent_death_signal = SIGTERM;
  auto child = child_process::spawn({opts.launcher_binary, "--warm-capabilities", "--capabilities-cache",
                                     opts.capabilities_cache.string(), "--work-dir", opts.work_dir.string(),
                                     "--log-level", opts.log_level},
                                    so);
  if (!child)
    return finish(child.error().message);
  auto deadline = t0 + opts.timeout;
  while (child->running()) {
    if (cancel || std::chrono::steady_clock::now() >= deadline) {
      // The launcher takes a few seconds to stop its daemon; libvirtd once needed 30.
      auto how = child->stop(45s);
      return finish(std::string(cancel ? "cancelled" : "timed out") + " (launcher " + how.to_string() + "): " +
                    last_lines(output, 5));
    }
    (void)child->wait_for(100ms);
  }
  if (!child->status()->success())
    return finish("launcher " + child->status()->to_string() + ": " + last_lines(output, 8));
  report.warm = true;
  return finish(last_lines(output, 1));
}

} // namespace podvisor::cmd::agent
