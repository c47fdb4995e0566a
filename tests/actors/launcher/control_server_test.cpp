// The launcher's command channel server with real threads and a real AF_UNIX client,
// serving a launcher actor over the fake libvirt connection: the handshake, every op,
// watch events, garbage, the client limit, the socket's mode, and a stop that returns.
#include "actors/launcher/control_server.hpp"

#include <catch2/catch_test_macros.hpp>
#include <caf/actor_system.hpp>
#include <cerrno>
#include <fcntl.h>
#include <future>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

#include "actors/system/config.hpp"
#include "common/temp_dir.hpp"
#include "protocols/launcher_channel.hpp"
#include "tests/actors/launcher/control_rig.hpp"
#include "tests/fakes/fake_libvirt_connection.hpp"

using namespace podvisor;
using namespace podvisor::actors::launcher;
using namespace std::chrono_literals;
using fake = podvisor::fakes::fake_libvirt_connection;
using json = nlohmann::json;
using podvisor::test_launcher::client;
using podvisor::test_launcher::rig;

TEST_CASE("a request before hello is answered with an error and the connection closed", "[actors][launcher]") {
  rig r;
  client c(r.sock);
  REQUIRE(c.connected());
  auto a = c.ask(R"({"op":"status"})");
  CHECK(a["ok"] == false);
  CHECK(a["error"]["code"] == "invalid_argument");
  CHECK(a["error"]["message"] == "say hello first");
  CHECK(c.closed_by_server());
}

TEST_CASE("hello picks version 1 from [1] and from [1,7]", "[actors][launcher]") {
  rig r;
  for (const char* versions : {"[1]", "[1,7]", "[7,1]"}) {
    INFO(versions);
    client c(r.sock);
    REQUIRE(c.connected());
    auto a = c.ask(std::string(R"({"op":"hello","versions":)") + versions + "}");
    CHECK(a["ok"] == true);
    CHECK(a["version"] == 1);
    CHECK(a["domain"] == "ns_vm");
    CHECK(a["server"] == "podvisor-launcher test");
  }
}

TEST_CASE("hello with only unknown versions is unsupported and disconnected", "[actors][launcher]") {
  rig r;
  client c(r.sock);
  REQUIRE(c.connected());
  auto a = c.ask(R"({"op":"hello","versions":[7]})");
  CHECK(a["ok"] == false);
  CHECK(a["error"]["code"] == "unsupported");
  CHECK(c.closed_by_server());
}

TEST_CASE("status shows the running domain with libvirt's statistics", "[actors][launcher]") {
  rig r;
  auto c = r.greeted();
  auto s = c->ask(R"({"op":"status"})");
  CHECK(s["ok"] == true);
  CHECK(s["phase"] == "running");
  CHECK(s["domainState"].get<std::string>().rfind("running", 0) == 0);
  REQUIRE(s.contains("stats"));
  CHECK(s["stats"]["qemuPid"] == 4242);
  CHECK(s["stats"].contains("cpuTimeNs"));
  CHECK(s["stats"].contains("memoryKiB"));
  CHECK(s["stats"].contains("vcpus"));
  CHECK(s["sinceStartMs"].is_number_integer());
}

TEST_CASE("status carries libvirt's per-interface and per-disk counters under the VMI's names", "[actors][launcher]") {
  rig r;
  auto c = r.greeted();
  // libvirt names devices by their targets; the domain the launcher started says which
  // VMI device each is (tap0 → default, vda → rootdisk); one it does not know keeps its name.
  r.conn.set_stats("ns_vm", {.cpu_time_ns = 1,
                             .memory_kib = 2,
                             .vcpus = 1,
                             .qemu_pid = 4242,
                             .interfaces = {{"tap0", 100, 2, 0, 1, 300, 4, 0, 0}, {"vnet9", 1, 1, 0, 0, 1, 1, 0, 0}},
                             .blocks = {{"vda", 4096, 8, 512, 1}}});
  auto s = c->ask(R"({"op":"status"})");
  REQUIRE(s["ok"] == true);
  CHECK(s["stats"]["interfaces"] == nlohmann::json::parse(R"([{"name":"default","rxBytes":100,"rxPackets":2,)"
                                                            R"("rxErrors":0,"rxDrops":1,"txBytes":300,"txPackets":4,)"
                                                            R"("txErrors":0,"txDrops":0},)"
                                                            R"({"name":"vnet9","rxBytes":1,"rxPackets":1,)"
                                                            R"("rxErrors":0,"rxDrops":0,"txBytes":1,"txPackets":1,)"
                                                            R"("txErrors":0,"txDrops":0}])"));
  CHECK(s["stats"]["blocks"] == nlohmann::json::parse(R"([{"name":"rootdisk","readBytes":4096,"readRequests":8,)"
                                                        R"("writeBytes":512,"writeRequests":1}])"));
}

