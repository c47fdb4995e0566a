#pragma once
// The DHCP responder actor (protocol: protocols/dhcp.hpp): one per guest NIC, serving
// that NIC's MAC on its bridge with net::dhcp::responder, for the life of the VM.
//
//   reader thread                       actor (scheduler)
//   poll(socket, stop eventfd) ──────►  datagram ─► responder.handle_datagram
//     receive() each datagram               │         (parse, decide, send reply)
//                                           ├─► lease given ─► listener
//                                           └─► counters for dhcp_stats_atom
//   exit: stop eventfd ◄────────────── state destroyed: signal, join, close socket
//
// Why a thread and not CAF's io multiplexer: the multiplexer lives in libcaf_io's
// middleman, which the launcher does not otherwise need, and its datagram servants are
// untyped brokers that would hide the socket behind CAF's own endpoint handling (we need
// SO_BINDTODEVICE before bind and our own broadcast/unicast choice). One thread per NIC
// blocked in poll() costs nothing and never occupies a scheduler thread. The thread only
// reads and forwards; the responder state is touched by the actor alone, and replies
// are sent from the actor (sendto on a UDP socket is safe next to a concurrent recv).

#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "common/error.hpp"
#include "net/dhcp/lease.hpp"
#include "net/dhcp/responder.hpp"
#include "net/dhcp/socket.hpp"
#include "protocols/dhcp.hpp"

namespace podvisor::actors::launcher {

/// What one responder serves.
struct dhcp_responder_config {
  /// The bridge (for logs and stats; the socket is already bound to it).
  std::string interface;
  /// What the guest is told; must pass net::dhcp::validate.
  net::dhcp::lease_config lease;
  net::dhcp::responder_options options;
};

/// Spawns a responder answering on `socket` (net::dhcp::dhcp_socket::open(interface) in
/// production; a socketpair socket in tests), which it owns from now on and closes when
/// it exits. `listener` (may be invalid) is told every time the lease is given.
/// invalid_argument when the configuration does not validate or the socket cannot be
/// polled.
expected<protocols::dhcp_responder_actor> spawn_dhcp_responder(caf::actor_system& sys, dhcp_responder_config config,
                                                                std::unique_ptr<net::dhcp::packet_socket> socket,
                                                                protocols::dhcp_lease_listener_actor listener);

} // namespace podvisor::actors::launcher
