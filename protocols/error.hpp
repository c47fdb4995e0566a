#pragma once
// podvisor::errc as a CAF error category (CAF 0.17.6). An actor replies with
//
//   return to_caf_error(error{errc::not_found, "vmi default/x"});
//
// or simply `return caf::error{errc::timeout};` (the `make_error` overloads below are
// found by ADL), and the requester turns the `caf::error` back with `from_caf_error`.
// Once `add_error_category` has run on the system's config (actors::system_config does
// it), `system.render(err)` prints `podvisor.not_found("vmi default/x")`.
//
// Wire form: code = the errc value, category = atom("podvisor"), context = a message
// holding the error's message string, plus its context string when that is not empty.

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include "common/error.hpp"

namespace podvisor {

/// Makes `caf::error{code}` and comparisons like `err == errc::timeout` work (CAF finds
/// this through ADL on errc). Declared here, not in common/, to keep CAF out of common.
caf::error make_error(errc code);

/// A CAF error with a message, e.g. `make_error(errc::not_found, "vmi default/x")`.
caf::error make_error(errc code, std::string message);

} // namespace podvisor

namespace podvisor::protocols {

/// The category atom of Podvisor's errors inside `caf::error`.
inline constexpr caf::atom_value error_category = caf::atom("podvisor");

/// Converts an error value to a `caf::error`; a success (`errc::none`) becomes an empty
/// `caf::error` (CAF's "no error").
caf::error to_caf_error(const podvisor::error& e);

/// Converts back. Podvisor errors round-trip exactly. Errors of other categories become
/// errc::internal with their text as the message, except two that callers retry on:
/// CAF's request_timeout becomes errc::timeout and request_receiver_down
/// errc::unavailable. An empty `caf::error` becomes a success.
podvisor::error from_caf_error(const caf::error& e);

/// Like `from_caf_error(e)`, but other categories' text comes from `system.render`, so
/// categories registered with the system print their own way.
podvisor::error from_caf_error(const caf::actor_system& system, const caf::error& e);

/// Renders a Podvisor error as `podvisor.<code>("message"[, "context"])`; the function
/// `add_error_category` registers.
std::string render_error(std::uint8_t code, caf::atom_value category, const caf::message& context);

/// Registers the "podvisor" category's renderer with `cfg`.
void add_error_category(caf::actor_system_config& cfg);

} // namespace podvisor::protocols