TEST_CASE("pause and resume; resume while running is a conflict", "[actors][launcher]") {
  rig r;
  auto c = r.greeted();
  auto conflict = c->ask(R"({"op":"resume"})");
  CHECK(conflict["ok"] == false);
  CHECK(conflict["error"]["code"] == "conflict");
  CHECK(c->ask(R"({"op":"pause"})")["ok"] == true);
  REQUIRE(r.reaches(vm_phase::paused));
  CHECK(c->ask(R"({"op":"status"})")["phase"] == "paused");
  CHECK(c->ask(R"({"op":"resume"})")["ok"] == true);
  REQUIRE(r.reaches(vm_phase::running));
  CHECK(c->ask(R"({"op":"resume"})")["error"]["code"] == "conflict");
}

TEST_CASE("watch, then shutdown: the phase events arrive on the watching connection", "[actors][launcher]") {
  rig r;
  auto watcher = r.greeted();
  CHECK(watcher->ask(R"({"op":"watch"})")["ok"] == true);
  auto other = r.greeted();
  CHECK(other->ask(R"({"op":"shutdown","graceSeconds":60})")["ok"] == true);
  auto ev = watcher->read_json();
  REQUIRE(ev);
  CHECK((*ev)["event"] == "phase");
  CHECK((*ev)["phase"] == "shutting_down");
  REQUIRE(r.conn.guest_powers_off("ns_vm"));
  auto done = watcher->read_json();
  REQUIRE(done);
  CHECK((*done)["event"] == "phase");
  CHECK((*done)["phase"] == "succeeded");
  auto out = r.ref.wait_for(10s);
  REQUIRE(out);
  CHECK(out->exit_code == 0);
}

TEST_CASE("a garbage line is answered with an error and the session goes on", "[actors][launcher]") {
  rig r;
  auto c = r.greeted();
  auto a = c->ask("this is not json");
  CHECK(a["ok"] == false);
  CHECK(a["error"]["code"] == "invalid_argument");
  CHECK(c->ask(R"({"op":"status","extra":1})")["error"]["code"] == "invalid_argument");
  CHECK(c->ask(R"({"op":"status"})")["phase"] == "running");
}

TEST_CASE("garbage before hello does not close the connection; hello still works", "[actors][launcher]") {
  rig r;
  client c(r.sock);
  REQUIRE(c.connected());
  CHECK(c.ask("{")["error"]["code"] == "invalid_argument");
  CHECK(c.ask(R"({"op":"hello","versions":[1]})")["version"] == 1);
}

TEST_CASE("a line over the limit is refused and the connection closed", "[actors][launcher]") {
  rig r;
  auto c = r.greeted();
  std::string huge(podvisor::protocols::launcher_channel_max_line_bytes + 4096, 'x');
  // The server may close while we still write; what it said before closing matters.
  c->send(huge);
  auto a = c->read_json();
  REQUIRE(a);
  CHECK((*a)["error"]["message"] == "request line too long");
  CHECK(c->closed_by_server());
}

TEST_CASE("the socket is 0600", "[actors][launcher]") {
  rig r;
  struct stat st {};
  REQUIRE(::stat(r.sock.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 07777) == 0600);
}

TEST_CASE("a stale socket file is replaced", "[actors][launcher]") {
  rig r;
  r.server->stop();
  r.dir.write("control.sock", "stale");
  auto srv = control_server::start(r.sock, r.ref, "ns_vm", "again");
  REQUIRE(srv);
  r.server = std::move(*srv);
  auto c = r.greeted();
  CHECK(c->ask(R"({"op":"status"})")["ok"] == true);
}

TEST_CASE("a socket path too long for sun_path is refused", "[actors][launcher]") {
  rig r;
  auto srv = control_server::start(r.dir.path() / std::string(120, 'x'), r.ref, "ns_vm", "x");
  REQUIRE_FALSE(srv);
  CHECK(srv.error().code == errc::invalid_argument);
}

