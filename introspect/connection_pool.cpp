#include "introspect/connection_pool.hpp"

namespace podvisor::introspect::detail {

namespace {
thread_local bool refusing_connection = false;
} // namespace

connection_pool::connection_pool(std::size_t workers, std::size_t max_pending)
  : max_pending_(max_pending), workers_(workers) {
  for (std::size_t i = 0; i < workers; ++i)
    threads_.emplace_back([this] { work(false); });
  threads_.emplace_back([this] { work(true); });
}

connection_pool::~connection_pool() {
  shutdown();
}

bool connection_pool::refusing() {
  return refusing_connection;
}

void connection_pool::enqueue(std::function<void()> fn) {
  {
    std::lock_guard lock{mu_};
    // Free workers will take the first queued connections; beyond those, max_pending
    // may wait. Counted from busy workers, not waiting ones, so that connections arriving
    // before the threads first wait are not refused.
    if (pending_.size() < max_pending_ + (workers_ - busy_))
      pending_.push_back(std::move(fn));
    else
      overflow_.push_back(std::move(fn));
  }
  cv_.notify_all();
}

void connection_pool::shutdown() {
  {
    std::lock_guard lock{mu_};
    if (stopping_ && threads_.empty())
      return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
  threads_.clear();
}

void connection_pool::work(bool overflow) {
  refusing_connection = overflow;
  auto& queue = overflow ? overflow_ : pending_;
  while (true) {
    std::function<void()> fn;
    {
      std::unique_lock lock{mu_};
      cv_.wait(lock, [&] { return stopping_ || !queue.empty(); });
      if (queue.empty())
        return; // stopping, nothing left
      fn = std::move(queue.front());
      queue.pop_front();
      if (!overflow)
        ++busy_;
    }
    fn();
    if (!overflow) {
      std::lock_guard lock{mu_};
      --busy_;
    }
  }
}

} // namespace podvisor::introspect::detail
