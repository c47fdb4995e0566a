#pragma once
// Capped exponential backoff with jitter, for retries (reconcile requeues, reconnects,
// status-update conflicts). Semantics follow client-go's wait.Backoff and Envoy's
// JitteredExponentialBackOffStrategy: the nominal delay starts at `initial`, is
// multiplied by `factor` after every step and never exceeds `max`; jitter then spreads
// retries of many clients so they do not arrive in lockstep.
//
// Jitter is subtractive: the returned delay is uniform in [d * (1 - jitter), d] where d
// is the nominal delay. So `max` is a hard cap (client-go adds jitter on top and can
// exceed its cap), jitter = 0 is plain exponential backoff, and jitter = 1 is Envoy's
// "full jitter" (uniform in [0, d]).
//
//   backoff b{{.initial = 100ms, .max = 30s, .factor = 2, .jitter = 0.2}};
//   auto delay = b.next();   // ~80..100 ms, then ~160..200 ms, ... up to 24..30 s
//   b.reset();               // after a success

#include <chrono>
#include <cstdint>
#include <random>

#include "common/error.hpp"

namespace podvisor {

/// Parameters of a backoff sequence.
struct backoff_policy {
  /// First nominal delay; must be positive.
  std::chrono::nanoseconds initial = std::chrono::milliseconds{100};
  /// Upper bound for every delay; must be >= initial.
  std::chrono::nanoseconds max = std::chrono::seconds{30};
  /// Growth per step; must be >= 1 (1 gives a constant delay).
  double factor = 2.0;
  /// Fraction of the nominal delay that randomness may take away, in [0, 1].
  double jitter = 0.1;
};

/// Checks a policy (from flags or configuration); ok() when usable as given.
error validate(const backoff_policy& policy);

/// A backoff sequence: `next()` returns successive delays, `reset()` starts over. Not
/// thread-safe; each retrying actor or loop owns one.
class backoff {
public:
  using duration = std::chrono::nanoseconds;

  /// Seeds from std::random_device. An invalid policy is clamped to the nearest usable
  /// one (see `validate` to report it instead).
  explicit backoff(backoff_policy policy);
  /// Deterministic sequence for tests and reproducible runs.
  backoff(backoff_policy policy, std::uint64_t seed);

  /// The delay before the next attempt; advances the sequence.
  duration next();
  /// Starts again from `initial` (call after a success). Does not reseed.
  void reset();
  /// Delays handed out since construction or the last reset.
  std::uint32_t attempts() const { return attempts_; }
  /// The policy in use (after clamping).
  const backoff_policy& policy() const { return policy_; }

private:
  backoff_policy policy_;
  std::mt19937_64 engine_;
  double nominal_ns_; // next nominal delay, always within [initial, max]
  std::uint32_t attempts_ = 0;
};

} // namespace podvisor
