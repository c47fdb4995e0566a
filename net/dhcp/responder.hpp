#pragma once
// One DHCP responder: one client MAC on one socket. It reads a datagram, parses it
// strictly, asks `decide` (lease.hpp) what to answer, serializes the reply within the
// client's maximum message size and sends it where RFC 2131 §4.1 says — and counts
// everything, including each reason a datagram was dropped. It never throws and never
// blocks: the socket is non-blocking, so the same object serves a plain poll loop
//
//   while (poll({socket.fd(), POLLIN}) > 0) responder.handle_readable();
//
// and an actor whose reader thread hands it datagrams (`handle_datagram`). It is not
// thread-safe: one owner calls it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "net/dhcp/lease.hpp"
#include "net/dhcp/packet.hpp"
#include "net/dhcp/socket.hpp"

namespace podvisor::net::dhcp {

/// Why the responder dropped a datagram without answering.
enum class packet_drop : std::uint8_t {
  /// Longer than `responder_options::max_request_size`.
  oversized,
  /// Shorter than the fixed header plus the magic cookie.
  truncated,
  /// Parsed but broken: a length past the end, no END, a bad fixed-size option, no cookie.
  malformed,
  /// A BOOTREPLY or a server message type (OFFER, ACK, NAK).
  not_a_request,
  /// chaddr is not the served MAC.
  foreign_client,
  /// No usable option 53 (plain BOOTP).
  no_message_type,
  /// The client chose another server.
  other_server,
  /// A REQUEST with no server identifier, requested address or ciaddr.
  malformed_request,
  /// A RELEASE of an address that is not the client's.
  release_not_ours,
  /// The reply could not be sent (the socket said why; see the log).
  send_failed,
};

/// Number of `packet_drop` values; they are 0 .. packet_drop_count - 1.
inline constexpr std::size_t packet_drop_count = 10;

/// "oversized", "truncated", ...; "unknown" otherwise.
std::string_view to_string(packet_drop d);
/// Parses the names `to_string` gives.
std::optional<packet_drop> parse_packet_drop(std::string_view name);

/// What the responder counted since it started.
struct responder_stats {
  /// Datagrams read from the socket (or handed in).
  std::uint64_t received = 0;
  /// Replies sent, by message type (index = option 53 value; OFFER 2, ACK 5, NAK 6).
  std::array<std::uint64_t, message_type_count + 1> replied{};
  /// DECLINEs and RELEASEs recorded (they have no answer).
  std::uint64_t declines = 0;
  std::uint64_t releases = 0;
  /// Dropped datagrams, by reason.
  std::array<std::uint64_t, packet_drop_count> dropped{};

  std::uint64_t replies(message_type t) const { return replied[static_cast<std::size_t>(t)]; }
  std::uint64_t drops(packet_drop d) const { return dropped[static_cast<std::size_t>(d)]; }
  /// Sum over every drop reason.
  std::uint64_t total_dropped() const;
};

/// Tunables.
struct responder_options {
  /// Largest request accepted; longer datagrams count as `oversized`. Requests are small
  /// (udhcpc ~300 bytes, dhclient ~350); 1500 leaves room for long client identifiers
  /// and vendor classes without accepting jumbo garbage.
  std::size_t max_request_size = 1500;
};

/// What happened to one datagram, for the caller's logs and notifications.
struct handled_packet {
  /// The request's message type, when it parsed and had one.
  std::optional<message_type> request_type;
  /// The reply sent, if any (OFFER, ACK or NAK).
  std::optional<message_type> reply_type;
  /// Where it went.
  reply_destination destination = reply_destination::none;
  /// Why nothing was sent; nothing when a reply went out or a DECLINE/RELEASE was
  /// recorded.
  std::optional<packet_drop> dropped;
  /// The parse or send error behind `malformed`, `truncated` or `send_failed`.
  error detail;
  /// An ACK for a lease (not an INFORM) went out: the client has its address.
  bool lease_given = false;
  /// The request's transaction ID (0 when it did not parse).
  std::uint32_t xid = 0;
  /// Options trimmed from the reply to fit the client's maximum message size.
  std::vector<std::uint8_t> trimmed;
};

/// Serves `config.client_mac` on `socket`.
class responder {
public:
  /// `config` must pass `validate`; `socket` must outlive the responder.
  responder(lease_config config, packet_socket& socket, responder_options options = {});

  /// Reads and answers datagrams until the socket has none waiting or `budget` were
  /// handled (so that one chatty client cannot starve the caller's loop). Returns what
  /// happened to each; an error when the socket itself failed.
  expected<std::vector<handled_packet>> handle_readable(std::size_t budget = 16);

  /// Answers one datagram already read (`truncated`: the reader's buffer cut it off).
  handled_packet handle_datagram(std::span<const std::uint8_t> bytes, bool truncated = false);

  const responder_stats& stats() const { return stats_; }
  /// What `decide` recorded: the client's phase, its last xid, per-outcome counts.
  const lease_state& lease() const { return lease_; }
  const lease_config& config() const { return config_; }
  /// True when the client holds the lease (the last answer to it was an ACK for a lease).
  bool bound() const { return lease_.phase == lease_phase::bound; }

private:
  packet_drop to_packet_drop(drop_reason r) const;

  lease_config config_;
  packet_socket& socket_;
  responder_options options_;
  responder_stats stats_;
  lease_state lease_;
  std::vector<std::uint8_t> buffer_;
};

} // namespace podvisor::net::dhcp
