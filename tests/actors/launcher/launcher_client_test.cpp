// The node agent's launcher_client (virt/channel) against the real control_server in
// front of a launcher actor over the fake libvirt connection: the handshake with pid and
// awaitingStart, start (ok, conflicts, a failed preparation), status leases, watch events
// with leases, a closed connection, timeouts. Also the launcher's own --await-start
// deadline.
#include "virt/channel/launcher_client.hpp"

#include <array>
#include <catch2/catch_test_macros.hpp>
#include <future>
#include <mutex>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/actors/launcher/control_rig.hpp"

using namespace podvisor;
using namespace podvisor::actors::launcher;
using namespace std::chrono_literals;
using podvisor::test_launcher::rig;
using podvisor::test_launcher::rig_options;
using podvisor::virt::channel::launcher_client;
using podvisor::virt::channel::launcher_event;

namespace {

constexpr const char* domain_xml = "<domain type='qemu'><name>ns_vm</name></domain>";

std::unique_ptr<launcher_client> connected(const rig& r) {
  auto c = launcher_client::connect(r.sock, 10s);
  REQUIRE(c);
  return std::move(*c);
}

// A rig that awaits start, whose preparation records the networks it was given and
// refuses a network named "broken".
struct awaiting_rig {
  std::mutex mutex;
  std::vector<network_results> prepared;
  rig r{rig_options{.await_start = 3600s, .prepare = [this](const network_results& n) -> expected<prepared_domain> {
                      std::lock_guard lock(mutex);
                      prepared.push_back(n);
                      if (n.count("broken"))
                        return error{errc::invalid_argument, "network broken: not a regular file"};
                      return prepared_domain{domain_xml, {}};
                    }}};
};

// The next event of kind `k` within 10 s (others are skipped).
std::optional<launcher_event> next_of(launcher_client& c, launcher_event::kind k) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto ev = c.next_event(1s);
    REQUIRE(ev);
    if (*ev && (*ev)->what == k)
      return **ev;
  }
  return std::nullopt;
}

} // namespace

TEST_CASE("client: hello gives version, domain, the launcher's pid and awaitingStart", "[actors][launcher][client]") {
  rig r;
  auto c = connected(r);
  CHECK(c->hello().version == 1u);
  CHECK(c->hello().domain == "ns_vm");
  CHECK(c->hello().server == "podvisor-launcher test");
  CHECK(c->hello().pid == ::getpid());
  CHECK_FALSE(c->hello().awaiting_start);
  CHECK(c->fd() >= 0);
}

TEST_CASE("client: a launcher that awaits start defines nothing until start, then runs", "[actors][launcher][client]") {
  awaiting_rig a;
  auto c = connected(a.r);
  CHECK(c->hello().awaiting_start);
  auto before = c->status();
  REQUIRE(before);
  CHECK(before->phase == "idle");
  CHECK(before->leases.empty());
  CHECK(a.r.conn.count(fakes::fake_libvirt_connection::op::define) == 0);

  network_results nets{{"default", "/run/podvisor/vmis/u/net-default.json"}};
  REQUIRE(c->start(nets).ok());
  auto after = c->status();
  REQUIRE(after);
  CHECK(after->phase == "running");
  REQUIRE(after->stats);
  {
    std::lock_guard lock(a.mutex);
    REQUIRE(a.prepared.size() == 1);
    CHECK(a.prepared[0] == nets);
  }
  // Started: a new session says so, and a second start is a conflict.
  CHECK_FALSE(connected(a.r)->hello().awaiting_start);
  auto again = c->start({});
  CHECK(again.code == errc::conflict);
  CHECK(again.message.find("already started") != std::string::npos);
}

TEST_CASE("client: status gives the per-device counters under the VMI's names", "[actors][launcher][client]") {
  rig r;
  auto c = connected(r);
  r.conn.set_stats("ns_vm", {.cpu_time_ns = 1,
                             .memory_kib = 2,
                             .vcpus = 1,
                             .qemu_pid = 4242,
                             .interfaces = {{"default", 100, 2, 3, 4, 300, 6, 7, 8}},
                             .blocks = {{"rootdisk", 4096, 8, 512, 1}}});
  auto s = c->status();
  REQUIRE(s);
  REQUIRE(s->stats);
  REQUIRE(s->stats->interfaces.size() == 1);
  const auto& i = s->stats->interfaces[0];
  CHECK(i.name == "default");
  CHECK((std::array{i.rx_bytes, i.rx_packets, i.rx_errors, i.rx_drops, i.tx_bytes, i.tx_packets, i.tx_errors,
                    i.tx_drops}) == std::array<std::uint64_t, 8>{100, 2, 3, 4, 300, 6, 7, 8});
  REQUIRE(s->stats->blocks.size() == 1);
  const auto& b = s->stats->blocks[0];
  CHECK(b.name == "rootdisk");
  CHECK((std::array{b.read_bytes, b.read_requests, b.write_bytes, b.write_requests}) ==
        std::array<std::uint64_t, 4>{4096, 8, 512, 1});
}

