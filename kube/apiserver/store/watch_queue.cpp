#include "kube/apiserver/store/watch_queue.hpp"

namespace podvisor::kube::apiserver::detail {

watch_queue::watch_queue(watch_filter filter, std::vector<event_ptr> backlog, std::size_t capacity)
  : filter_(std::move(filter)), capacity_(capacity), backlog_(std::move(backlog)) {}

watch_queue::offered watch_queue::offer(const event_ptr& event) {
  // The filter is immutable: check it before taking the lock.
  if (event->rv <= filter_.min_rv)
    return offered::skipped;
  if (filter_.namespace_ && event->key.namespace_ != *filter_.namespace_)
    return offered::skipped;
  std::lock_guard lock(mu_);
  if (state_ != state::open)
    return offered::dead;
  if (queue_.size() >= capacity_) {
    state_ = state::terminated;
    reason_ = "watcher fell too far behind: " + std::to_string(queue_.size()) +
              " events unread at resourceVersion " + std::to_string(event->rv) +
              "; re-watch from the last resourceVersion received";
    queue_ = {};
    backlog_ = {};
    backlog_pos_ = 0;
  } else {
    queue_.push_back(event);
  }
  // A consumer that is busy will find the event without a wake-up syscall.
  return waiters_ > 0 ? offered::wake : offered::queued;
}

void watch_queue::wake() {
  cv_.notify_all();
}

watch_next watch_queue::next(std::chrono::steady_clock::duration timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  for (;;) {
    if (state_ == state::terminated)
      return {watch_status::terminated, nullptr, reason_};
    if (backlog_pos_ < backlog_.size()) {
      auto event = std::move(backlog_[backlog_pos_++]);
      if (backlog_pos_ == backlog_.size()) {
        backlog_ = {}; // free the replay as soon as it has been read
        backlog_pos_ = 0;
      }
      return {watch_status::event, std::move(event), {}};
    }
    if (!queue_.empty()) {
      auto event = std::move(queue_.front());
      queue_.pop_front();
      return {watch_status::event, std::move(event), {}};
    }
    if (state_ == state::closed)
      return {watch_status::closed, nullptr, reason_};
    ++waiters_;
    auto woke = cv_.wait_until(lock, deadline);
    --waiters_;
    if (woke == std::cv_status::timeout && state_ == state::open && queue_.empty())
      return {watch_status::timeout, nullptr, {}};
  }
}

void watch_queue::close() {
  {
    std::lock_guard lock(mu_);
    if (state_ != state::open)
      return;
    state_ = state::closed;
    reason_ = "closed";
    queue_ = {};
    backlog_ = {};
    backlog_pos_ = 0;
  }
  cv_.notify_all();
}

void watch_queue::finish(std::string reason) {
  {
    std::lock_guard lock(mu_);
    if (state_ != state::open)
      return;
    state_ = state::closed;
    reason_ = std::move(reason);
  }
  cv_.notify_all();
}

bool watch_queue::done() const {
  std::lock_guard lock(mu_);
  return state_ != state::open;
}

} // namespace podvisor::kube::apiserver::detail
