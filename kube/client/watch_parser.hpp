#pragma once
// The body of a watch response, parsed incrementally: chunks arrive split anywhere (in the
// middle of a line, of a UTF-8 sequence, several events per chunk); each complete line is
// one JSON event {"type": ..., "object": ...}. Malformed lines are errors, never crashes.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace podvisor::kube::client {

/// One watch event.
struct watch_event {
  enum class kind { added, modified, deleted, bookmark, error };
  kind type = kind::added;
  /// The object (for `error`: the Status).
  nlohmann::json object;
};

/// "ADDED", "MODIFIED", ...
std::string_view to_string(watch_event::kind k);

/// The error an ERROR event stands for: a Status with code 410 → errc::gone ("too old
/// resource version"), others classified like HTTP errors (see errors.hpp).
error error_of(const watch_event& event);

/// Splits a watch body into events.
class watch_parser {
public:
  /// Longest line accepted (kube-apiserver's largest object is ~3 MiB; a watch event
  /// wraps one).
  explicit watch_parser(std::size_t max_line_bytes = 16 * 1024 * 1024) : max_line_(max_line_bytes) {}

  /// Appends the complete events in `chunk` (with what was left over from earlier
  /// chunks) to `out`. Returns parse_error for a line that is not a watch event, or
  /// resource_exhausted for a line longer than the limit; the events before the bad line
  /// are still appended, and the parser is then unusable (later calls return internal).
  /// Lines end with "\n" or "\r\n"; blank lines are skipped. Never throws.
  error feed(std::string_view chunk, std::vector<watch_event>& out);

  /// Bytes of an incomplete line held back.
  std::size_t pending() const { return buffer_.size(); }

private:
  std::string buffer_;
  std::size_t max_line_;
  std::size_t lines_ = 0; ///< non-blank lines seen, to number events in error messages
  bool failed_ = false;
};

} // namespace podvisor::kube::client
