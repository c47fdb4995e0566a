#include "actors/launcher/control_server.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <list>
#include <mutex>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

#include "common/format.hpp"
#include "common/log.hpp"
#include "protocols/launcher_channel.hpp"

namespace podvisor::actors::launcher {

namespace proto = podvisor::protocols;

namespace {

// Writes all of `line` plus a newline; false when the peer is gone. A peer that has not
// read for send_timeout (SO_SNDTIMEO) is cut off: half a line cannot be taken back, and
// watch events are written on the launcher actor's thread, which must not wait on it.
bool send_line(int fd, std::mutex& m, const std::string& line) {
  std::lock_guard lock(m);
  std::string buf = line + "\n";
  std::size_t off = 0;
  while (off < buf.size()) {
    ssize_t n = ::send(fd, buf.data() + off, buf.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      ::shutdown(fd, SHUT_RDWR);
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  return true;
}

proto::launcher_status_answer status_answer(const launcher_status& s) {
  proto::launcher_status_answer a;
  a.phase = std::string(to_string(s.phase));
  a.reason = s.reason;
  a.domain_state = s.domain_state;
  a.since_start_ms = s.since_start.count();
  if (s.stats) {
    a.stats = proto::launcher_stats_info{s.stats->cpu_time_ns, s.stats->memory_kib, s.stats->vcpus,
                                         static_cast<std::int64_t>(s.stats->qemu_pid), {}, {}};
    for (const auto& i : s.stats->interfaces)
      a.stats->interfaces.push_back({i.name, i.rx_bytes, i.rx_packets, i.rx_errors, i.rx_drops, i.tx_bytes,
                                     i.tx_packets, i.tx_errors, i.tx_drops});
    for (const auto& b : s.stats->blocks)
      a.stats->blocks.push_back({b.name, b.read_bytes, b.read_requests, b.write_bytes, b.write_requests});
  }
  for (const auto& l : s.leases)
    a.leases.push_back({l.interface, l.mac, l.ip});
  return a;
}

} // namespace

struct control_server::impl {
  std::filesystem::path path;
  launcher_ref ref;
  std::string domain, server;
  int listen_fd = -1;
  int wake[2] = {-1, -1};
  std::thread acceptor;
  std::mutex mutex;
  // A client's socket, shared with watch callbacks that may still be running on the
  // actor's thread when the client goes: the descriptor closes with the last owner.
  struct sink {
    int fd = -1;
    std::mutex write_mutex;
    ~sink() {
      if (fd >= 0)
        ::close(fd);
    }
  };
  struct client {
    std::shared_ptr<sink> out = std::make_shared<sink>();
    std::thread thread;
    bool done = false;
  };
  std::list<client> clients;
  bool stopping = false;
  log::logger lg{"launcher", "control"};

  void accept_loop();
  void serve(client& c);
  void reap_finished();
};

void control_server::impl::reap_finished() {
  std::lock_guard lock(mutex);
  for (auto it = clients.begin(); it != clients.end();) {
    if (it->done) {
      it->thread.join();
      it = clients.erase(it);
    } else {
      ++it;
    }
  }
}

void control_server::impl::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    if (fds[1].revents != 0)
      return;
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0)
      continue;
    reap_finished();
    std::lock_guard lock(mutex);
    if (stopping || clients.size() >= max_clients) {
      std::mutex m;
      send_line(fd, m, proto::render_launcher_error(error{errc::resource_exhausted, "too many clients"}));
      ::close(fd);
      continue;
    }
    timeval tv{};
    tv.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(send_timeout).count();
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    auto& c = clients.emplace_back();
    c.out->fd = fd;
    c.thread = std::thread([this, &c] { serve(c); });
  }
}

