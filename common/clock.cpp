#include "common/clock.hpp"

namespace podvisor {

namespace {

std::int64_t to_ns(clock::wall_time t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

} // namespace

const real_clock& real_clock::instance() {
  static const real_clock instance;
  return instance;
}

manual_clock::manual_clock(wall_time wall_start) : wall_ns_(to_ns(wall_start)) {}

clock::steady_time manual_clock::now() const {
  return steady_time{std::chrono::duration_cast<steady_time::duration>(
    std::chrono::nanoseconds{steady_ns_.load(std::memory_order_acquire)})};
}

clock::wall_time manual_clock::wall_now() const {
  return wall_time{std::chrono::duration_cast<wall_time::duration>(
    std::chrono::nanoseconds{wall_ns_.load(std::memory_order_acquire)})};
}

void manual_clock::advance(duration d) {
  if (d.count() <= 0)
    return;
  steady_ns_.fetch_add(d.count(), std::memory_order_acq_rel);
  wall_ns_.fetch_add(d.count(), std::memory_order_acq_rel);
}

void manual_clock::set_wall(wall_time t) {
  wall_ns_.store(to_ns(t), std::memory_order_release);
}

clock::wall_time manual_clock::default_wall_start() {
  using namespace std::chrono;
  return sys_days{year{2024} / January / 1};
}

} // namespace podvisor
