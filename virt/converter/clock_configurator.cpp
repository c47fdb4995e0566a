#include "virt/converter/clock_configurator.hpp"

namespace podvisor::virt {
namespace {

template <class Timer>
void add_timer(std::vector<clock_timer>& timers, const char* name, const std::optional<Timer>& t,
               std::string tickpolicy = {}, std::string track = {}) {
  if (!t)
    return;
  timers.push_back({name, std::move(tickpolicy), t->enabled, std::move(track)});
}

} // namespace

void check_clock(const converter_input& in, conversion_problems& problems) {
  const auto& clock = in.vmi.spec.domain.clock;
  if (clock && clock->utc && clock->timezone)
    problems.invalid.emplace_back("spec.domain.clock: both utc and timezone");
}

void configure_clock(const converter_input& in, domain& d) {
  d.clock = domain_clock{};
  const auto& clock = in.vmi.spec.domain.clock;
  if (!clock)
    return;
  if (clock->timezone) {
    d.clock.offset = clock_offset::timezone;
    d.clock.timezone = *clock->timezone;
  } else if (clock->utc && clock->utc->offset_seconds) {
    d.clock.offset = clock_offset::variable;
    d.clock.adjustment = *clock->utc->offset_seconds;
  }
  if (!clock->timer)
    return;
  const auto& t = *clock->timer;
  // libvirt's order of timers does not matter to the guest; a fixed one keeps XML stable.
  add_timer(d.clock.timers, "hpet", t.hpet, t.hpet ? t.hpet->tick_policy.raw() : "");
  add_timer(d.clock.timers, "kvmclock", t.kvm);
  add_timer(d.clock.timers, "pit", t.pit, t.pit ? t.pit->tick_policy.raw() : "");
  add_timer(d.clock.timers, "rtc", t.rtc, t.rtc ? t.rtc->tick_policy.raw() : "", t.rtc ? t.rtc->track.raw() : "");
  add_timer(d.clock.timers, "hypervclock", t.hyperv);
}

} // namespace podvisor::virt
