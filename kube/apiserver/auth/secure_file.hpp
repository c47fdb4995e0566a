#pragma once
// Files that hold secrets (private keys, tokens, kubeconfigs) are written so that a crash
// never leaves half a file behind and no other user can ever read them: the content goes
// to a fresh temporary file in the same directory, created with its final permissions
// (not widened by the umask, never briefly world-readable), flushed to disk, then renamed
// over the target, and the directory entry is flushed too.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace podvisor::kube::apiserver {

/// Owner read/write only: private keys, tokens, kubeconfigs.
inline constexpr auto mode_private =
  std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
/// Owner read/write, everyone read: certificates.
inline constexpr auto mode_public = mode_private | std::filesystem::perms::group_read |
                                    std::filesystem::perms::others_read;

/// Replaces `path` with `content` atomically (temp file + fsync + rename + directory
/// fsync); the file ends up with exactly `mode`. Readers see the old file or the new
/// one, never a mix. `io_error` with the path and the system's reason on failure, in
/// which case the old file (if any) is untouched and no temporary file is left.
error write_file_atomically(const std::filesystem::path& path, std::string_view content,
                            std::filesystem::perms mode);

/// Reads a whole file of at most `max_bytes` (a larger one is `invalid_argument`: these
/// files are small, and a huge one is a mistake, not something to load). A missing file
/// is `not_found`.
expected<std::string> read_small_file(const std::filesystem::path& path,
                                      std::size_t max_bytes = 1 << 20);

/// Removes group and other permission bits from an existing file (a key copied in by
/// hand with mode 0644 is tightened to 0600 when the server starts using it).
error restrict_to_owner(const std::filesystem::path& path);

/// Creates `dir` and missing parents; a directory created here gets `mode` (existing
/// ones keep theirs).
error ensure_directory(const std::filesystem::path& dir, std::filesystem::perms mode);

} // namespace podvisor::kube::apiserver
