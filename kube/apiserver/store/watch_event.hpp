#pragma once
// One change as a watcher sees it. Events are immutable and shared (std::shared_ptr)
// between the history window and every watcher queue.

#include <array>
#include <cstdint>
#include <memory>

#include "kube/api/enum_table.hpp"
#include "kube/apiserver/store/object.hpp"

namespace podvisor::kube::apiserver {

/// The watch event types the store produces (BOOKMARK and ERROR belong to the HTTP layer).
enum class event_type {
  added,    ///< the object was created (or, for an initial-state replay, exists)
  modified, ///< the object changed
  deleted,  ///< the object was removed; `object` is its last state stamped with the new RV
};

/// One change. `previous` is the state before the change (null for ADDED) so that the HTTP
/// layer can apply selectors to old and new state and turn a selector transition into
/// ADDED or DELETED, as kube-apiserver does.
struct watch_event {
  event_type type = event_type::added;
  /// The RV of this change; for a synthetic ADDED (initial state) the object's own RV.
  std::uint64_t rv = 0;
  object_key key;
  json_ptr object;
  json_ptr previous;
};

/// Events travel as shared immutable pointers.
using event_ptr = std::shared_ptr<const watch_event>;

} // namespace podvisor::kube::apiserver

template <>
struct podvisor::kube::api::enum_table<podvisor::kube::apiserver::event_type> {
  using e = podvisor::kube::apiserver::event_type;
  // The spellings are the wire values of the watch event "type" field.
  static constexpr std::array entries = {enum_entry{e::added, "ADDED"},
                                         enum_entry{e::modified, "MODIFIED"},
                                         enum_entry{e::deleted, "DELETED"}};
};