TEST_CASE("more than max_clients connections: the extra one gets an error line", "[actors][launcher]") {
  rig r;
  std::vector<std::unique_ptr<client>> clients;
  for (int i = 0; i < control_server::max_clients; ++i)
    clients.push_back(r.greeted());
  client extra(r.sock);
  REQUIRE(extra.connected());
  auto a = extra.read_json();
  REQUIRE(a);
  CHECK((*a)["ok"] == false);
  CHECK((*a)["error"]["code"] == "resource_exhausted");
  CHECK(extra.closed_by_server());
  // A client that leaves frees its place.
  clients.pop_back();
  auto deadline = std::chrono::steady_clock::now() + 10s;
  bool admitted = false;
  while (!admitted && std::chrono::steady_clock::now() < deadline) {
    client again(r.sock);
    REQUIRE(again.connected());
    // Until the old client's place is reaped the server still refuses: it writes the
    // error line and closes, so this send may find the socket already shut (a refusal,
    // like an error answer) — try again.
    auto ans = again.send(R"({"op":"hello","versions":[1]})") ? again.read_json() : std::nullopt;
    admitted = ans && (*ans)["ok"] == true;
    if (!admitted)
      std::this_thread::sleep_for(10ms); // the server reaps the old client's thread on the next accept
  }
  CHECK(admitted);
}

TEST_CASE("stop disconnects clients, removes the socket and returns", "[actors][launcher]") {
  rig r;
  auto watcher = r.greeted();
  CHECK(watcher->ask(R"({"op":"watch"})")["ok"] == true);
  auto idle = r.greeted();
  client silent(r.sock); // connected, never says anything
  REQUIRE(silent.connected());
  auto stopped = std::async(std::launch::async, [&] { r.server->stop(); });
  REQUIRE(stopped.wait_for(10s) == std::future_status::ready);
  CHECK_FALSE(std::filesystem::exists(r.sock));
  CHECK(watcher->closed_by_server());
  CHECK(idle->closed_by_server());
  CHECK(silent.closed_by_server());
  r.server->stop(); // again: harmless
}

namespace {

// Makes `c` a client that stopped reading: it watches, then sends status requests without
// reading the answers until the server, blocked writing to it, no longer reads either.
void stop_reading(client& c) {
  CHECK(c.ask(R"({"op":"watch"})")["ok"] == true);
  REQUIRE(::fcntl(c.fd(), F_SETFL, O_NONBLOCK) == 0);
  std::string burst;
  for (int i = 0; i < 1000; ++i)
    burst += "{\"op\":\"status\"}\n";
  std::size_t sent = 0;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    ssize_t n = ::send(c.fd(), burst.data(), burst.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EAGAIN) {
      pollfd p{c.fd(), POLLOUT, 0};
      if (::poll(&p, 1, 300) == 0)
        break; // the server has not read for 300 ms: it is blocked writing to us
      continue;
    }
    REQUIRE(n > 0);
    sent += static_cast<std::size_t>(n);
  }
  REQUIRE(sent > 0);
}

} // namespace

TEST_CASE("stop returns at once even when a client stopped reading with answers pending",
          "[actors][launcher]") {
  rig r;
  auto stuck = r.greeted();
  stop_reading(*stuck);
  // Well within send_timeout: stop itself wakes the blocked writer.
  auto stopped = std::async(std::launch::async, [&] { r.server->stop(); });
  REQUIRE(stopped.wait_for(3s) == std::future_status::ready);
  CHECK_FALSE(std::filesystem::exists(r.sock));
}

TEST_CASE("a watcher that stopped reading is cut off and does not hold up the launcher", "[actors][launcher]") {
  rig r;
  auto stuck = r.greeted();
  stop_reading(*stuck);
  // The phase events for this shutdown are written to the stuck watcher on the actor's
  // thread; after send_timeout it is disconnected and the VM's life goes on.
  auto other = r.greeted();
  CHECK(other->ask(R"({"op":"shutdown"})")["ok"] == true);
  REQUIRE(r.reaches(vm_phase::shutting_down, control_server::send_timeout + 10s));
  REQUIRE(r.conn.guest_powers_off("ns_vm"));
  auto out = r.ref.wait_for(10s);
  REQUIRE(out);
  CHECK(out->exit_code == 0);
  REQUIRE(::fcntl(stuck->fd(), F_SETFL, 0) == 0);
  CHECK(stuck->closed_by_server(30s));
}
