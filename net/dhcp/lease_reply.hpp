#pragma once
// Building the options of OFFER, ACK and NAK replies, and fitting them into the client's
// maximum message size. Used by lease.cpp; public so that tests can check it directly.

#include <cstdint>
#include <string_view>
#include <vector>

#include "net/dhcp/lease.hpp"

namespace podvisor::net::dhcp {

/// What kind of reply `build_reply` makes.
enum class reply_kind : std::uint8_t {
  offer,     ///< OFFER: yiaddr and lease options
  ack,       ///< ACK for a lease: yiaddr and lease options
  inform_ack, ///< ACK to an INFORM: configuration options, no yiaddr, no lease times
  nak,       ///< NAK: server identifier and a message only
};

/// "offer", "ack", "inform_ack", "nak"; "unknown" otherwise.
std::string_view to_string(reply_kind kind);

/// A reply to `request` with header fields set per RFC 2131 table 3 and the options the
/// client gets: 53, 54 and the request's 61 (RFC 6842) first, then 51, 58 and 59 for
/// leases. Configuration options follow the client's parameter request list order;
/// 1, 3, 6, 12, 15, 26 and 28 are sent unasked (udhcpc applies 26 without requesting it),
/// and so are the VMI's extras when configured: 42 NTP, 66 TFTP server, 67 boot file and
/// the private options 224..254 (as KubeVirt does; few clients ask for them). 119 and 121
/// go only when requested or when the client sent no list (they are large and clients
/// that do not ask ignore them).
///
/// When the encoded reply would exceed `max_reply_size(request)`, options are trimmed in
/// this order until it fits:
///   1. extras the client did not request: private options (the last configured first),
///      then 42, 66, 67;
///   2. search domains, dropped from the end of the list (the first one stays);
///   3. whole options the client did not request, then those it did, each pass in the
///      order private options, 42, 66, 67, 119, 121, 12, 15, 28, 26, 6, 3, 1.
/// So no network option is shortened or dropped while an unrequested extra is still in
/// the reply, and among requested options the extras go before the network options: the
/// guest's connectivity matters more than its boot file or time servers.
/// A client identifier too long to fit at all is not echoed. The codes touched are
/// appended to `trimmed`.
dhcp_packet build_reply(const lease_config& config, const dhcp_packet& request, reply_kind kind,
                        std::vector<std::uint8_t>& trimmed);

} // namespace podvisor::net::dhcp
