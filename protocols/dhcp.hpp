#pragma once
// The DHCP responder protocol (actors/launcher/dhcp_responder_actor.hpp): one responder
// actor per guest NIC answers that NIC's MAC on its bridge (net/dhcp does the work). It
// tells a listener — the launcher, which forwards it to the node agent for display —
// whenever the guest is handed its lease, and answers questions about its counters.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

CAF_ADD_ATOM(podvisor, podvisor::protocols, dhcp_stats_atom, "dhcp_stats")

namespace podvisor::protocols {

/// The guest received an ACK for its lease (first binding, renewal or INIT-REBOOT).
struct dhcp_lease_given {
  /// The bridge the responder serves ("k6t-eth0").
  std::string interface;
  /// The guest MAC, lower-case colon form.
  std::string mac;
  /// The address and prefix handed out ("10.0.2.2", 24).
  std::string address;
  std::uint8_t prefix = 0;
  /// The request's transaction ID.
  std::uint32_t xid = 0;
  /// False the first time the guest binds (or after a release / NAK); true when a bound
  /// guest renewed or rebooted with the same lease.
  bool renewal = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dhcp_lease_given& x) {
  return f(caf::meta::type_name("podvisor::protocols::dhcp_lease_given"), x.interface, x.mac, x.address, x.prefix,
           x.xid, x.renewal);
}

/// One drop reason and how often it happened.
struct dhcp_drop_count {
  /// net::dhcp::packet_drop's name ("malformed", "foreign_client", ...).
  std::string reason;
  std::uint64_t count = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dhcp_drop_count& x) {
  return f(caf::meta::type_name("podvisor::protocols::dhcp_drop_count"), x.reason, x.count);
}

/// A responder's counters and the lease as it last saw it.
struct dhcp_stats {
  std::string interface;
  std::string mac;
  /// The configured address/prefix ("10.0.2.2/24").
  std::string address;
  /// The client's phase: "init", "offered", "bound", "declined", "released".
  std::string phase;
  /// Datagrams received and replies sent by type.
  std::uint64_t received = 0;
  std::uint64_t offers = 0;
  std::uint64_t acks = 0;
  std::uint64_t naks = 0;
  /// DECLINEs and RELEASEs recorded.
  std::uint64_t declines = 0;
  std::uint64_t releases = 0;
  /// Every drop reason, in net::dhcp::packet_drop order, including zero counts.
  std::vector<dhcp_drop_count> dropped;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dhcp_stats& x) {
  return f(caf::meta::type_name("podvisor::protocols::dhcp_stats"), x.interface, x.mac, x.address, x.phase,
           x.received, x.offers, x.acks, x.naks, x.declines, x.releases, x.dropped);
}

/// Who wants to know when the guest got its address (the launcher, for the agent).
using dhcp_lease_listener_actor = caf::typed_actor<
  /// Sent after every ACK that gives the lease.
  caf::reacts_to<dhcp_lease_given>>;

/// The DHCP responder actor interface. It stops (closing its socket and joining its
/// reader thread) on an exit message, or with errc::io_error when its socket fails.
using dhcp_responder_actor = caf::typed_actor<
  /// The counters and the lease phase now.
  caf::replies_to<dhcp_stats_atom>::with<dhcp_stats>>;

} // namespace podvisor::protocols
