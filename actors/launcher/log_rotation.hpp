#pragma once
// Size-based rotation of a log file that another process keeps open for appending (QEMU's
// serial console log). QEMU holds the file descriptor for the domain's whole life, so a
// rename would leave it writing to the rotated file; instead the content is copied to
// <path>.1 (older copies shift to .2 … .keep) and the file is truncated in place. QEMU
// opened it with O_APPEND (libvirt's append='on'), so its next write lands at the new end.
// Bytes written between the copy and the truncation are lost — the price of
// copy-truncate, bounded by one check interval of console output.

#include <cstdint>
#include <filesystem>

#include "common/error.hpp"

namespace podvisor::actors::launcher {

/// Rotates `path` when it is larger than `max_bytes`, keeping `keep` old copies (≥ 1).
/// Returns true when it rotated. A missing file is not an error (nothing written yet).
expected<bool> rotate_if_larger(const std::filesystem::path& path, std::uint64_t max_bytes, int keep);

} // namespace podvisor::actors::launcher
