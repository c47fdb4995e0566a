#include "tests/fakes/fake_libvirt_connection.hpp"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

namespace podvisor::fakes {

namespace {

using virt::domain_event;
using virt::domain_state;
using kind = domain_event::kind;
using op = fake_libvirt_connection::op;

const std::string xml = "<domain type='kvm'><name>default_vm</name><memory>1024</memory></domain>";
const std::string name = "default_vm";

/// A fake whose callbacks collect what they are given.
struct fixture {
  std::vector<domain_event> seen;
  std::vector<error> losses;
  fake_libvirt_connection conn{{
      .on_domain_event = [this](const domain_event& e) { seen.push_back(e); },
      .on_connection_lost = [this](const error& e) { losses.push_back(e); },
  }};

  void define_and_start() {
    REQUIRE(conn.define_domain(xml).value() == name);
    REQUIRE(conn.start_domain(name).ok());
    seen.clear();
  }
};

} // namespace

TEST_CASE("fake: define, start and a guest that powers off on request", "[virt][libvirt][fake]") {
  fixture f;
  auto defined = f.conn.define_domain(xml);
  REQUIRE(defined.has_value());
  CHECK(*defined == name);
  CHECK(f.conn.state_of(name) == domain_state::shut_off);
  CHECK(f.conn.xml_of(name) == xml);
  REQUIRE(f.conn.start_domain(name).ok());
  CHECK(f.conn.status(name)->state == domain_state::running);
  CHECK(f.conn.status(name)->reason == "booted");

  // The request returns at once; the guest takes its time.
  REQUIRE(f.conn.shutdown_domain(name).ok());
  CHECK(f.conn.state_of(name) == domain_state::running);
  REQUIRE(f.conn.guest_powers_off(name));
  CHECK(f.conn.state_of(name) == domain_state::shut_off);
  CHECK(f.conn.status(name)->reason == "shutdown");

  REQUIRE(f.seen.size() == 4);
  CHECK(f.seen[0].what == kind::defined);
  CHECK(f.seen[0].detail == "added");
  CHECK(f.seen[1].what == kind::started);
  CHECK(f.seen[1].detail == "booted");
  CHECK(f.seen[2].what == kind::shutdown);
  CHECK(f.seen[3].what == kind::stopped);
  CHECK(f.seen[3].detail == "shutdown");
  CHECK(f.seen[3].graceful);
  CHECK(f.conn.events().size() == 4);
}

TEST_CASE("fake: shutdown can complete immediately", "[virt][libvirt][fake]") {
  fixture f;
  f.define_and_start();
  f.conn.set_shutdown_immediate(true);
  REQUIRE(f.conn.shutdown_domain(name).ok());
  CHECK(f.conn.state_of(name) == domain_state::shut_off);
  REQUIRE(f.seen.size() == 2);
  CHECK(f.seen[1].what == kind::stopped);
  CHECK(f.seen[1].graceful);
}

TEST_CASE("fake: QEMU dying and destroy are not graceful", "[virt][libvirt][fake]") {
  fixture f;
  f.define_and_start();
  REQUIRE(f.conn.qemu_dies(name));
  REQUIRE(f.seen.size() == 1);
  CHECK(f.seen[0].what == kind::stopped);
  CHECK(f.seen[0].detail == "failed");
  CHECK_FALSE(f.seen[0].graceful);
  CHECK(f.conn.status(name)->reason == "failed");
  CHECK_FALSE(f.conn.qemu_dies(name)); // not running any more

  REQUIRE(f.conn.start_domain(name).ok());
  REQUIRE(f.conn.destroy_domain(name).ok());
  CHECK(f.seen.back().detail == "destroyed");
  CHECK_FALSE(f.seen.back().graceful);
  // Destroying a shut-off domain is fine and says nothing.
  auto before = f.seen.size();
  CHECK(f.conn.destroy_domain(name).ok());
  CHECK(f.seen.size() == before);

  REQUIRE(f.conn.start_domain(name).ok());
  REQUIRE(f.conn.qemu_dies(name, "crashed"));
  CHECK(f.seen.back().detail == "crashed");
}

TEST_CASE("fake: libvirt's errors for impossible transitions", "[virt][libvirt][fake]") {
  fixture f;
  CHECK(f.conn.start_domain("nope") == errc::not_found);
  CHECK(f.conn.status("nope").error() == errc::not_found);
  CHECK(f.conn.destroy_domain("nope") == errc::not_found);
  CHECK(f.conn.undefine_domain("nope").ok());
  CHECK(f.conn.define_domain("<domain/>").error() == errc::invalid_argument);
  REQUIRE(f.conn.define_domain(xml).has_value());
  CHECK(f.conn.shutdown_domain(name) == errc::conflict);
  CHECK(f.conn.resume_domain(name) == errc::conflict);
  REQUIRE(f.conn.start_domain(name).ok());
  CHECK(f.conn.start_domain(name) == errc::conflict);
}

TEST_CASE("fake: suspend, resume, stats, list and undefine", "[virt][libvirt][fake]") {
  fixture f;
  f.define_and_start();
  REQUIRE(f.conn.suspend_domain(name).ok());
  CHECK(f.conn.state_of(name) == domain_state::paused);
  REQUIRE(f.conn.resume_domain(name).ok());
  CHECK(f.conn.state_of(name) == domain_state::running);
  CHECK(f.seen.at(0).detail == "paused");
  CHECK(f.seen.at(1).detail == "unpaused");

  auto s1 = f.conn.stats(name);
  auto s2 = f.conn.stats(name);
  REQUIRE(s2.has_value());
  CHECK(s2->cpu_time_ns > s1->cpu_time_ns);
  CHECK(s2->qemu_pid != 0);
  f.conn.set_stats(name, {.cpu_time_ns = 7,
                          .memory_kib = 512,
                          .vcpus = 2,
                          .qemu_pid = 99,
                          .interfaces = {{.name = "default", .rx_bytes = 10, .tx_bytes = 20}},
                          .blocks = {}});
  CHECK(f.conn.stats(name)->vcpus == 2);
  CHECK(f.conn.stats(name)->interfaces.at(0).tx_bytes == 20);
  CHECK(f.conn.list_domains().value() == std::vector<std::string>{name});

  // A running domain undefined stays as a transient one until it stops.
  REQUIRE(f.conn.undefine_domain(name).ok());
  CHECK(f.conn.state_of(name) == domain_state::running);
  REQUIRE(f.conn.destroy_domain(name).ok());
  CHECK_FALSE(f.conn.state_of(name).has_value());
  CHECK(f.seen.back().what == kind::undefined);
  CHECK(f.conn.list_domains()->empty());
}

TEST_CASE("fake: injected failures hit the next calls only", "[virt][libvirt][fake]") {
  fixture f;
  REQUIRE(f.conn.define_domain(xml).has_value());
  f.conn.fail_next(op::start, error{errc::internal, "qemu unexpectedly closed the monitor"}, 2);
  CHECK(f.conn.start_domain(name) == errc::internal);
  CHECK(f.conn.start_domain(name) == errc::internal);
  CHECK(f.conn.state_of(name) == domain_state::shut_off);
  CHECK(f.conn.start_domain(name).ok());
  CHECK(f.conn.count(op::start) == 3);
  auto calls = f.conn.calls();
  REQUIRE(calls.size() == 4);
  CHECK(calls[0].what == op::define);
  CHECK(calls[0].domain == name);
  CHECK(calls[1].result == errc::internal);
  CHECK(calls[3].result == errc::none);
}

TEST_CASE("fake: a lost connection is reported once and fails calls until reconnect", "[virt][libvirt][fake]") {
  fixture f;
  f.define_and_start();
  CHECK(f.conn.alive());
  f.conn.lose_connection();
  f.conn.lose_connection();
  REQUIRE(f.losses.size() == 1);
  CHECK(f.losses[0] == errc::unavailable);
  CHECK_FALSE(f.conn.alive());
  CHECK(f.conn.status(name).error() == errc::unavailable);
  CHECK(f.conn.destroy_domain(name) == errc::unavailable);

  f.conn.fail_next(op::reconnect, error{errc::unavailable, "connection refused"});
  CHECK(f.conn.reconnect() == errc::unavailable);
  REQUIRE(f.conn.reconnect().ok());
  CHECK(f.conn.alive());
  // The daemon kept the domain running.
  CHECK(f.conn.status(name)->state == domain_state::running);
  f.conn.lose_connection();
  CHECK(f.losses.size() == 2);
}

} // namespace podvisor::fakes
