#pragma once
// The lease logic of a DHCP responder that serves exactly one client (KubeVirt's model:
// one guest NIC, one MAC, one address decided before the VM starts). `decide` is a pure
// function of the configuration, a small record of what happened so far and the request;
// the responder actor owns the socket and sends whatever `decide` returns.
//
// Client states (RFC 2131 §4.3.2) and our answers, for the client's MAC only:
//
//   DISCOVER ─────────────────────────────────────────────► OFFER (yiaddr = our address)
//   REQUEST  server id = ours              (SELECTING)  ──► ACK, or NAK if 50 ≠ ours
//            server id = another server's  (SELECTING)  ──► silence: it chose the other
//            no server id, ciaddr = 0, 50  (INIT-REBOOT)──► ACK if 50 = ours, else NAK
//            no server id, ciaddr ≠ 0      (RENEWING / REBINDING) ► ACK if ciaddr = ours,
//                                                                    else NAK
//   DECLINE, RELEASE ─────────────────────────────────────► recorded, no answer
//   INFORM ───────────────────────────────────────────────► ACK with options, no lease
//
// The address never changes, so answers depend on the request, not on earlier messages:
// a responder that restarted (empty lease_state) answers a renewing client correctly.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "net/dhcp/address.hpp"
#include "net/dhcp/options.hpp"
#include "net/dhcp/packet.hpp"

namespace podvisor::net::dhcp {

/// Lease time that means "forever" (RFC 2131 §3.3); what KubeVirt hands out in effect.
inline constexpr std::uint32_t infinite_lease = 0xffffffffu;

/// The site-specific option codes (RFC 2132 §2) a VMI's dhcpOptions.privateOptions may use.
inline constexpr std::uint8_t first_private_option = 224;
inline constexpr std::uint8_t last_private_option = 254;

/// One site-specific option: its code (224..254) and its value, sent as the bytes given
/// (KubeVirt sends the spec's string as it is, without a terminating NUL).
struct private_option {
  std::uint8_t code = first_private_option;
  std::string value;

