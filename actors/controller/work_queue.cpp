#include "actors/controller/work_queue.hpp"

#include <algorithm>
#include <cmath>

namespace podvisor::actors::controller {

work_queue::work_queue(const podvisor::clock& clock, rate_limit_policy policy) : clock_(clock), policy_(policy) {
  if (policy_.base <= duration::zero())
    policy_.base = std::chrono::milliseconds{5};
  if (policy_.max < policy_.base)
    policy_.max = policy_.base;
}

void work_queue::add(const std::string& key) {
  if (dirty_.count(key) > 0)
    return; // already queued, or marked for re-queue at done()
  dirty_.insert(key);
  if (processing_.count(key) > 0)
    return; // done() queues it again
  queue_.push_back(key);
}

void work_queue::add_after(const std::string& key, duration delay) {
  if (delay <= duration::zero()) {
    add(key);
    return;
  }
  auto ready_at = clock_.now() + delay;
  if (auto it = waiting_.find(key); it != waiting_.end()) {
    if (it->second <= ready_at)
      return; // the earlier time wins
    auto range = waiting_by_time_.equal_range(it->second);
    for (auto i = range.first; i != range.second; ++i) {
      if (i->second == key) {
        waiting_by_time_.erase(i);
        break;
      }
    }
    it->second = ready_at;
  } else {
    waiting_.emplace(key, ready_at);
  }
  waiting_by_time_.emplace(ready_at, key);
}

work_queue::duration work_queue::next_backoff(const std::string& key) const {
  auto it = failures_.find(key);
  std::size_t n = it == failures_.end() ? 0 : it->second;
  // base * 2^n in floating point, so that large n cannot overflow before the cap.
  double ns = static_cast<double>(policy_.base.count()) * std::pow(2.0, static_cast<double>(std::min<std::size_t>(n, 200)));
  double cap = static_cast<double>(policy_.max.count());
  if (ns >= cap)
    return policy_.max;
  return duration{static_cast<duration::rep>(ns)};
}

work_queue::duration work_queue::add_rate_limited(const std::string& key) {
  auto delay = next_backoff(key);
  ++failures_[key];
  add_after(key, delay);
  return delay;
}

void work_queue::forget(const std::string& key) { failures_.erase(key); }

std::size_t work_queue::failures(const std::string& key) const {
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void work_queue::promote_due() {
  auto now = clock_.now();
  while (!waiting_by_time_.empty() && waiting_by_time_.begin()->first <= now) {
    auto key = waiting_by_time_.begin()->second;
    waiting_by_time_.erase(waiting_by_time_.begin());
    waiting_.erase(key);
    add(key);
  }
}

std::optional<std::string> work_queue::get() {
  promote_due();
  if (queue_.empty())
    return std::nullopt;
  auto key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

void work_queue::done(const std::string& key) {
  if (processing_.erase(key) == 0)
    return;
  if (dirty_.count(key) > 0)
    queue_.push_back(key);
}

std::optional<work_queue::steady_time> work_queue::next_deadline() const {
  if (waiting_by_time_.empty())
    return std::nullopt;
  return waiting_by_time_.begin()->first;
}

} // namespace podvisor::actors::controller
