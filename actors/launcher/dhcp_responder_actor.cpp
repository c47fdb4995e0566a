#include "actors/launcher/dhcp_responder_actor.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/system/config.hpp"
#include "protocols/error.hpp"

namespace podvisor::actors::launcher {

namespace {

/// A datagram the reader thread read (internal).
struct dhcp_datagram {
  std::vector<std::uint8_t> bytes;
  bool truncated = false;
};

/// The reader thread's socket failed (internal).
struct dhcp_reader_failed {
  podvisor::error why;
};

} // namespace

} // namespace podvisor::actors::launcher

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::launcher::dhcp_datagram)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::launcher::dhcp_reader_failed)

namespace podvisor::actors::launcher {

namespace {

using net::dhcp::packet_drop;
using net::dhcp::message_type;

using dhcp_responder_impl_actor = protocols::dhcp_responder_actor::extend<
  /// The reader thread forwards one datagram.
  caf::reacts_to<dhcp_datagram>,
  /// The reader thread stopped because the socket failed.
  caf::reacts_to<dhcp_reader_failed>>;

struct dhcp_responder_state {
  static inline const char* name = "dhcp_responder";

  // Declared first so it is destroyed last: the responder refers to it.
  std::unique_ptr<net::dhcp::packet_socket> socket;
  std::optional<net::dhcp::responder> responder;
  std::string interface;
  protocols::dhcp_lease_listener_actor listener;
  log::logger log;
  int stop_fd = -1;
  std::thread reader;

  dhcp_responder_state() = default;
  dhcp_responder_state(const dhcp_responder_state&) = delete;
  dhcp_responder_state& operator=(const dhcp_responder_state&) = delete;

