#pragma once
// The launcher's command channel under test (control_server_test.cpp,
// launcher_client_test.cpp): a raw AF_UNIX client and a rig that runs a launcher actor
// over the fake libvirt connection with a real control_server in front of it.

#include <catch2/catch_test_macros.hpp>
#include <caf/actor_system.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

#include "actors/launcher/control_server.hpp"
#include "actors/system/config.hpp"
#include "common/temp_dir.hpp"
#include "tests/fakes/fake_libvirt_connection.hpp"

namespace podvisor::test_launcher {

using namespace podvisor::actors::launcher;
using namespace std::chrono_literals;
using fake = podvisor::fakes::fake_libvirt_connection;
using json = nlohmann::json;

// One end of the channel as the agent holds it: lines out, lines in, with deadlines.
class client {
public:
  explicit client(const std::filesystem::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    auto s = path.string();
    std::copy(s.begin(), s.end(), addr.sun_path);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~client() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }

  bool send(const std::string& line) {
    std::string buf = line + "\n";
    std::size_t off = 0;
    while (off < buf.size()) {
      ssize_t n = ::send(fd_, buf.data() + off, buf.size() - off, MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }

  // The next line, or nothing at EOF or when `timeout` passes first.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      if (eof_)
        return std::nullopt;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms)
        return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        continue;
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) {
        eof_ = true;
        continue;
      }
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  std::optional<json> read_json(std::chrono::milliseconds timeout = 10s) {
    auto line = read_line(timeout);
    if (!line)
      return std::nullopt;
    auto j = json::parse(*line, nullptr, false);
    if (j.is_discarded())
      return std::nullopt;
    return j;
  }

  // Sends a request and returns its answer.
  json ask(const std::string& line) {
    REQUIRE(send(line));
    auto j = read_json();
    REQUIRE(j);
    return *j;
  }

  // Whether the server closes the connection within `timeout` (lines before EOF are
  // skipped).
  bool closed_by_server(std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!read_line(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())) &&
          eof_)
        return true;
    }
    return false;
  }

private:
  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buf_;
};

// What a rig's launcher differs in.
struct rig_options {
  /// --await-start: the domain waits for start() (the rig does not wait for running).
  std::optional<std::chrono::seconds> await_start;
  /// The domain preparation start() runs; unset: the fixed domain (its interface tap0
  /// is the VMI's "default", its disk vda the VMI's "rootdisk").
  std::function<expected<prepared_domain>(const network_results&)> prepare;
};

// A launcher actor over the fake libvirt connection with its control server on a socket
// in a temporary directory; running (or awaiting start) when constructed.
struct rig {
  actors::system_config cfg;
  caf::actor_system sys{cfg.set_scheduler_threads(2)};
  fake conn;
  launcher_ref ref;
  scoped_temp_dir dir{"podvisor-control-"};
  std::filesystem::path sock = dir.path() / "control.sock";
  std::unique_ptr<control_server> server;

  explicit rig(rig_options o = {}) {
    launcher_settings s;
    s.await_start = o.await_start;
    s.prepare = std::move(o.prepare);
    s.domain_name = "ns_vm";
    s.domain = {"<domain type='qemu'><name>ns_vm</name></domain>", {{{"tap0", "default"}}, {{"vda", "rootdisk"}}}};
    s.tick = 20ms;
    s.qemu_log_tail = [] { return std::string(); };
    s.daemon_alive = [] { return true; };
    ref = start_launcher(sys, conn, s);
    conn.set_callbacks({.on_domain_event = [this](const virt::domain_event& ev) { ref.domain_event(ev); },
                        .on_connection_lost = [this](const error& e) { ref.connection_lost(e); }});
    auto srv = control_server::start(sock, ref, "ns_vm", "podvisor-launcher test");
    REQUIRE(srv);
    server = std::move(*srv);
    if (!s.await_start)
      REQUIRE(reaches(vm_phase::running));
  }

  ~rig() {
    if (server)
      server->stop();
    ref.shutdown(0s);
    ref.wait_for(10s);
  }

  bool reaches(vm_phase p, std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto s = ref.status(); s && s->phase == p)
        return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  // A connected client that has said hello.
  std::unique_ptr<client> greeted() {
    auto c = std::make_unique<client>(sock);
    REQUIRE(c->connected());
    auto hello = c->ask(R"({"op":"hello","versions":[1]})");
    REQUIRE(hello.value("ok", false));
    return c;
  }
};

} // namespace podvisor::test_launcher
