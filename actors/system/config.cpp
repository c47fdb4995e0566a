#include "actors/system/config.hpp"

#include <caf/local_actor.hpp>
#include <caf/scheduled_actor.hpp>

#include "common/format.hpp"
#include "protocols/error.hpp"
#include "protocols/type_ids.hpp"

namespace podvisor::actors {

system_config::system_config() {
  protocols::register_types(*this);
  // An idle CAF worker spins 100 times, then sleeps 50 µs up to 500 times, and only then
  // waits on its condition variable (which enqueueing a job signals). Every burst of
  // messages thus cost each worker ~500 nanosleep calls; with a CAF process per VM on a
  // node (launchers) and a few per node (agent, podlet), that polling was 12% of this
  // machine's CPU during a 10-VM start (perf). Going from the spins straight to the
  // condition variable costs one futex wake when a job reaches a sleeping worker.
  set("work-stealing.moderate-poll-attempts", std::size_t{0});
}

system_config& system_config::set_scheduler_threads(std::size_t n) {
  if (n > 0)
    set("scheduler.max-threads", n);
  return *this;
}

log::logger make_logger(const caf::local_actor* self, std::string_view component, std::string object) {
  if (object.empty() && self != nullptr)
    object = podvisor::format("{}#{}", self->name(), self->id());
  return log::logger{component, std::move(object)};
}

caf::error handle_exception(const log::logger& lg, std::exception_ptr eptr) {
  std::string what = "unknown exception";
  try {
    if (eptr)
      std::rethrow_exception(eptr);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    // keep "unknown exception": nothing more can be said about it
  }
  lg.error("uncaught exception: {}", what);
  return protocols::to_caf_error(podvisor::error{errc::internal, "uncaught exception: " + what});
}

void install_exception_handler(caf::scheduled_actor* self, log::logger lg) {
  self->set_exception_handler([lg = std::move(lg)](caf::scheduled_actor*, std::exception_ptr& eptr) {
    return handle_exception(lg, eptr);
  });
}

} // namespace podvisor::actors
