#pragma once
// An in-memory libvirt `connection` for unit tests of whatever drives domains (the
// launcher's state handling): domains with libvirt's state transitions and events, a
// guest and a QEMU process the test moves by hand, failure injection per operation, a
// connection that can be lost, and a record of every call.
//
//   define  → shut_off               events: defined/added (defined/updated on redefine)
//   start   → running                        started/booted
//   shutdown: running stays running until the test calls guest_powers_off(name), or at
//             once with set_shutdown_immediate(true):
//           → shut_off                       shutdown/finished, stopped/shutdown (graceful)
//   qemu_dies(name, "failed"|"crashed")
//           → shut_off                       stopped/<reason> (not graceful)
//   destroy → shut_off                       stopped/destroyed (not graceful); ok when shut off
//   suspend / resume → paused / running      suspended/paused, resumed/unpaused
//   undefine → gone (a running domain becomes transient and goes when it stops)
//                                            undefined/removed
//
// Errors follow the real wrapper's classification: unknown domain → not_found, a start of
// a running domain or a shutdown of a stopped one → conflict, XML without <name> →
// invalid_argument.
//
// Threads: every member may be called from any thread. Events and the loss callback are
// delivered synchronously on the thread whose call caused them (the test's), after the
// fake's lock is released — deterministic, where the real one uses its own thread.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "virt/libvirt/connection.hpp"

namespace podvisor::fakes {

class fake_libvirt_connection final : public virt::connection {
public:
  /// The operations, for failure injection and the call record.
  enum class op {
    define,
    start,
    shutdown,
    destroy,
    undefine,
    suspend,
    resume,
    status,
    stats,
    list,
    capabilities,
    reconnect,
  };

  /// One recorded call: the operation and the domain it named (the XML's name for
  /// define, empty for list and reconnect), and what it returned.
  struct call {
    op what = op::list;
    std::string domain;
    errc result = errc::none;
  };

  explicit fake_libvirt_connection(virt::connection_callbacks cb = {});
  fake_libvirt_connection(const fake_libvirt_connection&) = delete;
  fake_libvirt_connection& operator=(const fake_libvirt_connection&) = delete;

  expected<std::string> define_domain(const std::string& xml) override;
  error start_domain(const std::string& name) override;
  error shutdown_domain(const std::string& name) override;
  error destroy_domain(const std::string& name) override;
  error undefine_domain(const std::string& name) override;
  error suspend_domain(const std::string& name) override;
  error resume_domain(const std::string& name) override;
  expected<virt::domain_status> status(const std::string& name) override;
  expected<virt::domain_stats> stats(const std::string& name) override;
  expected<std::vector<std::string>> list_domains() override;
  error load_domain_capabilities() override;
  bool alive() override;
  error reconnect() override;

  // -- test controls ---------------------------------------------------------------------

  /// Replaces the callbacks (a test may build the fake before the code under test).
  void set_callbacks(virt::connection_callbacks cb);
  /// The next `times` calls of `o` fail with `e` before doing anything.
  void fail_next(op o, error e, int times = 1);
  /// shutdown_domain powers the guest off at once (default: it waits for
  /// guest_powers_off, like a real guest that takes its time or ignores the button).
  void set_shutdown_immediate(bool immediate);
  /// The guest powers off (after a shutdown request or on its own): running or paused →
  /// shut_off with shutdown/finished and stopped/shutdown (graceful). False when the
  /// domain is not running.
  bool guest_powers_off(const std::string& name);
  /// QEMU dies under a running domain: stopped/<reason> ("failed" by default, or
  /// "crashed"), not graceful. False when the domain is not running.
  bool qemu_dies(const std::string& name, std::string reason = "failed");
  /// The daemon goes away: on_connection_lost fires (once), and every call but
  /// reconnect() returns unavailable until reconnect() succeeds. Domains survive.
  void lose_connection(std::string why = "the daemon closed the connection");
  /// Statistics stats() reports for a running domain (defaults: vcpus 1, memory 1 GiB,
  /// cpu time growing by 1 ms per call, pid 4242).
  void set_stats(const std::string& name, virt::domain_stats s);

  /// Every call so far, in order.
  std::vector<call> calls() const;
  /// Calls of `o` so far (failed ones included).
  std::size_t count(op o) const;
  /// Every event delivered so far, in order.
  std::vector<virt::domain_event> events() const;
  /// Waits until at least `n` events were delivered; false on timeout (for a fake driven
  /// from another thread).
  bool wait_for_events(std::size_t n, std::chrono::milliseconds timeout) const;
  /// The domain's state; nothing when it does not exist.
  std::optional<virt::domain_state> state_of(const std::string& name) const;
  /// The XML the domain was last defined with; empty when it does not exist.
  std::string xml_of(const std::string& name) const;

private:
  struct domain {
    std::string xml;
    virt::domain_state state = virt::domain_state::shut_off;
    std::string reason = "unknown";
    bool persistent = true;
    bool shutdown_requested = false;
    std::optional<virt::domain_stats> stats;
    std::uint64_t cpu_time_ns = 0;
  };

  using event_list = std::vector<virt::domain_event>;

  /// Records the call and returns an injected failure or unavailable when lost.
  error begin(std::unique_lock<std::mutex>& lock, op o, const std::string& name);
  void record(op o, const std::string& name, errc result);
  /// Moves a domain to shut_off with `detail`; removes it when transient.
  void stop_locked(const std::string& name, const std::string& detail, bool graceful, event_list& out);
  /// Delivers events with the lock released.
  void deliver(std::unique_lock<std::mutex>& lock, event_list out);
  template <class T>
  T finish(std::unique_lock<std::mutex>& lock, op o, const std::string& name, T result, event_list out = {});

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  virt::connection_callbacks cb_;
  std::map<std::string, domain> domains_;
  std::map<op, std::deque<error>> failures_;
  std::vector<call> calls_;
  std::vector<virt::domain_event> events_;
  bool shutdown_immediate_ = false;
  bool lost_ = false;
};

/// "define", "start", ... for messages.
std::string_view to_string(fake_libvirt_connection::op o);

} // namespace podvisor::fakes
