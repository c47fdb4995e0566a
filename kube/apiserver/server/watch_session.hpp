#pragma once
// One watch as the HTTP layer streams it: events from the store's watch stream, filtered
// by the request's selectors (applied to old and new state, so that an object entering
// or leaving the selection is seen as ADDED or DELETED), rendered as JSON lines (or Table
// rows), with BOOKMARKs when asked and an end at timeoutSeconds.
//
// Thread safety: `next` from the one streaming thread; `close` from any thread.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "kube/apiserver/resources/registry.hpp"
#include "kube/apiserver/resources/tables.hpp"
#include "kube/apiserver/server/filters.hpp"
#include "kube/apiserver/store/store.hpp"

namespace podvisor::kube::apiserver {

/// How a session renders and paces its stream.
struct watch_session_options {
  bool bookmarks = false;
  std::chrono::milliseconds bookmark_interval{5000};
  std::chrono::steady_clock::time_point deadline;
  /// Set when the client asked for Table rows.
  std::optional<table_options> table;
  /// The RV the watch started after (bookmarks never go below it).
  std::uint64_t start_rv = 0;
};

/// A running watch.
class watch_session {
public:
  watch_session(const store& db, std::shared_ptr<watch_stream> stream, std::shared_ptr<const resource_entry> entry,
                object_filter filter, watch_session_options options);
  ~watch_session();

  /// The next chunk to send: one or more complete lines, or "" when nothing is due within
  /// `max_wait` (the caller checks the connection and calls again). Nothing once the
  /// stream is over (timeout reached, store closed, or an in-stream ERROR was sent).
  std::optional<std::string> next(std::chrono::milliseconds max_wait);

  /// Ends the session (client gone). Idempotent.
  void close();

private:
  std::optional<std::string> render(const watch_event& event);
  std::string line(std::string_view type, const std::string& object_text);

  const store& db_;
  std::shared_ptr<watch_stream> stream_;
  std::shared_ptr<const resource_entry> entry_;
  object_filter filter_;
  watch_session_options options_;
  std::uint64_t last_rv_;
  std::chrono::steady_clock::time_point last_sent_;
  bool finished_ = false;
  bool columns_sent_ = false;
};

} // namespace podvisor::kube::apiserver
