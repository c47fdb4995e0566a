#include "cmd/podvisor-launcher/capabilities_warmup.hpp"

#include <optional>

#include "virt/daemon/libvirt_daemon.hpp"

namespace podvisor::launcher_cmd {

namespace {

long ms_since(std::chrono::steady_clock::time_point t) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count());
}

} // namespace

expected<virt::capabilities_outcome> probe_capabilities_ahead(virt::libvirt_daemon& daemon,
                                                              const capabilities_query& query,
                                                              const std::filesystem::path& node_cache,
                                                              const log::logger& lg,
                                                              std::chrono::milliseconds turn_timeout) {
  // Held until the probe is published: the next launcher in line then finds it.
  std::optional<virt::probe_turn> turn;
  if (!node_cache.empty() && daemon.seeded_entries() == 0) {
    auto t_wait = std::chrono::steady_clock::now();
    if (auto got = virt::wait_for_probe_turn(node_cache, turn_timeout)) {
      turn = std::move(*got);
      if (auto late = daemon.seed_capabilities_late(); late && *late > 0)
        lg.info("QEMU capabilities published by another launcher while this one waited {} ms: {} entries seeded",
                ms_since(t_wait), *late);
      else if (!late)
        lg.warn("QEMU capabilities cache not seeded: {}", late.error());
    } else {
      lg.warn("probing QEMU without waiting for the node's other launchers: {}", got.error());
    }
  }
  auto t_query = std::chrono::steady_clock::now();
  if (auto e = query(); !e.ok())
    return e;
  lg.info("QEMU capabilities ready in {} ms", ms_since(t_query));
  if (node_cache.empty())
    return virt::capabilities_outcome::none;
  auto published = daemon.publish_capabilities();
  if (!published)
    return error{published.error().code, "publishing to the node cache: " + published.error().message};
  lg.info("QEMU capabilities cache: {}", *published);
  return *published;
}

} // namespace podvisor::launcher_cmd
