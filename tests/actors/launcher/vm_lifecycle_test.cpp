// The launcher's state handling driven by the fake libvirt connection: every path of the
// state diagram in actors/launcher/vm_lifecycle.hpp, deterministically.
#include "actors/launcher/vm_lifecycle.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/fakes/fake_libvirt_connection.hpp"

using namespace podvisor;
using namespace podvisor::actors::launcher;
using fake = podvisor::fakes::fake_libvirt_connection;

namespace {

const std::string xml = "<domain type='qemu'><name>ns_vm</name></domain>";

// A lifecycle wired to a fake, recording every reported phase.
struct rig {
  fake conn;
  std::vector<phase_change> reports;
  std::string qemu_log = "qemu-system-x86_64: terminating on signal 9";
  vm_lifecycle life{conn, "ns_vm", [this](const phase_change& c) { reports.push_back(c); },
                    [this] { return qemu_log; }};

  rig() {
    conn.set_callbacks({.on_domain_event = [this](const virt::domain_event& ev) { life.on_event(ev); },
                        .on_connection_lost = {}});
  }

  std::vector<vm_phase> phases() const {
    std::vector<vm_phase> out;
    for (const auto& r : reports)
      if (out.empty() || out.back() != r.phase)
        out.push_back(r.phase);
    return out;
  }
};

} // namespace

TEST_CASE("start defines and starts the domain; the started event makes it running") {
  rig r;
  REQUIRE(r.life.start(xml).ok());
  CHECK(r.life.phase() == vm_phase::running);
  CHECK(r.phases() == std::vector{vm_phase::starting, vm_phase::running});
  CHECK(r.conn.count(fake::op::define) == 1);
  CHECK(r.conn.count(fake::op::start) == 1);
  CHECK(r.life.exit_code() == -1);
  // Starting twice is refused and changes nothing.
  CHECK(r.life.start(xml) == errc::conflict);
  CHECK(r.conn.count(fake::op::start) == 1);
}

TEST_CASE("a define or start failure fails the VM with libvirt's reason and QEMU's log") {
  SECTION("define") {
    rig r;
    r.conn.fail_next(fake::op::define, error{errc::invalid_argument, "XML error: bad memory"});
    CHECK(r.life.start(xml) == errc::invalid_argument);
    CHECK(r.life.phase() == vm_phase::failed);
    CHECK(r.life.reason().find("bad memory") != std::string::npos);
    CHECK(r.conn.count(fake::op::start) == 0);
  }
  SECTION("start") {
    rig r;
    r.conn.fail_next(fake::op::start, error{errc::internal, "qemu unexpectedly closed the monitor"});
    CHECK(r.life.start(xml) == errc::internal);
    CHECK(r.life.phase() == vm_phase::failed);
    CHECK(r.life.reason().find("closed the monitor") != std::string::npos);
    CHECK(r.life.reason().find("terminating on signal 9") != std::string::npos);
    CHECK(r.life.exit_code() == 1);
  }
}

TEST_CASE("graceful shutdown: power button, the guest powers off within the grace period") {
  rig r;
  REQUIRE(r.life.start(xml).ok());
  REQUIRE(r.life.request_shutdown().ok());
  CHECK(r.life.phase() == vm_phase::shutting_down);
  CHECK(r.conn.count(fake::op::shutdown) == 1);
  CHECK(r.conn.state_of("ns_vm") == virt::domain_state::running);
  // A second request (SIGTERM twice, or a command after the signal) does not press again.
  REQUIRE(r.life.request_shutdown().ok());
  CHECK(r.conn.count(fake::op::shutdown) == 1);

  REQUIRE(r.conn.guest_powers_off("ns_vm"));
  CHECK(r.life.phase() == vm_phase::succeeded);
  CHECK(r.life.reason() == "guest powered off after the shutdown request");
  CHECK(r.life.exit_code() == 0);
  // The grace timer firing late changes nothing and destroys nothing.
  r.life.grace_expired();
  CHECK(r.conn.count(fake::op::destroy) == 0);
  CHECK(r.phases() == std::vector{vm_phase::starting, vm_phase::running, vm_phase::shutting_down, vm_phase::succeeded});
}

TEST_CASE("a guest that ignores the power button is destroyed when the grace period ends, still a success") {
  rig r;
  REQUIRE(r.life.start(xml).ok());
  REQUIRE(r.life.request_shutdown().ok());
  r.life.grace_expired();
  CHECK(r.conn.count(fake::op::destroy) == 1);
  CHECK(r.conn.state_of("ns_vm") == virt::domain_state::shut_off);
  CHECK(r.life.phase() == vm_phase::succeeded);
  CHECK(r.life.reason().find("did not power off in time") != std::string::npos);
  CHECK(r.life.exit_code() == 0);
}

