// The launcher actor with real threads and the fake libvirt connection: commands from
// other threads, events through the actor's mailbox, the grace timer, the outcome.
#include "actors/launcher/launcher.hpp"

#include <catch2/catch_test_macros.hpp>
#include <caf/actor_system.hpp>
#include <thread>

#include "actors/system/config.hpp"
#include "tests/fakes/fake_libvirt_connection.hpp"

using namespace podvisor;
using namespace podvisor::actors::launcher;
using namespace std::chrono_literals;
using fake = podvisor::fakes::fake_libvirt_connection;

namespace {

struct rig {
  actors::system_config cfg;
  caf::actor_system sys{cfg.set_scheduler_threads(2)};
  fake conn;
  bool daemon_alive = true;
  launcher_ref ref;

  explicit rig(std::chrono::seconds grace = 30s) {
    launcher_settings s;
    s.domain_name = "ns_vm";
    s.domain.xml = "<domain type='qemu'><name>ns_vm</name></domain>";
    s.grace_period = grace;
    s.tick = 20ms;
    s.qemu_log_tail = [] { return std::string("qemu: killed"); };
    s.daemon_alive = [this] { return daemon_alive; };
    ref = start_launcher(sys, conn, s);
    conn.set_callbacks({.on_domain_event = [this](const virt::domain_event& ev) { ref.domain_event(ev); },
                        .on_connection_lost = [this](const error& e) { ref.connection_lost(e); }});
  }

  // Waits for the phase with a deadline (the actor works on its own thread).
  bool reaches(vm_phase p, std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto s = ref.status(); s && s->phase == p)
        return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }
};

} // namespace

TEST_CASE("the launcher starts the domain and reports running with libvirt's statistics") {
  rig r;
  REQUIRE(r.reaches(vm_phase::running));
  auto s = r.ref.status();
  REQUIRE(s);
  REQUIRE(s->stats);
  CHECK(s->stats->qemu_pid == 4242);
  CHECK(s->domain_state.rfind("running", 0) == 0);
  r.ref.shutdown(0s);
  CHECK(r.ref.wait().exit_code == 0);
}

TEST_CASE("shutdown from another thread: the guest powers off, outcome succeeded, definition removed") {
  rig r;
  std::vector<vm_phase> seen;
  std::mutex m;
  r.ref.subscribe([&](const phase_change& c) {
    std::lock_guard lock(m);
    seen.push_back(c.phase);
  });
  REQUIRE(r.reaches(vm_phase::running));
  std::thread signal_thread([&] { r.ref.shutdown(); });
  signal_thread.join();
  REQUIRE(r.reaches(vm_phase::shutting_down));
  REQUIRE(r.conn.guest_powers_off("ns_vm"));
  auto out = r.ref.wait_for(10s);
  REQUIRE(out);
  CHECK(out->exit_code == 0);
  CHECK(out->phase == vm_phase::succeeded);
  CHECK(r.conn.count(fake::op::destroy) == 0);
  CHECK_FALSE(r.conn.state_of("ns_vm")); // undefined
  std::lock_guard lock(m);
  // The subscription may also have seen the start (it races with it); the end is fixed.
  REQUIRE(seen.size() >= 2);
  CHECK(std::vector(seen.end() - 2, seen.end()) == std::vector{vm_phase::shutting_down, vm_phase::succeeded});
}

TEST_CASE("a guest that ignores the power button is destroyed when the grace timer fires") {
  rig r(1s);
  REQUIRE(r.reaches(vm_phase::running));
  r.ref.shutdown();
  auto out = r.ref.wait_for(15s);
  REQUIRE(out);
  CHECK(out->exit_code == 0);
  CHECK(r.conn.count(fake::op::destroy) == 1);
  CHECK(out->reason.find("did not power off in time") != std::string::npos);
}

TEST_CASE("QEMU dying ends the launcher with exit code 1 and the reason") {
  rig r;
  REQUIRE(r.reaches(vm_phase::running));
  REQUIRE(r.conn.qemu_dies("ns_vm"));
  auto out = r.ref.wait_for(10s);
  REQUIRE(out);
  CHECK(out->exit_code == 1);
  CHECK(out->reason.find("QEMU stopped unexpectedly") != std::string::npos);
  CHECK(out->reason.find("qemu: killed") != std::string::npos);
}

TEST_CASE("pause and resume through the handle; wrong-phase requests return conflict") {
  rig r;
  REQUIRE(r.reaches(vm_phase::running));
  CHECK(r.ref.resume() == errc::conflict);
  REQUIRE(r.ref.pause().ok());
  REQUIRE(r.reaches(vm_phase::paused));
  REQUIRE(r.ref.resume().ok());
  REQUIRE(r.reaches(vm_phase::running));
  r.ref.shutdown(0s);
  CHECK(r.ref.wait().exit_code == 0);
}

TEST_CASE("a lost connection is re-opened on the next tick while the daemon lives") {
  rig r;
  REQUIRE(r.reaches(vm_phase::running));
  auto reconnects = r.conn.count(fake::op::reconnect);
  r.conn.lose_connection();
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (r.conn.count(fake::op::reconnect) == reconnects && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  CHECK(r.conn.count(fake::op::reconnect) > reconnects);
  REQUIRE(r.reaches(vm_phase::running));
  r.ref.shutdown(0s);
  CHECK(r.ref.wait().exit_code == 0);
}

TEST_CASE("a lost connection with the daemon gone fails the VM") {
  rig r;
  REQUIRE(r.reaches(vm_phase::running));
  r.daemon_alive = false;
  r.conn.lose_connection("end of file from the daemon");
  auto out = r.ref.wait_for(10s);
  REQUIRE(out);
  CHECK(out->exit_code == 1);
  CHECK(out->reason.find("libvirt daemon died") != std::string::npos);
}

TEST_CASE("a domain that cannot start ends the launcher at once") {
  fake conn;
  conn.fail_next(fake::op::define, error{errc::invalid_argument, "XML error: no memory"});
  actors::system_config cfg;
  caf::actor_system sys{cfg.set_scheduler_threads(2)};
  launcher_settings s;
  s.domain_name = "ns_vm";
  s.domain.xml = "<domain/>";
  auto ref = start_launcher(sys, conn, s);
  auto out = ref.wait_for(10s);
  REQUIRE(out);
  CHECK(out->exit_code == 1);
  CHECK(out->reason.find("no memory") != std::string::npos);
}
