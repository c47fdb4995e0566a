#pragma once
// The human-readable form of a supervisor snapshot (introspect/provider.hpp has the
// schema): state, timeline with durations, launcher and QEMU, network wiring, DHCP
// lease, child actors, last errors. Tolerant: members missing or of the wrong type are
// left out (an older or newer agent still renders), never an exception.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace podvisor::cli {

/// The whole report, ending in a newline.
std::string render_report(const nlohmann::json& snapshot);

/// For --watch: what changed from `previous` to `current` as lines to append (new
/// timeline entries, new errors, a new lease, a state change without a timeline entry);
/// the whole report when `previous` is null or the timeline started over.
std::string render_update(const nlohmann::json& previous, const nlohmann::json& current);

/// "850ms", "1.25s", "2m05s", "3h02m"; "-" for a negative value.
std::string format_duration_ms(std::int64_t ms);

} // namespace podvisor::cli
