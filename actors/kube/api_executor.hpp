#pragma once
// Where the kube bridge's short blocking api_client calls run (status writes, events,
// lease renewals): the seam that keeps blocking calls off CAF's scheduler threads in
// production and makes them synchronous and deterministic in tests.
//
// An actor posts a job; the job makes its calls and sends the outcome back to the actor
// as a message. With the inline executor (tests, with the in-memory fake client) the job
// runs at once inside the posting handler, and its answer is simply the next message in
// the actor's mailbox, so CAF's test coordinator orders everything. With the detached
// executor the jobs run on a few detached actors (threads the actor system knows about
// and waits for at shutdown).

#include <cstddef>
#include <functional>
#include <memory>

#include <caf/fwd.hpp>

namespace podvisor::actors::kube {

/// Runs jobs. Thread safety: `post` may be called from any thread.
class api_executor {
public:
  virtual ~api_executor() = default;
  /// Runs `job` (now or later, on some thread). Jobs must not throw.
  virtual void post(std::function<void()> job) = 0;
};

/// Runs each job immediately on the calling thread (for tests with non-blocking fakes).
std::shared_ptr<api_executor> make_inline_executor();

/// Runs jobs on `workers` detached actors of `sys`, round-robin; a worker runs its jobs
/// one after the other. Destroying the executor lets the workers finish the jobs they
/// hold and stop.
std::shared_ptr<api_executor> make_detached_executor(caf::actor_system& sys, std::size_t workers = 2);

} // namespace podvisor::actors::kube
