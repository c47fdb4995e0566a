#pragma once
// The end of a log file, for error messages: what a child process (libvirtd, QEMU, a
// launcher) said last before it failed.

#include <cstddef>
#include <filesystem>
#include <string>

namespace podvisor {

/// The last `n` non-empty lines of a text file joined with " | " (empty when unreadable).
std::string last_lines(const std::filesystem::path& path, std::size_t n);

} // namespace podvisor
