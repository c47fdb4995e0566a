#pragma once
// The node agent's introspection provider (introspect/provider.hpp), plain C++: every
// vm_supervisor publishes its snapshot (vm_snapshot.hpp) here after each change and
// removes it when it stops, and the introspection server's threads read from here. So
// an HTTP request never waits for an actor (a busy or stuck supervisor still shows its
// last published state), and a watch gets each transition as it is published.
// Thread-safe: publish/remove come from actor threads, the rest from the server's.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "actors/agent/vm_snapshot.hpp"
#include "common/error.hpp"
#include "introspect/provider.hpp"

namespace podvisor::actors::agent {

class introspection_registry final : public introspect::introspection_provider {
public:
  /// `now` gives the wall time snapshots are rendered at (tests fix it); empty → the
  /// system clock.
  explicit introspection_registry(std::function<wall_time()> now = {});

  /// Stores `s` as the snapshot of its VMI (namespace/name) and pushes it to the VMI's
  /// watchers.
  void publish(const vm_snapshot& s);
  /// Removes the VMI's snapshot if it still belongs to `uid` (a supervisor for a newer
  /// VMI of the same name may have published already); its watchers get null and end.
  void remove(std::string_view namespace_, std::string_view name, std::string_view uid);

  // introspection_provider
  std::string metrics_text() override;
  nlohmann::json list() override;
  std::optional<nlohmann::json> get(std::string_view namespace_, std::string_view name) override;
  std::optional<introspect::subscription> watch(std::string_view namespace_, std::string_view name,
                                                std::function<void(const nlohmann::json&)> on_snapshot) override;
  /// /proc/<launcher pid>/root/<work dir>/serial.log, the work dir from the launcher's
  /// --work-dir argument (its /proc/<pid>/cmdline). not_found without a supervisor,
  /// unavailable while no launcher is known or it has exited.
  expected<std::filesystem::path> console_log(std::string_view namespace_, std::string_view name) override;

  /// Where `/proc` is (tests point it at a fake tree).
  void set_proc_root(std::filesystem::path proc) { proc_ = std::move(proc); }

private:
  struct watcher {
    std::function<void(const nlohmann::json&)> callback;
  };
  struct entry {
    vm_snapshot snapshot;
    std::map<std::uint64_t, watcher> watchers;
  };
  static std::string key(std::string_view ns, std::string_view name);
  void cancel(const std::string& k, std::uint64_t id);

  std::function<wall_time()> now_;
  std::filesystem::path proc_ = "/proc";
  std::mutex mu_;
  std::map<std::string, entry> entries_; ///< by namespace/name
  std::uint64_t next_id_ = 1;
};

/// The value of `--work-dir` in a NUL-separated command line ("" when absent).
std::string work_dir_from_cmdline(std::string_view cmdline);

} // namespace podvisor::actors::agent
