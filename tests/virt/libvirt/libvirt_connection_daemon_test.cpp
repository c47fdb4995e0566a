// The real connection to a real libvirtd over its unix socket (remote driver, keepalive,
// close callback), using a launcher's private daemon (virt/daemon) and the daemon's test
// driver (test+unix://), so no guest runs. Needs root; integration.virt.libvirt.*.
#include "virt/libvirt/libvirt_connection.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "common/temp_dir.hpp"
#include "virt/daemon/libvirt_daemon.hpp"

namespace podvisor::virt {

namespace {

using kind = domain_event::kind;
using namespace std::chrono_literals;

struct recorder {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<domain_event> events;
  std::vector<error> losses;

  connection_callbacks callbacks() {
    return {
        .on_domain_event =
            [this](const domain_event& e) {
              std::lock_guard lock{mutex};
              events.push_back(e);
              changed.notify_all();
            },
        .on_connection_lost =
            [this](const error& e) {
              std::lock_guard lock{mutex};
              losses.push_back(e);
              changed.notify_all();
            },
    };
  }

  bool wait_for_event(kind what, const std::string& domain, std::chrono::seconds timeout = 10s) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, timeout, [&] {
      for (const auto& e : events)
        if (e.what == what && e.domain == domain)
          return true;
      return false;
    });
  }

  bool wait_for_losses(std::size_t n, std::chrono::seconds timeout = 30s) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, timeout, [&] { return losses.size() >= n; });
  }

  std::size_t loss_count() {
    std::lock_guard lock{mutex};
    return losses.size();
  }
};

std::string domain_xml(const std::string& name) {
  return "<domain type='test'><name>" + name +
         "</name><memory unit='KiB'>65536</memory><os><type>hvm</type></os></domain>";
}

} // namespace

TEST_CASE("private daemon: events over the socket, a lost daemon reported once, reconnect",
          "[virt][libvirt][integration]") {
  scoped_temp_dir tmp{"pv-lvc-"};
  daemon_options opts;
  opts.root = tmp.path() / "d";
  opts.node_capabilities_cache = tmp.path() / "node-caps";
  auto first = libvirt_daemon::start(opts);
  REQUIRE(first.has_value());
  const std::string uri = "test+unix:///default?socket=" + (*first)->paths().socket().string();

  recorder r;
  auto opened = open_connection(uri, r.callbacks(), {.keepalive_interval_s = 1, .keepalive_count = 3, .qemu_pid_dir = {}});
  INFO((opened ? std::string{} : opened.error().to_string()));
  REQUIRE(opened.has_value());
  auto c = std::move(opened).value();
  CHECK(c->alive());

  auto name = c->define_domain(domain_xml("pv-remote"));
  REQUIRE(name.has_value());
  REQUIRE(c->start_domain(*name).ok());
  REQUIRE(r.wait_for_event(kind::started, *name));

  (*first)->stop();
  REQUIRE(r.wait_for_losses(1));
  CHECK(r.losses.front() == errc::unavailable);
  CHECK_FALSE(c->alive());
  CHECK(c->status(*name).error() == errc::unavailable);
  CHECK(c->list_domains().error() == errc::unavailable);
  // A failed reconnect while the daemon is gone is an error, not a new loss.
  CHECK(c->reconnect() == errc::unavailable);

  auto second = libvirt_daemon::start(opts);
  REQUIRE(second.has_value());
  REQUIRE(c->reconnect().ok());
  CHECK(c->alive());
  // A fresh daemon: a fresh test driver, and events flow again.
  auto again = c->define_domain(domain_xml("pv-remote-2"));
  REQUIRE(again.has_value());
  REQUIRE(c->start_domain(*again).ok());
  REQUIRE(r.wait_for_event(kind::started, *again));
  CHECK(r.loss_count() == 1);

  c.reset(); // before the daemon: a clean close is no loss
  CHECK(r.loss_count() == 1);
  (*second)->stop();
}

} // namespace podvisor::virt
