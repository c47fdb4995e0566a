#pragma once
// The actor system configuration every Podvisor process starts from, and the glue that
// makes actors log and fail the Podvisor way:
//
//   actors::system_config cfg;             // error category + type-ID block registered
//   cfg.set_scheduler_threads(2);
//   caf::actor_system system{cfg};
//
//   caf::behavior vm_supervisor(caf::stateful_actor<vm_supervisor_state>* self, ...) {
//     self->state.log = actors::make_logger(self, "agent", "vm default/web-1");
//     actors::install_exception_handler(self, self->state.log);
//     ...
//   }
//
// CAF 0.17 has no system-wide exception handler (it is per actor, and CAF's default
// prints to stdout and exits with sec::runtime_error), so every actor calls
// `install_exception_handler` first thing in its behavior function.

#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

#include <caf/actor_system_config.hpp>
#include <caf/fwd.hpp>

#include "common/log.hpp"

namespace podvisor::actors {

/// caf::actor_system_config with Podvisor's types and error category registered.
class system_config : public caf::actor_system_config {
public:
  system_config();

  /// Sets the number of scheduler worker threads (CAF's default is max(cores, 4)).
  /// Zero is ignored.
  system_config& set_scheduler_threads(std::size_t n);
};

/// A logger for an actor: `[component object]`. Without an object, the actor's CAF name
/// and id stand in ("scheduled_actor#12") so that lines of sibling actors differ.
log::logger make_logger(const caf::local_actor* self, std::string_view component, std::string object = {});

/// What the exception handler does, separated for tests: logs "uncaught exception: ..."
/// at error level through `lg` and returns the actor's exit reason, an errc::internal
/// caf::error carrying the exception's text.
caf::error handle_exception(const log::logger& lg, std::exception_ptr eptr);

/// Makes an uncaught exception in `self`'s handlers a logged errc::internal exit instead
/// of CAF's stdout message. Pending requests to the actor receive the same error.
void install_exception_handler(caf::scheduled_actor* self, log::logger lg);

} // namespace podvisor::actors