  friend bool operator==(const private_option&, const private_option&) = default;
};

/// What the guest is told: the cached description of a network binding's result (phase 1
/// writes it, the launcher's responder serves it), plus the extras of the VMI interface's
/// dhcpOptions (boot file, TFTP server, NTP, private options), which the launcher adds.
struct lease_config {
  /// The one client served; requests from any other chaddr are ignored.
  mac_address client_mac;
  /// The guest's address and prefix length.
  ipv4_address address;
  std::uint8_t prefix = 24;
  /// Default gateway (option 3, and 0.0.0.0/0 in option 121); none for an isolated network.
  std::optional<ipv4_address> gateway;
  /// Further routes for option 121; the default route via `gateway` is added to them
  /// because clients that apply 121 ignore option 3 (RFC 3442 §2).
  std::vector<route> routes;
  /// Option 6, in order of preference.
  std::vector<ipv4_address> dns_servers;
  /// Option 119, in search order.
  std::vector<std::string> search_domains;
  /// Option 15; empty: not sent.
  std::string domain_name;
  /// Option 26; 0: not sent.
  std::uint16_t mtu = 0;
  /// Option 12; empty: not sent.
  std::string hostname;
  /// The responder's own address: option 54, and what a selecting client names.
  ipv4_address server_address;
  /// Option 67 (dhcpOptions.bootFileName); empty: not sent.
  std::string bootfile_name;
  /// Option 66 (dhcpOptions.tftpServerName); empty: not sent.
  std::string tftp_server_name;
  /// Option 42 (dhcpOptions.ntpServers), in order of preference.
  std::vector<ipv4_address> ntp_servers;
  /// Options 224..254 (dhcpOptions.privateOptions), sent in this order.
  std::vector<private_option> private_options;
  /// Option 51. T1 (58) and T2 (59) are sent as 1/2 and 7/8 of it, and omitted for
  /// `infinite_lease`, where renewing makes no sense.
  std::uint32_t lease_seconds = infinite_lease;
};

/// Checks a configuration before serving it: address and server set, prefix ≤ 32, MTU
/// 0 or ≥ 68, encodable routes and search domains, hostname, domain name, boot file name
/// and TFTP server name 1..255 bytes when set, NTP servers neither 0.0.0.0 nor
/// 255.255.255.255, private option codes within 224..254, each at most once, values at
/// most 255 bytes (one option instance: clients need not reassemble options they do not
/// know). invalid_argument naming the field otherwise.
error validate(const lease_config& config);

/// Where the client is, as far as this responder has seen.
enum class lease_phase : std::uint8_t {
  /// Nothing seen yet, or the last answer was a NAK.
  init,
  /// An OFFER went out.
  offered,
  /// An ACK went out for a lease.
  bound,
  /// The client declined the address (it found it in use).
  declined,
  /// The client released the address.
  released,
};

/// "init", "offered", ...; "unknown" otherwise.
std::string_view to_string(lease_phase p);
/// Parses the names `to_string` gives.
std::optional<lease_phase> parse_lease_phase(std::string_view name);

/// What `decide` remembers between requests, for status and logs; answers do not depend
/// on it (see the header comment).
struct lease_state {
  lease_phase phase = lease_phase::init;
  /// The transaction ID of the last request answered or recorded.
  std::uint32_t last_xid = 0;
  /// Option 61 of the last request that had one.
  std::vector<std::uint8_t> client_identifier;
  /// How often each outcome happened.
  std::uint64_t offers = 0;
  std::uint64_t acks = 0;
  std::uint64_t naks = 0;
  std::uint64_t declines = 0;
  std::uint64_t releases = 0;
  std::uint64_t informs = 0;
  std::uint64_t dropped = 0;
};

/// Why no reply goes out (`answered` when one does).
enum class drop_reason : std::uint8_t {
  /// Not dropped: there is a reply.
  answered,
  /// op is BOOTREPLY, or a server message type (OFFER, ACK, NAK) came in.
  not_a_request,
  /// chaddr is not the served MAC (or not Ethernet).
  foreign_client,
  /// No valid option 53: plain BOOTP, which is not served.
  no_message_type,
  /// The client names another server's identifier: it chose that server.
  other_server,
  /// A REQUEST with neither server identifier, requested address nor ciaddr.
  malformed_request,
  /// A DECLINE was recorded; DECLINE has no answer.
  decline_recorded,
  /// A RELEASE was recorded; RELEASE has no answer.
  release_recorded,
  /// A RELEASE for an address that is not the client's.
  release_not_ours,
};

/// "answered", "foreign_client", ...; "unknown" otherwise.
std::string_view to_string(drop_reason r);
/// Parses the names `to_string` gives.
std::optional<drop_reason> parse_drop_reason(std::string_view name);

/// Where a reply should be sent (RFC 2131 §4.1); the socket side decides how.
enum class reply_destination : std::uint8_t {
  /// No reply.
  none,
  /// 255.255.255.255:68 on the bridge: NAKs, the broadcast bit, or a client without an
  /// address.
  broadcast,
  /// Unicast to ciaddr:68 (renewing, rebinding, INFORM).
  client_address,
  /// Unicast to yiaddr:68 and chaddr: needs a neighbour entry or a raw socket, since the
  /// client cannot answer ARP yet. Broadcasting instead is always acceptable.
  offered_address,
  /// To the relay agent at giaddr:67.
  relay,
};

/// "none", "broadcast", ...; "unknown" otherwise.
std::string_view to_string(reply_destination d);
/// Parses the names `to_string` gives.
std::optional<reply_destination> parse_reply_destination(std::string_view name);

/// The outcome of one request.
struct decision {
  /// The reply to send, if any; it serializes within the client's maximum message size.
  std::optional<dhcp_packet> reply;
  /// Why there is no reply (`answered` when there is one), for logs and counters.
  drop_reason reason = drop_reason::answered;
  /// Where to send the reply.
  reply_destination destination = reply_destination::none;
  /// Options left out (or, for 119, shortened) so that the reply fits the client's limit.
  std::vector<std::uint8_t> trimmed;
};

/// Answers one request from the client (see the diagram above) and records it in `state`.
/// Assumes `validate(config)` passed; an option that cannot be encoded is left out.
decision decide(const lease_config& config, lease_state& state, const dhcp_packet& request);

} // namespace podvisor::net::dhcp
