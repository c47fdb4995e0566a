#include "actors/kube/api_executor.hpp"

#include <atomic>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

namespace podvisor::actors::kube {

namespace {

/// A job in a message: node-local by nature (a closure cannot cross a network link).
struct api_job {
  std::function<void()> run;
};

} // namespace

} // namespace podvisor::actors::kube

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::kube::api_job)

namespace podvisor::actors::kube {

namespace {

class inline_executor final : public api_executor {
public:
  void post(std::function<void()> job) override { job(); }
};

caf::behavior job_worker(caf::event_based_actor*) {
  return {
    /// Runs one job (blocking this detached actor's thread, never a scheduler thread).
    [](api_job& job) { job.run(); },
  };
}

class detached_executor final : public api_executor {
public:
  detached_executor(caf::actor_system& sys, std::size_t workers) {
    if (workers == 0)
      workers = 1;
    for (std::size_t i = 0; i < workers; ++i)
      workers_.push_back(sys.spawn<caf::detached>(job_worker));
  }

  ~detached_executor() override {
    for (auto& worker : workers_)
      caf::anon_send_exit(worker, caf::exit_reason::user_shutdown);
  }

  detached_executor(const detached_executor&) = delete;
  detached_executor& operator=(const detached_executor&) = delete;

  void post(std::function<void()> job) override {
    auto i = next_.fetch_add(1, std::memory_order_relaxed) % workers_.size();
    caf::anon_send(workers_[i], api_job{std::move(job)});
  }

private:
  std::vector<caf::actor> workers_;
  std::atomic<std::size_t> next_{0};
};

} // namespace

std::shared_ptr<api_executor> make_inline_executor() {
  return std::make_shared<inline_executor>();
}

std::shared_ptr<api_executor> make_detached_executor(caf::actor_system& sys, std::size_t workers) {
  return std::make_shared<detached_executor>(sys, workers);
}

} // namespace podvisor::actors::kube
