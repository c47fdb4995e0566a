#pragma once
// Bytes ↔ dhcp_packet. Parsing is bounded by the buffer and strict about structure
// (every length checked, the magic cookie, the END option); building never overloads
// sname/file and splits options longer than 255 bytes into instances (RFC 3396).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/error.hpp"
#include "net/dhcp/packet.hpp"

namespace podvisor::net::dhcp {

/// Size of the fixed BOOTP header (op .. file), before the magic cookie.
inline constexpr std::size_t bootp_header_size = 236;
/// Header plus the four-byte magic cookie: where the options start.
inline constexpr std::size_t options_offset = 240;
/// Smallest reply we send: old BOOTP relays and clients drop shorter ones (RFC 1542 §2.1).
inline constexpr std::size_t min_reply_size = 300;
/// Largest packet the parser accepts: a UDP payload cannot be longer.
inline constexpr std::size_t max_packet_size = 65535;
/// The DHCP message size every client must accept (RFC 2131 §2: 576-byte IP datagram
/// minus 20 bytes IP and 8 bytes UDP header).
inline constexpr std::size_t default_max_dhcp_size = 576 - 28;

/// Parses a DHCP message (the UDP payload). Errors have code `parse_error` and say what is
/// wrong and where ("truncated: 120 bytes, the fixed header needs 236", "option 53 at
/// offset 242: length 4 runs past the end of the options (2 bytes left)"). Plain BOOTP
/// (no magic cookie) is refused. Option overload (52) is honoured: options from `file`
/// and then `sname` are appended (RFC 3396 order) and those fields cleared; there the
/// field's end may stand in for END, as senders differ. Options of
/// known fixed size with a wrong length are refused.
expected<dhcp_packet> parse_packet(std::span<const std::uint8_t> bytes);

/// Encodes a message: header, magic cookie, options in order (each split into 255-byte
/// instances when longer), END, then padding up to `min_reply_size`. Options with code 0
/// or 255 in `p.options` are skipped (they are framing, not options).
std::vector<std::uint8_t> serialize(const dhcp_packet& p);

/// The largest DHCP message (UDP payload) a client accepts, from its option 57 (which
/// counts the IP and UDP headers, RFC 2132 §9.10); `default_max_dhcp_size` when absent or
/// below the legal minimum of 576.
std::size_t max_reply_size(const dhcp_packet& request);

} // namespace podvisor::net::dhcp
