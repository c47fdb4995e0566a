#include "actors/scheduler/scheduling_queue.hpp"

#include <algorithm>

namespace podvisor::actors::scheduler {

void scheduling_queue::make_active(const std::string& key, entry& e) {
  e.place = queue_place::active;
  order_.push_back(key);
}

bool scheduling_queue::add(const std::string& key) {
  auto& e = entries_[key];
  if (e.place != queue_place::none)
    return false;
  make_active(key, e);
  return true;
}

bool scheduling_queue::activate(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.place != queue_place::parked)
    return false;
  make_active(key, it->second);
  return true;
}

std::size_t scheduling_queue::activate_all() {
  std::size_t moved = 0;
  for (auto& [key, e] : entries_)
    if (e.place == queue_place::parked) {
      make_active(key, e);
      ++moved;
    }
  return moved;
}

bool scheduling_queue::backoff_expired(const std::string& key, std::uint64_t token) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.place != queue_place::parked || it->second.token != token)
    return false;
  make_active(key, it->second);
  return true;
}

std::optional<std::string> scheduling_queue::pop() {
  while (!order_.empty()) {
    auto key = std::move(order_.front());
    order_.pop_front();
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.place != queue_place::active)
      continue; // cannot happen while the invariant holds; harmless if it did
    it->second.place = queue_place::in_flight;
    return key;
  }
  return std::nullopt;
}

park_ticket scheduling_queue::park(const std::string& key) {
  auto& e = entries_[key];
  if (e.place == queue_place::active)
    std::erase(order_, key);
  e.place = queue_place::parked;
  e.token = ++next_token_;
  ++e.attempts;
  auto delay = backoff_.initial;
  for (std::uint32_t i = 1; i < e.attempts && delay < backoff_.max; ++i)
    delay *= 2;
  return {std::min(delay, backoff_.max), e.token};
}

void scheduling_queue::remove(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end())
    return;
  if (it->second.place == queue_place::active)
    std::erase(order_, key);
  entries_.erase(it);
}

queue_place scheduling_queue::place(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? queue_place::none : it->second.place;
}

std::uint32_t scheduling_queue::attempts(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : it->second.attempts;
}

std::size_t scheduling_queue::active_size() const {
  return static_cast<std::size_t>(
    std::count_if(entries_.begin(), entries_.end(), [](const auto& e) { return e.second.place == queue_place::active; }));
}

std::size_t scheduling_queue::parked_size() const {
  return static_cast<std::size_t>(
    std::count_if(entries_.begin(), entries_.end(), [](const auto& e) { return e.second.place == queue_place::parked; }));
}

std::size_t scheduling_queue::in_flight_size() const {
  return static_cast<std::size_t>(std::count_if(
    entries_.begin(), entries_.end(), [](const auto& e) { return e.second.place == queue_place::in_flight; }));
}

} // namespace podvisor::actors::scheduler
