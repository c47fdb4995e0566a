#pragma once
// Time as an injected dependency, so that timeouts, backoff and timestamps are testable
// without sleeping (Envoy's TimeSource). Production code takes a `const clock&` and
// gets `real_clock::instance()`; tests pass a `manual_clock` and move it forward.
// Under `using namespace podvisor`, plain `clock` is ambiguous with ::clock() from
// <ctime>: write `podvisor::clock` there.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace podvisor {

/// A source of time: a monotonic clock for durations and deadlines, a wall clock for
/// timestamps that people and the Kubernetes API read.
class clock {
public:
  using steady_time = std::chrono::steady_clock::time_point;
  using wall_time = std::chrono::system_clock::time_point;
  using duration = std::chrono::nanoseconds;

  virtual ~clock() = default;

  /// Monotonic time: never jumps backwards; meaningful only as differences.
  virtual steady_time now() const = 0;
  /// Calendar time (UTC); may jump when the host's clock is set.
  virtual wall_time wall_now() const = 0;
};

/// The host's clocks.
class real_clock final : public clock {
public:
  steady_time now() const override { return std::chrono::steady_clock::now(); }
  wall_time wall_now() const override { return std::chrono::system_clock::now(); }

  /// A process-wide instance (stateless, so sharing it is safe).
  static const real_clock& instance();
};

/// A clock that moves only when told to. Both times advance together; safe to read from
/// other threads while a test advances it.
class manual_clock final : public clock {
public:
  /// Starts at steady time zero and at `wall_start` (2024-01-01T00:00:00Z by default, a
  /// fixed instant so that formatted timestamps in tests are stable).
  explicit manual_clock(wall_time wall_start = default_wall_start());

  steady_time now() const override;
  wall_time wall_now() const override;

  /// Moves both clocks forward by `d` (negative durations are ignored: steady time
  /// must not go back).
  void advance(duration d);
  /// Sets the wall clock only, as an NTP step would; steady time is unaffected.
  void set_wall(wall_time t);

  /// 2024-01-01T00:00:00Z.
  static wall_time default_wall_start();

private:
  std::atomic<std::int64_t> steady_ns_{0};
  std::atomic<std::int64_t> wall_ns_;
};

} // namespace podvisor