TEST_CASE("QEMU dying unasked fails the VM with the reason and the tail of QEMU's log") {
  rig r;
  REQUIRE(r.life.start(xml).ok());
  REQUIRE(r.conn.qemu_dies("ns_vm", "failed"));
  CHECK(r.life.phase() == vm_phase::failed);
  CHECK(r.life.reason().find("QEMU stopped unexpectedly (failed)") != std::string::npos);
  CHECK(r.life.reason().find("terminating on signal 9") != std::string::npos);
  CHECK(r.life.exit_code() == 1);
  // The outcome is final: a later shutdown request neither changes it nor calls libvirt.
  REQUIRE(r.life.request_shutdown().ok());
  CHECK(r.life.phase() == vm_phase::failed);
  CHECK(r.conn.count(fake::op::shutdown) == 0);
}

TEST_CASE("QEMU dying during a shutdown we asked for is still a failure") {
  rig r;
  REQUIRE(r.life.start(xml).ok());
  REQUIRE(r.life.request_shutdown().ok());
  REQUIRE(r.conn.qemu_dies("ns_vm", "crashed"));
  CHECK(r.life.phase() == vm_phase::failed);
}

TEST_CASE("the guest powering off on its own is a success") {
  rig r;
  REQUIRE(r.life.start(xml).ok());
  REQUIRE(r.conn.guest_powers_off("ns_vm"));
  CHECK(r.life.phase() == vm_phase::succeeded);
  CHECK(r.life.reason() == "guest powered off on its own");
}

TEST_CASE("pause and resume follow libvirt's events; wrong-phase requests are refused") {
  rig r;
  CHECK(r.life.pause() == errc::conflict);
  REQUIRE(r.life.start(xml).ok());
  CHECK(r.life.resume() == errc::conflict);
  REQUIRE(r.life.pause().ok());
  CHECK(r.life.phase() == vm_phase::paused);
  REQUIRE(r.life.resume().ok());
  CHECK(r.life.phase() == vm_phase::running);
  // A shutdown of a paused guest cannot use the power button: destroy at once.
  REQUIRE(r.life.pause().ok());
  REQUIRE(r.life.request_shutdown().ok());
  CHECK(r.conn.count(fake::op::shutdown) == 0);
  CHECK(r.conn.count(fake::op::destroy) == 1);
  CHECK(r.life.phase() == vm_phase::succeeded);
}

TEST_CASE("a shutdown before start ends without touching libvirt") {
  rig r;
  REQUIRE(r.life.request_shutdown().ok());
  CHECK(r.life.phase() == vm_phase::succeeded);
  CHECK(r.conn.calls().empty());
}

TEST_CASE("events about other domains are ignored") {
  rig r;
  REQUIRE(r.life.start(xml).ok());
  r.life.on_event({.what = virt::domain_event::kind::stopped, .domain = "other", .detail = "failed", .graceful = false});
  CHECK(r.life.phase() == vm_phase::running);
}

TEST_CASE("a lost connection: with the daemon alive, resync catches up on what was missed") {
  rig r;
  REQUIRE(r.life.start(xml).ok());
  r.conn.lose_connection();
  r.life.on_connection_lost(error{errc::unavailable, "closed"}, true);
  CHECK(r.life.phase() == vm_phase::running);
  CHECK(r.life.pause() != errc::none); // calls fail while the connection is down
  REQUIRE(r.conn.reconnect().ok());
  r.life.resync();
  CHECK(r.life.phase() == vm_phase::running);
}

TEST_CASE("a lost connection with the daemon dead fails the VM") {
  rig r;
  REQUIRE(r.life.start(xml).ok());
  r.conn.lose_connection();
  r.life.on_connection_lost(error{errc::unavailable, "end of file while reading data"}, false);
  CHECK(r.life.phase() == vm_phase::failed);
  CHECK(r.life.reason().find("libvirt daemon died") != std::string::npos);
}

TEST_CASE("resync after a reconnect sees a guest that powered off meanwhile") {
  rig r;
  REQUIRE(r.life.start(xml).ok());
  // Events are lost while disconnected: deliver nothing, change the state underneath.
  r.conn.set_callbacks({});
  REQUIRE(r.conn.guest_powers_off("ns_vm"));
  r.life.resync();
  CHECK(r.life.phase() == vm_phase::succeeded);
}

TEST_CASE("abandon before start fails the VM with the reason and touches no domain; after start it does nothing") {
  rig r;
  r.life.abandon("the node agent did not start the VM within 5 s");
  CHECK(r.life.phase() == vm_phase::failed);
  CHECK(r.life.reason() == "the node agent did not start the VM within 5 s");
  CHECK(r.life.exit_code() == 1);
  CHECK(r.conn.calls().empty());
  CHECK(r.life.start(xml) == errc::conflict);

  rig started;
  REQUIRE(started.life.start(xml).ok());
  started.life.abandon("too late");
  CHECK(started.life.phase() == vm_phase::running);
}
