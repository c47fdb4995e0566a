#pragma once
// The status-writer protocol (actors/kube/status_writer.hpp): controllers and agents hand
// it the change they intend to make to an object's status; it reads the object, applies
// the change, writes the status subresource with the read resourceVersion, and on a
// conflict re-reads and re-applies, with backoff. Changes to the same object that arrive
// while a write is pending compose: all of them are applied, in arrival order, to the
// same fresh read and written together.
//
// Why a function and not a patch: a change such as "set condition Ready, keep the others"
// or "append to migrationState history" depends on the object's current state, and it
// must be re-evaluated against each re-read. A function can say that; a merge patch
// cannot (actors/kube/status_writer.hpp offers a merge-patch change for the simple case).
// Consequence: `status_change` cannot be serialized and is allowed as an unsafe message
// type. That is fine here: a status writer always runs in the process of the controller
// or agent that uses it (it needs that process's API credentials anyway).

#include <functional>
#include <memory>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <nlohmann/json_fwd.hpp>

#include "common/error.hpp"
#include "protocols/kube_object.hpp"

namespace podvisor::protocols {

/// Changes `object` (the whole object as read from the API server; a status change edits
/// object["status"]) in place. Returns an error to give up on this change: its requester
/// gets that error and other pending changes for the object are still applied. Must be
/// deterministic and free of side effects: it may run several times (once per attempt).
using status_mutation = std::function<podvisor::error(nlohmann::json& object)>;

/// One intended status change.
struct status_change {
  /// The object; `namespace_` empty for cluster-scoped resources.
  std::string namespace_;
  std::string name;
  /// The change (shared so that copies of the message are cheap).
  std::shared_ptr<const status_mutation> mutate;
};

/// The status-writer actor interface (one writer per resource, e.g. VMIs).
using status_writer_actor = caf::typed_actor<
  /// Applies the change and replies with the object as written (or as read, when no
  /// change resulted), or with an error: not_found when the object is gone, the
  /// mutation's error, conflict / unavailable / timeout after the last attempt, or what
  /// the server refused (invalid_argument, forbidden).
  caf::replies_to<status_change>::with<kube_object>>;

} // namespace podvisor::protocols

// Node-local only: a function cannot cross a network link (see the top of this file).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::protocols::status_change)
