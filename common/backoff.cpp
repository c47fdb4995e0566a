#include "common/backoff.hpp"

#include <algorithm>
#include <cmath>

#include "common/format.hpp"

namespace podvisor {

namespace {

backoff_policy clamp(backoff_policy p) {
  if (p.initial.count() <= 0)
    p.initial = std::chrono::nanoseconds{1};
  if (p.max < p.initial)
    p.max = p.initial;
  if (!(p.factor >= 1.0)) // also catches NaN
    p.factor = 1.0;
  if (!(p.jitter >= 0.0))
    p.jitter = 0.0;
  p.jitter = std::min(p.jitter, 1.0);
  return p;
}

// Uniform in [0, 1) from the top 53 bits, so a seed gives the same sequence with any
// standard library (std::uniform_real_distribution is implementation-defined).
double unit(std::mt19937_64& engine) {
  return static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

} // namespace

error validate(const backoff_policy& p) {
  if (p.initial.count() <= 0)
    return {errc::invalid_argument, podvisor::format("backoff initial delay must be positive, got {} ns", p.initial.count())};
  if (p.max < p.initial)
    return {errc::invalid_argument, podvisor::format("backoff max ({} ns) is below initial ({} ns)", p.max.count(), p.initial.count())};
  if (!(p.factor >= 1.0) || !std::isfinite(p.factor))
    return {errc::invalid_argument, podvisor::format("backoff factor must be a finite number >= 1, got {}", p.factor)};
  if (!(p.jitter >= 0.0 && p.jitter <= 1.0))
    return {errc::invalid_argument, podvisor::format("backoff jitter must be within [0, 1], got {}", p.jitter)};
  return {};
}

backoff::backoff(backoff_policy policy) : backoff(policy, std::random_device{}()) {}

backoff::backoff(backoff_policy policy, std::uint64_t seed)
    : policy_(clamp(policy)), engine_(seed), nominal_ns_(static_cast<double>(policy_.initial.count())) {}

backoff::duration backoff::next() {
  double nominal = nominal_ns_;
  double max_ns = static_cast<double>(policy_.max.count());
  // Grow for the following call; clamping every step keeps the double far from overflow.
  nominal_ns_ = std::min(nominal_ns_ * policy_.factor, max_ns);
  if (attempts_ < UINT32_MAX)
    ++attempts_;
  double delay = nominal;
  if (policy_.jitter > 0.0)
    delay -= nominal * policy_.jitter * unit(engine_);
  delay = std::clamp(delay, 0.0, max_ns);
  return duration{static_cast<duration::rep>(delay)};
}

void backoff::reset() {
  nominal_ns_ = static_cast<double>(policy_.initial.count());
  attempts_ = 0;
}

} // namespace podvisor