void control_server::impl::serve(client& cl) {
  auto out = cl.out;
  auto& c = *out;
  std::string buf;
  bool greeted = false;
  int watch_id = 0, lease_watch_id = 0;
  char chunk[4096];
  bool open = true;
  // A reply that cannot be written ends the session: the lines still buffered would each
  // cost a round trip to the launcher actor for a peer that is gone (or being cut off by
  // stop), which would hold stop() up for as long as that backlog takes.
  auto reply = [&](const std::string& line) {
    if (!send_line(c.fd, c.write_mutex, line))
      open = false;
  };
  while (open) {
    ssize_t n = ::recv(c.fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    buf.append(chunk, static_cast<std::size_t>(n));
    std::size_t nl;
    while (open && (nl = buf.find('\n')) != std::string::npos) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      auto req = proto::parse_launcher_request(line);
      if (!req) {
        reply(proto::render_launcher_error(req.error()));
        continue;
      }
      if (!greeted && req->op != proto::launcher_op::hello) {
        reply(proto::render_launcher_error(error{errc::invalid_argument, "say hello first"}));
        open = false;
        break;
      }
      switch (req->op) {
      case proto::launcher_op::hello: {
        auto v = proto::pick_launcher_channel_version(req->versions);
        if (!v) {
          reply(proto::render_launcher_error(error{errc::unsupported, "no common protocol version (launcher speaks 1)"}));
          open = false;
          break;
        }
        greeted = true;
        reply(proto::render_launcher_hello({*v, server, domain, static_cast<std::int64_t>(::getpid()),
                                            ref.awaiting_start()}));
        break;
      }
      case proto::launcher_op::status: {
        auto s = ref.status();
        reply(s ? proto::render_launcher_status(status_answer(*s)) : proto::render_launcher_error(s.error()));
        break;
      }
      case proto::launcher_op::shutdown:
        lg.info("shutdown requested over the command channel");
        if (req->grace_seconds)
          ref.shutdown(std::chrono::seconds(*req->grace_seconds));
        else
          ref.shutdown();
        reply(proto::render_launcher_ok());
        break;
      case proto::launcher_op::start: {
        // Blocks this client's thread until the domain runs (or fails): the answer means
        // "started", which is what the agent waits for before it reports Running.
        network_results networks(req->networks.begin(), req->networks.end());
        auto err = ref.start(networks);
        reply(err.ok() ? proto::render_launcher_ok() : proto::render_launcher_error(err));
        break;
      }
      case proto::launcher_op::pause:
      case proto::launcher_op::resume: {
        auto err = req->op == proto::launcher_op::pause ? ref.pause() : ref.resume();
        reply(err.ok() ? proto::render_launcher_ok() : proto::render_launcher_error(err));
        break;
      }
      case proto::launcher_op::watch:
        if (watch_id == 0) {
          watch_id = ref.subscribe([out](const phase_change& pc) {
            proto::launcher_event_line ev;
            ev.phase = std::string(to_string(pc.phase));
            ev.reason = pc.reason;
            send_line(out->fd, out->write_mutex, proto::render_launcher_event(ev));
          });
          lease_watch_id = ref.subscribe_leases([out](const launcher_lease& l) {
            proto::launcher_event_line ev;
            ev.what = proto::launcher_event_line::kind::lease;
            ev.lease = {l.interface, l.mac, l.ip};
            send_line(out->fd, out->write_mutex, proto::render_launcher_event(ev));
          });
        }
        reply(proto::render_launcher_ok());
        break;
      }
    }
    if (buf.size() > proto::launcher_channel_max_line_bytes) {
      reply(proto::render_launcher_error(error{errc::invalid_argument, "request line too long"}));
      break;
    }
  }
  if (watch_id != 0) {
    ref.unsubscribe(watch_id);
    ref.unsubscribe(lease_watch_id);
  }
  {
    std::lock_guard lock(c.write_mutex);
    ::shutdown(c.fd, SHUT_RDWR);
  }
  std::lock_guard lock(mutex);
  cl.done = true;
}

control_server::control_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

control_server::~control_server() {
  stop();
}

expected<std::unique_ptr<control_server>> control_server::start(const std::filesystem::path& socket_path,
                                                                 launcher_ref ref, std::string domain,
                                                                 std::string server) {
  auto p = std::make_unique<impl>();
  p->path = socket_path;
  p->ref = ref;
  p->domain = std::move(domain);
  p->server = std::move(server);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string s = socket_path.string();
  if (s.size() >= sizeof addr.sun_path)
    return error{errc::invalid_argument, format("control socket path {} is too long", s)};
  std::copy(s.begin(), s.end(), addr.sun_path);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return error{errc::io_error, format("control socket: {}", std::strerror(errno))};
  ::unlink(s.c_str()); // a stale socket from a previous launcher on this directory
  // Root only: the umask makes the socket 0600 from the moment it exists.
  mode_t old = ::umask(0177);
  int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int bind_errno = errno;
  ::umask(old);
  if (rc != 0 || ::listen(fd, 8) != 0) {
    ::close(fd);
    return error{errc::io_error, format("control socket {}: {}", s, std::strerror(bind_errno))};
  }
  if (::pipe2(p->wake, O_CLOEXEC) != 0) {
    ::close(fd);
    return error{errc::io_error, "control socket: pipe failed"};
  }
  p->listen_fd = fd;
  auto* raw = p.get();
  p->acceptor = std::thread([raw] { raw->accept_loop(); });
  return std::unique_ptr<control_server>(new control_server(std::move(p)));
}

void control_server::stop() {
  if (!impl_ || impl_->listen_fd < 0)
    return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  char b = 1;
  ssize_t ignored = ::write(impl_->wake[1], &b, 1);
  (void)ignored;
  impl_->acceptor.join();
  {
    std::lock_guard lock(impl_->mutex);
    // Not under the client's write mutex: a writer blocked on a peer that does not read
    // holds it, and this shutdown is what wakes that writer. The descriptor stays open
    // (the list owns its sink) until the threads are joined.
    for (auto& c : impl_->clients)
      ::shutdown(c.out->fd, SHUT_RDWR);
  }
  for (auto& c : impl_->clients)
    c.thread.join();
  impl_->clients.clear();
  ::close(impl_->listen_fd);
  ::close(impl_->wake[0]);
  ::close(impl_->wake[1]);
  impl_->listen_fd = -1;
  std::error_code ec;
  std::filesystem::remove(impl_->path, ec);
}

} // namespace podvisor::actors::launcher
