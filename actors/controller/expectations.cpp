#include "actors/controller/expectations.hpp"

namespace podvisor::actors::controller {

expectations::expectations(const podvisor::clock& clock, duration ttl) : clock_(clock), ttl_(ttl) {}

void expectations::expect(const std::string& key, std::int64_t adds, std::int64_t dels) {
  std::lock_guard lock(mutex_);
  records_[key] = record{adds, dels, clock_.now()};
}

void expectations::raise(const std::string& key, std::int64_t adds, std::int64_t dels) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = records_.try_emplace(key, record{0, 0, clock_.now()});
  it->second.adds += adds;
  it->second.dels += dels;
  if (!inserted)
    it->second.since = clock_.now(); // a fresh expectation restarts the timeout
}

void expectations::creation_observed(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto it = records_.find(key); it != records_.end())
    --it->second.adds;
}

void expectations::deletion_observed(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto it = records_.find(key); it != records_.end())
    --it->second.dels;
}

bool expectations::expired(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = records_.find(key);
  return it != records_.end() && clock_.now() - it->second.since > ttl_;
}

bool expectations::satisfied(const std::string& key) const {
  std::lock_guard lock(mutex_);
  return satisfied_locked(key);
}

bool expectations::satisfied_locked(const std::string& key) const {
  auto it = records_.find(key);
  if (it == records_.end())
    return true;
  if (it->second.adds <= 0 && it->second.dels <= 0)
    return true;
  return clock_.now() - it->second.since > ttl_;
}

void expectations::remove(const std::string& key) {
  std::lock_guard lock(mutex_); records_.erase(key); }

std::int64_t expectations::pending_creations(const std::string& key) const {
  auto it = records_.find(key);
  return it == records_.end() ? 0 : it->second.adds;
}

std::int64_t expectations::pending_deletions(const std::string& key) const {
  auto it = records_.find(key);
  return it == records_.end() ? 0 : it->second.dels;
}

std::size_t expectations::size() const {
  std::lock_guard lock(mutex_);
  return records_.size();
}

} // namespace podvisor::actors::controller