TEST_CASE("client: start on a launcher that does not await start is a conflict", "[actors][launcher][client]") {
  rig r;
  auto c = connected(r);
  auto e = c->start({});
  CHECK(e.code == errc::conflict);
  CHECK(e.message.find("does not await start") != std::string::npos);
  CHECK(c->status()->phase == "running");
}

TEST_CASE("client: a start whose preparation fails leaves the launcher awaiting; a good one then runs",
          "[actors][launcher][client]") {
  awaiting_rig a;
  auto c = connected(a.r);
  auto e = c->start({{"broken", "/nowhere/net.json"}});
  CHECK(e.code == errc::invalid_argument);
  CHECK(e.message == "network broken: not a regular file");
  CHECK(connected(a.r)->hello().awaiting_start);
  CHECK(c->status()->phase == "idle");
  // A relative path is refused before it is sent.
  CHECK(c->start({{"default", "net-default.json"}}).code == errc::invalid_argument);
  REQUIRE(c->start({{"default", "/ok/net-default.json"}}).ok());
  CHECK(c->status()->phase == "running");
}

TEST_CASE("client: a start whose domain fails to start answers with the failure", "[actors][launcher][client]") {
  awaiting_rig a;
  a.r.conn.fail_next(fakes::fake_libvirt_connection::op::start, error{errc::unavailable, "no QEMU today"});
  auto c = connected(a.r);
  auto e = c->start({});
  CHECK_FALSE(e.ok());
  CHECK(e.message.find("no QEMU today") != std::string::npos);
  auto out = a.r.ref.wait_for(10s);
  REQUIRE(out);
  CHECK(out->exit_code == 1);
}

TEST_CASE("client: status lists the leases the responder ACKed, the latest per interface",
          "[actors][launcher][client]") {
  rig r;
  auto c = connected(r);
  r.ref.lease_given({"default", "52:54:00:00:00:01", "10.0.2.2"});
  r.ref.lease_given({"second", "52:54:00:00:00:02", "10.1.0.2"});
  r.ref.lease_given({"default", "52:54:00:00:00:01", "10.0.2.3"});
  auto deadline = std::chrono::steady_clock::now() + 10s;
  std::vector<virt::channel::launcher_lease> leases;
  while (std::chrono::steady_clock::now() < deadline) {
    auto s = c->status();
    REQUIRE(s);
    leases = s->leases;
    if (leases.size() == 2 && leases[0].ip == "10.0.2.3")
      break;
  }
  REQUIRE(leases.size() == 2);
  CHECK(leases[0] == virt::channel::launcher_lease{"default", "52:54:00:00:00:01", "10.0.2.3"});
  CHECK(leases[1] == virt::channel::launcher_lease{"second", "52:54:00:00:00:02", "10.1.0.2"});
}

TEST_CASE("client: watch streams phase and lease events", "[actors][launcher][client]") {
  awaiting_rig a;
  auto watcher = connected(a.r);
  REQUIRE(watcher->watch().ok());
  // The stream is the connection's only use now.
  CHECK(watcher->status().error().code == errc::invalid_argument);
  auto other = connected(a.r);
  REQUIRE(other->start({}).ok());
  auto running = std::optional<launcher_event>();
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!running && std::chrono::steady_clock::now() < deadline) {
    auto ev = next_of(*watcher, launcher_event::kind::phase);
    REQUIRE(ev);
    if (ev->phase == "running")
      running = ev;
  }
  REQUIRE(running);
  a.r.ref.lease_given({"default", "52:54:00:00:00:01", "10.0.2.2"});
  auto lease = next_of(*watcher, launcher_event::kind::lease);
  REQUIRE(lease);
  CHECK(lease->lease == virt::channel::launcher_lease{"default", "52:54:00:00:00:01", "10.0.2.2"});
  // A renewal is told again (the agent ignores duplicates).
  a.r.ref.lease_given({"default", "52:54:00:00:00:01", "10.0.2.2"});
  CHECK(next_of(*watcher, launcher_event::kind::lease));
  // Nothing more: a timeout is no event, not an error.
  auto none = watcher->next_event(50ms);
  REQUIRE(none);
  CHECK_FALSE(*none);
}

TEST_CASE("client: a closed connection is unavailable", "[actors][launcher][client]") {
  rig r;
  auto watcher = connected(r);
  REQUIRE(watcher->watch().ok());
  auto plain = connected(r);
  r.server->stop();
  auto ev = watcher->next_event(10s);
  REQUIRE_FALSE(ev);
  CHECK(ev.error().code == errc::unavailable);
  auto s = plain->status();
  REQUIRE_FALSE(s);
  CHECK(s.error().code == errc::unavailable);
  // And it stays so.
  CHECK(plain->pause().code == errc::unavailable);
}

TEST_CASE("client: no socket is unavailable", "[actors][launcher][client]") {
  scoped_temp_dir dir{"podvisor-client-"};
  auto c = launcher_client::connect(dir.path() / "control.sock", 1s);
  REQUIRE_FALSE(c);
  CHECK(c.error().code == errc::unavailable);
}

