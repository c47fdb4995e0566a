// DHCP message parsing: every read is bounds-checked against the span, so no input can
// make it read outside the buffer; errors name the offset and the rule broken.
#include <algorithm>
#include <string>

#include "net/dhcp/codec.hpp"

namespace podvisor::net::dhcp {

namespace {

constexpr std::uint8_t magic_cookie[4] = {99, 130, 83, 99};

error fail(std::string message) {
  return error{errc::parse_error, std::move(message)};
}

ipv4_address read_address(std::span<const std::uint8_t> b, std::size_t at) {
  return ipv4_address{{b[at], b[at + 1], b[at + 2], b[at + 3]}};
}

// Walks one option area ("options", "file" or "sname") and appends every option to
// `out`, concatenating repeated codes (RFC 3396). `need_end` is true for the options
// field, whose END is mandatory; the overloaded fields may also end at their boundary.
error read_options(std::span<const std::uint8_t> area, std::size_t base, std::string_view where,
                   bool need_end, std::vector<dhcp_option>& out) {
  std::size_t i = 0;
  while (i < area.size()) {
    std::uint8_t code = area[i];
    if (code == static_cast<std::uint8_t>(option_code::pad)) {
      ++i;
      continue;
    }
    if (code == static_cast<std::uint8_t>(option_code::end))
      return {};
    if (i + 1 >= area.size())
      return fail("option " + std::to_string(code) + " at offset " + std::to_string(base + i) +
                  " in " + std::string(where) + ": truncated before its length byte");
    std::size_t len = area[i + 1];
    if (i + 2 + len > area.size())
      return fail("option " + std::to_string(code) + " at offset " + std::to_string(base + i) +
                  " in " + std::string(where) + ": length " + std::to_string(len) +
                  " runs past the end (" + std::to_string(area.size() - i - 2) + " bytes left)");
    auto value = area.subspan(i + 2, len);
    auto it = std::find_if(out.begin(), out.end(), [code](const dhcp_option& o) { return o.code == code; });
    if (it == out.end())
      out.push_back(dhcp_option{code, {value.begin(), value.end()}});
    else
      it->data.insert(it->data.end(), value.begin(), value.end());
    i += 2 + len;
  }
  if (need_end)
    return fail(std::string(where) + " end without the END option (255)");
  return {};
}

// Options whose value has a fixed size or granularity (RFC 2132); checked after RFC 3396
// concatenation, as that RFC requires.
error check_lengths(const std::vector<dhcp_option>& options) {
  for (const auto& o : options) {
    std::size_t n = o.data.size();
    bool ok = true;
    std::string rule;
    switch (static_cast<option_code>(o.code)) {
    case option_code::message_type:
    case option_code::overload:
      ok = n == 1;
      rule = "1";
      break;
    case option_code::max_message_size:
      ok = n == 2;
      rule = "2";
      break;
    case option_code::subnet_mask:
    case option_code::broadcast_address:
    case option_code::requested_address:
    case option_code::server_identifier:
    case option_code::lease_time:
    case option_code::renewal_time:
    case option_code::rebinding_time:
      ok = n == 4;
      rule = "4";
      break;
    case option_code::interface_mtu:
      ok = n == 2;
      rule = "2";
      break;
    case option_code::router:
    case option_code::dns_servers:
      ok = n >= 4 && n % 4 == 0;
      rule = "a non-zero multiple of 4";
      break;
    case option_code::client_identifier:
      ok = n >= 2;
      rule = "at least 2";
      break;
    case option_code::parameter_request_list:
    case option_code::hostname:
    case option_code::domain_name:
      ok = n >= 1;
      rule = "at least 1";
      break;
    default:
      break;
    }
    if (!ok)
      return fail("option " + std::to_string(o.code) + " (" + std::string(to_string(static_cast<option_code>(o.code))) +
                  "): length " + std::to_string(n) + ", must be " + rule);
  }
  return {};
}

} // namespace

expected<dhcp_packet> parse_packet(std::span<const std::uint8_t> b) {
  if (b.size() > max_packet_size)
    return fail("oversized: " + std::to_string(b.size()) + " bytes, at most " + std::to_string(max_packet_size));
  if (b.size() < bootp_header_size)
    return fail("truncated: " + std::to_string(b.size()) + " bytes, the fixed header needs " +
                std::to_string(bootp_header_size));
  if (b.size() < options_offset)
    return fail("truncated: " + std::to_string(b.size()) + " bytes, no room for the magic cookie");
  if (!std::equal(std::begin(magic_cookie), std::end(magic_cookie), b.begin() + bootp_header_size))
    return fail("bad magic cookie (plain BOOTP is not served)");

  dhcp_packet p;
  if (b[0] != 1 && b[0] != 2)
    return fail("bad op " + std::to_string(b[0]) + " (1 request, 2 reply)");
  p.op = static_cast<bootp_op>(b[0]);
  p.htype = b[1];
  p.hlen = b[2];
  if (p.hlen > p.chaddr.size())
    return fail("bad hlen " + std::to_string(p.hlen) + " (at most 16)");
  p.hops = b[3];
  p.xid = (std::uint32_t{b[4]} << 24) | (std::uint32_t{b[5]} << 16) | (std::uint32_t{b[6]} << 8) | b[7];
  p.secs = static_cast<std::uint16_t>((b[8] << 8) | b[9]);
  p.flags = static_cast<std::uint16_t>((b[10] << 8) | b[11]);
  p.ciaddr = read_address(b, 12);
  p.yiaddr = read_address(b, 16);
  p.siaddr = read_address(b, 20);
  p.giaddr = read_address(b, 24);
  std::copy_n(b.begin() + 28, 16, p.chaddr.begin());
  std::copy_n(b.begin() + 44, 64, p.sname.begin());
  std::copy_n(b.begin() + 108, 128, p.file.begin());

  if (auto e = read_options(b.subspan(options_offset), options_offset, "options", true, p.options))
    return e;
  if (const auto* o = p.find(option_code::overload)) {
    if (o->data.size() != 1 || o->data[0] < 1 || o->data[0] > 3)
      return fail("option 52 (overload): value must be one byte 1, 2 or 3");
    std::uint8_t which = o->data[0];
    p.remove(option_code::overload);
    // RFC 3396 §6: the options field, then file, then sname.
    if ((which & 1) != 0) {
      if (auto e = read_options(p.file, 108, "file", false, p.options))
        return e;
      p.file.fill(0);
    }
    if ((which & 2) != 0) {
      if (auto e = read_options(p.sname, 44, "sname", false, p.options))
        return e;
      p.sname.fill(0);
    }
    // An overload option inside the overloaded fields means nothing more; drop it so that
    // the packet re-encodes without claiming overload.
    p.remove(option_code::overload);
  }
  if (auto e = check_lengths(p.options))
    return e;
  return p;
}

} // namespace podvisor::net::dhcp
