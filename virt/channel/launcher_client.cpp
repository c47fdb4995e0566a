#include "virt/channel/launcher_client.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/directory_watch.hpp"
#include "common/format.hpp"
#include "protocols/launcher_channel.hpp"

namespace podvisor::virt::channel {

namespace proto = podvisor::protocols;
using clock = std::chrono::steady_clock;

namespace {

int ms_left(clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
  if (left <= 0)
    return 0;
  return left > 1'000'000 ? 1'000'000 : static_cast<int>(left);
}

proto::launcher_request make(proto::launcher_op op) {
  proto::launcher_request r;
  r.op = op;
  return r;
}

} // namespace

launcher_client::launcher_client(int fd, std::string socket) : fd_(fd), socket_(std::move(socket)) {}

launcher_client::~launcher_client() {
  if (fd_ >= 0)
    ::close(fd_);
}

expected<std::unique_ptr<launcher_client>>
launcher_client::connect_when_serving(const std::filesystem::path& socket, std::chrono::milliseconds patience,
                                      std::chrono::milliseconds timeout) {
  // Between bind() and listen() the socket exists but refuses, and no further directory
  // event may come: the short bound re-tries that window.
  constexpr std::chrono::milliseconds recheck{50};
  const auto give_up = clock::now() + patience;
  directory_watch changes{socket.parent_path()};
  for (;;) {
    auto c = connect(socket, timeout);
    if (c || c.error().code != errc::unavailable)
      return c;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - clock::now());
    if (left.count() <= 0)
      return c;
    // No socket yet: its creation wakes the watch. A socket that refuses (bound, not yet
    // listening) changes nothing more in the directory, hence the short re-check.
    std::error_code ec;
    bool absent = !std::filesystem::exists(socket, ec) && !ec;
    changes.wait(absent && changes.watching() ? left : std::min(left, recheck));
  }
}

expected<std::unique_ptr<launcher_client>> launcher_client::connect(const std::filesystem::path& socket,
                                                                    std::chrono::milliseconds timeout) {
  auto deadline = clock::now() + timeout;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string s = socket.string();
  if (s.empty() || s.size() >= sizeof addr.sun_path)
    return error{errc::invalid_argument, format("launcher socket path \"{}\" is empty or too long", s)};
  std::copy(s.begin(), s.end(), addr.sun_path);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return error{errc::io_error, format("launcher {}: socket: {}", s, std::strerror(errno))};
  std::unique_ptr<launcher_client> c(new launcher_client(fd, s));
  // A unix socket connects at once or not at all (EAGAIN: the backlog is full, which
  // counts as not serving now).
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return error{errc::unavailable, format("launcher {}: connect: {}", s, std::strerror(errno))};

  proto::launcher_request hello = make(proto::launcher_op::hello);
  hello.versions.assign(std::begin(proto::launcher_channel_versions), std::end(proto::launcher_channel_versions));
  if (auto e = c->send_line(proto::render_launcher_request(hello), deadline); !e.ok())
    return e;
  auto line = c->read_line(deadline);
  if (!line)
    return line.error();
  if (!*line)
    return error{errc::timeout, format("launcher {}: no hello answer within {} ms", s, timeout.count())};
  auto a = proto::parse_launcher_hello(**line);
  if (!a)
    return a.error().with_context(format("launcher {}: hello", s));
  bool spoken = false;
  for (auto v : proto::launcher_channel_versions)
    spoken = spoken || v == a->version;
  if (!spoken)
    return error{errc::unsupported, format("launcher {} chose protocol version {}, which this agent does not speak", s,
                                           a->version)};
  c->hello_ = launcher_hello{a->version, a->server, a->domain, static_cast<int>(a->pid), a->awaiting_start};
  return c;
}

error launcher_client::fail(error e) {
  broken_ = e;
  return e;
}

error launcher_client::usable() const {
  if (broken_)
    return error{errc::unavailable, format("launcher {}: connection unusable: {}", socket_, broken_->message)};
  if (watching_)
    return error{errc::invalid_argument, format("launcher {}: the connection is an event stream (watch)", socket_)};
  return {};
}

error launcher_client::send_line(const std::string& line, clock::time_point deadline) {
  std::string out = line + "\n";
  std::size_t off = 0;
  while (off < out.size()) {
    ssize_t n = ::send(fd_, out.data() + off, out.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      int left = ms_left(deadline);
      if (left == 0 || ::poll(&p, 1, left) == 0)
        return fail(error{errc::timeout, format("launcher {}: request not taken in time", socket_)});
      continue;
    }
    return fail(error{errc::unavailable, format("launcher {}: send: {}", socket_, std::strerror(errno))});
  }
  return {};
}