TEST_CASE("client: a launcher that never answers hello is a timeout", "[actors][launcher][client]") {
  scoped_temp_dir dir{"podvisor-client-"};
  auto path = dir.path() / "mute.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  auto s = path.string();
  std::copy(s.begin(), s.end(), addr.sun_path);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 4) == 0); // the kernel completes the connection; nobody answers
  auto c = launcher_client::connect(path, 200ms);
  ::close(fd);
  REQUIRE_FALSE(c);
  CHECK(c.error().code == errc::timeout);
}

TEST_CASE("client: shutdown, pause and resume over the client", "[actors][launcher][client]") {
  rig r;
  auto c = connected(r);
  CHECK(c->resume().code == errc::conflict);
  REQUIRE(c->pause().ok());
  REQUIRE(r.reaches(vm_phase::paused));
  REQUIRE(c->resume().ok());
  REQUIRE(r.reaches(vm_phase::running));
  REQUIRE(c->shutdown(60s).ok());
  REQUIRE(r.reaches(vm_phase::shutting_down));
  REQUIRE(r.conn.guest_powers_off("ns_vm"));
  auto out = r.ref.wait_for(10s);
  REQUIRE(out);
  CHECK(out->exit_code == 0);
}

TEST_CASE("await-start: no start in time fails the launcher with the reason", "[actors][launcher]") {
  rig r{rig_options{.await_start = 1s, .prepare = {}}};
  auto c = connected(r);
  CHECK(c->hello().awaiting_start);
  auto out = r.ref.wait_for(20s);
  REQUIRE(out);
  CHECK(out->exit_code == 1);
  CHECK(out->phase == vm_phase::failed);
  CHECK(out->reason == "the node agent did not start the VM within 1 s");
  CHECK(r.conn.count(fakes::fake_libvirt_connection::op::define) == 0);
  CHECK(r.conn.count(fakes::fake_libvirt_connection::op::undefine) == 0);
}

TEST_CASE("await-start: a shutdown while awaiting ends it as succeeded without a domain", "[actors][launcher]") {
  rig r{rig_options{.await_start = 3600s, .prepare = {}}};
  r.ref.shutdown();
  auto out = r.ref.wait_for(10s);
  REQUIRE(out);
  CHECK(out->exit_code == 0);
  CHECK_FALSE(r.ref.awaiting_start());
  CHECK(r.conn.count(fakes::fake_libvirt_connection::op::define) == 0);
}

namespace {

// A minimal launcher stand-in at `path`: binds, listens, answers one hello, then closes.
// Enough for connect_when_serving, which only needs a launcher to start serving late.
void serve_one_hello(const std::filesystem::path& path, int bound_fd = -1) {
  int fd = bound_fd;
  if (fd < 0) {
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string s = path.string();
    std::copy(s.begin(), s.end(), addr.sun_path);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  REQUIRE(::listen(fd, 1) == 0);
  int peer = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
  REQUIRE(peer >= 0);
  char buf[512];
  REQUIRE(::read(peer, buf, sizeof buf) > 0);
  std::string hello = R"({"ok":true,"version":1,"server":"late","domain":"ns_vm","pid":7,"awaitingStart":true})"
                      "\n";
  REQUIRE(::write(peer, hello.data(), hello.size()) == static_cast<ssize_t>(hello.size()));
  ::close(peer);
  ::close(fd);
}

} // namespace

TEST_CASE("client: connect_when_serving reaches a launcher whose socket appears later", "[actors][launcher][client]") {
  podvisor::scoped_temp_dir dir;
  auto sock = dir.path() / "control.sock";
  auto attempt = std::async(std::launch::async, [&] { return launcher_client::connect_when_serving(sock, 60s, 5s); });
  // It waits rather than failing at once on the missing socket.
  CHECK(attempt.wait_for(300ms) == std::future_status::timeout);
  serve_one_hello(sock);
  auto c = attempt.get();
  REQUIRE(c);
  CHECK((*c)->hello().server == "late");
  CHECK((*c)->hello().pid == 7);
}

TEST_CASE("client: connect_when_serving re-tries a socket that is bound but not listening yet",
          "[actors][launcher][client]") {
  podvisor::scoped_temp_dir dir;
  auto sock = dir.path() / "control.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string s = sock.string();
  std::copy(s.begin(), s.end(), addr.sun_path);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  auto attempt = std::async(std::launch::async, [&] { return launcher_client::connect_when_serving(sock, 60s, 5s); });
  CHECK(attempt.wait_for(300ms) == std::future_status::timeout);
  serve_one_hello(sock, fd);
  auto c = attempt.get();
  REQUIRE(c);
  CHECK((*c)->hello().awaiting_start);
}

TEST_CASE("client: connect_when_serving gives up after its patience with the last error",
          "[actors][launcher][client]") {
  podvisor::scoped_temp_dir dir;
  auto c = launcher_client::connect_when_serving(dir.path() / "control.sock", 100ms, 1s);
  REQUIRE_FALSE(c);
  CHECK(c.error().code == errc::unavailable);
  // A directory that does not exist cannot be watched; the wait still ends.
  auto missing = launcher_client::connect_when_serving(dir.path() / "gone" / "control.sock", 100ms, 1s);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == errc::unavailable);
}
