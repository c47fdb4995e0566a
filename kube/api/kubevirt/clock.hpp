#pragma once
// kubevirt.io/v1 Clock: the guest's clock offset (UTC or a time zone) and its timers.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "kube/api/codec.hpp"
#include "kube/api/enum_table.hpp"

namespace podvisor::kube::api {

/// HPETTickPolicy: what QEMU does with HPET ticks it could not deliver in time.
enum class hpet_tick_policy { delay, catchup, merge, discard };

template <>
struct enum_table<hpet_tick_policy> {
  static constexpr std::array entries = {
    enum_entry{hpet_tick_policy::delay, "delay"},
    enum_entry{hpet_tick_policy::catchup, "catchup"},
    enum_entry{hpet_tick_policy::merge, "merge"},
    enum_entry{hpet_tick_policy::discard, "discard"},
  };
};

/// PITTickPolicy: what QEMU does with PIT ticks it could not deliver in time.
enum class pit_tick_policy { delay, catchup, discard };

template <>
struct enum_table<pit_tick_policy> {
  static constexpr std::array entries = {
    enum_entry{pit_tick_policy::delay, "delay"},
    enum_entry{pit_tick_policy::catchup, "catchup"},
    enum_entry{pit_tick_policy::discard, "discard"},
  };
};

/// RTCTickPolicy: what QEMU does with RTC ticks it could not deliver in time.
enum class rtc_tick_policy { delay, catchup };

template <>
struct enum_table<rtc_tick_policy> {
  static constexpr std::array entries = {
    enum_entry{rtc_tick_policy::delay, "delay"},
    enum_entry{rtc_tick_policy::catchup, "catchup"},
  };
};

/// RTCTimerTrack: the time source the RTC follows.
enum class rtc_timer_track { guest, wall };

template <>
struct enum_table<rtc_timer_track> {
  static constexpr std::array entries = {
    enum_entry{rtc_timer_track::guest, "guest"},
    enum_entry{rtc_timer_track::wall, "wall"},
  };
};

/// RTCTimer.
struct rtc_timer {
  enum_field<rtc_tick_policy> tick_policy;
  std::optional<bool> enabled; ///< JSON "present"
  enum_field<rtc_timer_track> track;
  unknown_fields unknown;
  bool operator==(const rtc_timer&) const = default;
};

template <class F>
void describe(F& f, rtc_timer& x) {
  f("tickPolicy", x.tick_policy, {.doc = "delay or catchup."});
  f("present", x.enabled, {.doc = "false keeps the machine type from adding the timer; defaults to true."});
  f("track", x.track, {.doc = "Follow guest or wall clock time."});
}

/// HPETTimer.
struct hpet_timer {
  enum_field<hpet_tick_policy> tick_policy;
  std::optional<bool> enabled; ///< JSON "present"
  unknown_fields unknown;
  bool operator==(const hpet_timer&) const = default;
};

template <class F>
void describe(F& f, hpet_timer& x) {
  f("tickPolicy", x.tick_policy, {.doc = "delay, catchup, merge or discard."});
  f("present", x.enabled, {.doc = "false keeps the machine type from adding the timer; defaults to true."});
}

/// PITTimer.
struct pit_timer {
  enum_field<pit_tick_policy> tick_policy;
  std::optional<bool> enabled; ///< JSON "present"
  unknown_fields unknown;
  bool operator==(const pit_timer&) const = default;
};

template <class F>
void describe(F& f, pit_timer& x) {
  f("tickPolicy", x.tick_policy, {.doc = "delay, catchup or discard."});
  f("present", x.enabled, {.doc = "false keeps the machine type from adding the timer; defaults to true."});
}

/// KVMTimer and HypervTimer: paravirtual clocks that are only switched on or off.
struct present_timer {
  std::optional<bool> enabled; ///< JSON "present"
  unknown_fields unknown;
  bool operator==(const present_timer&) const = default;
};

template <class F>
void describe(F& f, present_timer& x) {
  f("present", x.enabled, {.doc = "false keeps the machine type from adding the timer; defaults to true."});
}

/// Timer: the timers attached to the guest.
struct clock_timer {
  std::optional<hpet_timer> hpet;
  std::optional<present_timer> kvm;
  std::optional<pit_timer> pit;
  std::optional<rtc_timer> rtc;
  std::optional<present_timer> hyperv;
  unknown_fields unknown;
  bool operator==(const clock_timer&) const = default;
};

template <class F>
void describe(F& f, clock_timer& x) {
  f("hpet", x.hpet, {.doc = "High Precision Event Timer."});
  f("kvm", x.kvm, {.doc = "KVM paravirtual clock (Linux guests)."});
  f("pit", x.pit, {.doc = "Programmable Interval Timer."});
  f("rtc", x.rtc, {.doc = "Real Time Clock."});
  f("hyperv", x.hyperv, {.doc = "Hyper-V paravirtual clock (Windows guests)."});
}

/// ClockOffsetUTC: the guest clock starts at UTC, optionally shifted.
struct clock_offset_utc {
  std::optional<std::int32_t> offset_seconds;
  unknown_fields unknown;
  bool operator==(const clock_offset_utc&) const = default;
};

template <class F>
void describe(F& f, clock_offset_utc& x) {
  f("offsetSeconds", x.offset_seconds, {.doc = "Offset from UTC; guest changes to the clock then survive reboots."});
}

/// Clock: at most one of utc/timezone, plus timers.
struct domain_clock {
  std::optional<clock_offset_utc> utc;
  std::optional<std::string> timezone;
  std::optional<clock_timer> timer;
  unknown_fields unknown;
  bool operator==(const domain_clock&) const = default;
};

template <class F>
void describe(F& f, domain_clock& x) {
  f("utc", x.utc, {.doc = "Start the guest clock at UTC."});
  f("timezone", x.timezone, {.doc = "Start the guest clock in this time zone, e.g. America/New_York."});
  f("timer", x.timer, {.doc = "Timers attached to the guest."});
}

} // namespace podvisor::kube::api