expected<std::optional<std::string>> launcher_client::read_line(clock::time_point deadline) {
  for (;;) {
    if (auto nl = buf_.find('\n'); nl != std::string::npos) {
      std::string line = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      return std::optional<std::string>(std::move(line));
    }
    if (buf_.size() > proto::launcher_channel_max_answer_bytes)
      return fail(error{errc::parse_error,
                        format("launcher {}: answer longer than {} bytes", socket_,
                               proto::launcher_channel_max_answer_bytes)});
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buf_.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0)
      return fail(error{errc::unavailable, format("launcher {} closed the connection", socket_)});
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return fail(error{errc::unavailable, format("launcher {}: recv: {}", socket_, std::strerror(errno))});
    int left = ms_left(deadline);
    if (left == 0)
      return std::optional<std::string>();
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, left) < 0 && errno != EINTR)
      return fail(error{errc::io_error, format("launcher {}: poll: {}", socket_, std::strerror(errno))});
  }
}

expected<std::string> launcher_client::ask(const std::string& line, std::chrono::milliseconds timeout) {
  if (auto e = usable(); !e.ok())
    return e;
  auto deadline = clock::now() + timeout;
  if (auto e = send_line(line, deadline); !e.ok())
    return e;
  auto answer = read_line(deadline);
  if (!answer)
    return answer.error();
  if (!*answer)
    return fail(error{errc::timeout, format("launcher {}: no answer within {} ms", socket_, timeout.count())});
  return std::move(**answer);
}

expected<launcher_status_reply> launcher_client::status() {
  auto line = ask(proto::render_launcher_request(make(proto::launcher_op::status)), request_timeout);
  if (!line)
    return line.error();
  auto a = proto::parse_launcher_status(*line);
  if (!a)
    return a.error();
  launcher_status_reply r;
  r.phase = std::move(a->phase);
  r.reason = std::move(a->reason);
  r.domain_state = std::move(a->domain_state);
  r.since_start_ms = a->since_start_ms;
  if (a->stats) {
    r.stats = launcher_stats{a->stats->cpu_time_ns, a->stats->memory_kib, a->stats->vcpus,
                             static_cast<int>(a->stats->qemu_pid), {}, {}};
    for (auto& i : a->stats->interfaces)
      r.stats->interfaces.push_back({std::move(i.name), i.rx_bytes, i.rx_packets, i.rx_errors, i.rx_drops, i.tx_bytes,
                                     i.tx_packets, i.tx_errors, i.tx_drops});
    for (auto& b : a->stats->blocks)
      r.stats->blocks.push_back({std::move(b.name), b.read_bytes, b.read_requests, b.write_bytes, b.write_requests});
  }
  for (auto& l : a->leases)
    r.leases.push_back({std::move(l.interface), std::move(l.mac), std::move(l.ip)});
  return r;
}

error launcher_client::start(const std::map<std::string, std::filesystem::path>& network_results) {
  auto req = make(proto::launcher_op::start);
  for (const auto& [name, path] : network_results) {
    if (!path.is_absolute())
      return error{errc::invalid_argument, format("network {}: {} is not an absolute path", name, path.string())};
    req.networks[name] = path.string();
  }
  auto line = ask(proto::render_launcher_request(req), start_timeout);
  if (!line)
    return line.error();
  return proto::parse_launcher_ack(*line);
}

error launcher_client::shutdown(std::optional<std::chrono::seconds> grace) {
  auto req = make(proto::launcher_op::shutdown);
  if (grace)
    req.grace_seconds = grace->count();
  auto line = ask(proto::render_launcher_request(req), request_timeout);
  if (!line)
    return line.error();
  return proto::parse_launcher_ack(*line);
}

error launcher_client::pause() {
  auto line = ask(proto::render_launcher_request(make(proto::launcher_op::pause)), request_timeout);
  if (!line)
    return line.error();
  return proto::parse_launcher_ack(*line);
}

error launcher_client::resume() {
  auto line = ask(proto::render_launcher_request(make(proto::launcher_op::resume)), request_timeout);
  if (!line)
    return line.error();
  return proto::parse_launcher_ack(*line);
}

error launcher_client::watch() {
  auto line = ask(proto::render_launcher_request(make(proto::launcher_op::watch)), request_timeout);
  if (!line)
    return line.error();
  if (auto e = proto::parse_launcher_ack(*line); !e.ok())
    return e;
  watching_ = true;
  return {};
}

expected<std::optional<launcher_event>> launcher_client::next_event(std::chrono::milliseconds timeout) {
  if (broken_)
    return usable();
  if (!watching_)
    return error{errc::invalid_argument, format("launcher {}: next_event before watch", socket_)};
  auto line = read_line(clock::now() + timeout);
  if (!line)
    return line.error();
  if (!*line)
    return std::optional<launcher_event>();
  auto ev = proto::parse_launcher_event(**line);
  if (!ev)
    return fail(ev.error());
  launcher_event out;
  if (ev->what == proto::launcher_event_line::kind::lease) {
    out.what = launcher_event::kind::lease;
    out.lease = {std::move(ev->lease.interface), std::move(ev->lease.mac), std::move(ev->lease.ip)};
  } else {
    out.phase = std::move(ev->phase);
    out.reason = std::move(ev->reason);
  }
  return std::optional<launcher_event>(std::move(out));
}

} // namespace podvisor::virt::channel
