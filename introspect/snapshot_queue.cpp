#include "introspect/snapshot_queue.hpp"

namespace podvisor::introspect {

void snapshot_queue::push(const nlohmann::json& snapshot) {
  // Serialized outside the lock; invalid UTF-8 from the provider is replaced rather than
  // thrown about in the provider's thread.
  std::string line;
  if (!snapshot.is_null())
    line = snapshot.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  {
    std::lock_guard lock{mu_};
    if (finished_)
      return;
    if (snapshot.is_null()) {
      finished_ = true;
    } else {
      if (lines_.size() >= limit_) {
        lines_.pop_front();
        ++dropped_;
      }
      lines_.push_back(std::move(line));
    }
  }
  cv_.notify_all();
}

void snapshot_queue::close() {
  {
    std::lock_guard lock{mu_};
    finished_ = true;
    lines_.clear();
  }
  cv_.notify_all();
}

snapshot_queue::batch snapshot_queue::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock{mu_};
  cv_.wait_for(lock, timeout, [this] { return finished_ || !lines_.empty(); });
  batch out;
  out.lines.assign(std::make_move_iterator(lines_.begin()), std::make_move_iterator(lines_.end()));
  lines_.clear();
  out.finished = finished_;
  return out;
}

std::size_t snapshot_queue::dropped() const {
  std::lock_guard lock{mu_};
  return dropped_;
}

} // namespace podvisor::introspect