  // Runs when the actor exits (CAF 0.17 destroys the state in on_exit): stop and join
  // the reader before the socket closes, so it never polls a closed descriptor.
  ~dhcp_responder_state() {
    if (reader.joinable()) {
      std::uint64_t one = 1;
      [[maybe_unused]] auto n = ::write(stop_fd, &one, sizeof one);
      reader.join();
    }
    if (stop_fd >= 0)
      ::close(stop_fd);
  }
};

using responder_pointer = dhcp_responder_impl_actor::stateful_pointer<dhcp_responder_state>;

/// The reader thread: waits for datagrams or the stop signal, forwards every datagram to
/// the actor. It holds only a weak address, so it never keeps the actor alive.
void read_loop(caf::actor_addr owner, net::dhcp::packet_socket* socket, int stop_fd, std::size_t max_size) {
  std::vector<std::uint8_t> buffer(max_size);
  pollfd fds[2] = {{socket->fd(), POLLIN, 0}, {stop_fd, POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    if ((fds[1].revents & POLLIN) != 0)
      return;
    for (;;) {
      auto got = socket->receive(buffer);
      auto actor = caf::actor_cast<dhcp_responder_impl_actor>(owner);
      if (!actor)
        return;
      if (!got) {
        caf::anon_send(actor, dhcp_reader_failed{got.error()});
        return;
      }
      if (!*got)
        break;
      const auto& d = **got;
      caf::anon_send(actor, dhcp_datagram{{buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(d.size)},
                                          d.truncated});
    }
  }
}

protocols::dhcp_stats make_stats(const dhcp_responder_state& st) {
  const auto& r = *st.responder;
  const auto& s = r.stats();
  protocols::dhcp_stats out;
  out.interface = st.interface;
  out.mac = net::dhcp::to_string(r.config().client_mac);
  out.address = net::dhcp::to_string(r.config().address) + "/" + std::to_string(r.config().prefix);
  out.phase = std::string(net::dhcp::to_string(r.lease().phase));
  out.received = s.received;
  out.offers = s.replies(message_type::offer);
  out.acks = s.replies(message_type::ack);
  out.naks = s.replies(message_type::nak);
  out.declines = s.declines;
  out.releases = s.releases;
  for (std::size_t i = 0; i < net::dhcp::packet_drop_count; ++i)
    out.dropped.push_back({std::string(to_string(static_cast<packet_drop>(i))), s.dropped[i]});
  return out;
}

void on_datagram(responder_pointer self, const dhcp_datagram& d) {
  auto& st = self->state;
  bool was_bound = st.responder->bound();
  auto h = st.responder->handle_datagram(d.bytes, d.truncated);
  if (h.dropped) {
    st.log.debug("dropped a datagram ({} bytes): {}{}", d.bytes.size(), to_string(*h.dropped),
                 h.detail ? ": " + h.detail.to_string() : std::string{});
    return;
  }
  if (h.reply_type)
    st.log.trace("{} → {} to {}", net::dhcp::to_string(*h.request_type), net::dhcp::to_string(*h.reply_type),
                 net::dhcp::to_string(h.destination));
  if (!h.lease_given)
    return;
  const auto& cfg = st.responder->config();
  protocols::dhcp_lease_given given{st.interface, net::dhcp::to_string(cfg.client_mac),
                                    net::dhcp::to_string(cfg.address), cfg.prefix, h.xid, was_bound};
  if (!was_bound)
    st.log.info("lease given: {}/{}", given.address, static_cast<int>(given.prefix));
  if (st.listener)
    self->send(st.listener, std::move(given));
}

/// What the spawn function hands the actor: move-only resources travel in a shared_ptr
/// because CAF copies spawn arguments.
struct responder_resources {
  std::unique_ptr<net::dhcp::packet_socket> socket;
  int stop_fd = -1;

  responder_resources() = default;
  responder_resources(const responder_resources&) = delete;
  responder_resources& operator=(const responder_resources&) = delete;
  ~responder_resources() {
    if (stop_fd >= 0) // the actor never ran
      ::close(stop_fd);
  }
};

dhcp_responder_impl_actor::behavior_type dhcp_responder(responder_pointer self, dhcp_responder_config config,
                                                        std::shared_ptr<responder_resources> resources,
                                                        protocols::dhcp_lease_listener_actor listener) {
  auto& st = self->state;
  st.interface = config.interface;
  st.log = make_logger(self, "launcher", "dhcp " + config.interface + " " + net::dhcp::to_string(config.lease.client_mac));
  install_exception_handler(self, st.log);
  st.socket = std::move(resources->socket);
  st.stop_fd = std::exchange(resources->stop_fd, -1);
  st.responder.emplace(std::move(config.lease), *st.socket, config.options);
  st.listener = std::move(listener);
  st.reader = std::thread(read_loop, self->address(), st.socket.get(), st.stop_fd, config.options.max_request_size);
  st.log.info("serving {} on {}", net::dhcp::to_string(st.responder->config().address), st.interface);
  return {
    [self](protocols::dhcp_stats_atom) { return make_stats(self->state); },
    [self](dhcp_datagram& d) { on_datagram(self, d); },
    [self](dhcp_reader_failed& f) {
      self->state.log.error("socket failed, stopping: {}", f.why.to_string());
      self->quit(protocols::to_caf_error(f.why));
    },
  };
}

} // namespace

expected<protocols::dhcp_responder_actor> spawn_dhcp_responder(caf::actor_system& sys, dhcp_responder_config config,
                                                                std::unique_ptr<net::dhcp::packet_socket> socket,
                                                                protocols::dhcp_lease_listener_actor listener) {
  if (auto e = net::dhcp::validate(config.lease))
    return e.with_context("dhcp responder on " + config.interface);
  if (!socket || socket->fd() < 0)
    return error{errc::invalid_argument, "dhcp responder on " + config.interface + ": socket cannot be polled"};
  auto resources = std::make_shared<responder_resources>();
  resources->socket = std::move(socket);
  resources->stop_fd = ::eventfd(0, EFD_CLOEXEC);
  if (resources->stop_fd < 0)
    return error{errc::io_error, std::string("eventfd: ") + std::strerror(errno)};
  auto handle = sys.spawn(dhcp_responder, std::move(config), std::move(resources), std::move(listener));
  return caf::actor_cast<protocols::dhcp_responder_actor>(std::move(handle));
}

} // namespace podvisor::actors::launcher
