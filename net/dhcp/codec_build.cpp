// DHCP message encoding. We never overload sname/file when building: replies that would
// not fit are trimmed by the lease logic instead, which every client understands.
#include <algorithm>

#include "net/dhcp/codec.hpp"

namespace podvisor::net::dhcp {

namespace {

void put_address(std::vector<std::uint8_t>& out, const ipv4_address& a) {
  out.insert(out.end(), a.octets.begin(), a.octets.end());
}

} // namespace

std::vector<std::uint8_t> serialize(const dhcp_packet& p) {
  std::vector<std::uint8_t> out;
  out.reserve(min_reply_size);
  out.push_back(static_cast<std::uint8_t>(p.op));
  out.push_back(p.htype);
  out.push_back(p.hlen);
  out.push_back(p.hops);
  put_u32(out, p.xid);
  out.push_back(static_cast<std::uint8_t>(p.secs >> 8));
  out.push_back(static_cast<std::uint8_t>(p.secs));
  out.push_back(static_cast<std::uint8_t>(p.flags >> 8));
  out.push_back(static_cast<std::uint8_t>(p.flags));
  put_address(out, p.ciaddr);
  put_address(out, p.yiaddr);
  put_address(out, p.siaddr);
  put_address(out, p.giaddr);
  out.insert(out.end(), p.chaddr.begin(), p.chaddr.end());
  out.insert(out.end(), p.sname.begin(), p.sname.end());
  out.insert(out.end(), p.file.begin(), p.file.end());
  out.insert(out.end(), {99, 130, 83, 99});
  for (const auto& o : p.options) {
    if (o.code == static_cast<std::uint8_t>(option_code::pad) ||
        o.code == static_cast<std::uint8_t>(option_code::end))
      continue;
    // RFC 3396: a value longer than 255 bytes goes out as consecutive instances of the
    // same code; an empty value is still one instance of length 0.
    std::size_t at = 0;
    do {
      std::size_t chunk = std::min<std::size_t>(255, o.data.size() - at);
      out.push_back(o.code);
      out.push_back(static_cast<std::uint8_t>(chunk));
      out.insert(out.end(), o.data.begin() + static_cast<std::ptrdiff_t>(at),
                 o.data.begin() + static_cast<std::ptrdiff_t>(at + chunk));
      at += chunk;
    } while (at < o.data.size());
  }
  out.push_back(static_cast<std::uint8_t>(option_code::end));
  if (out.size() < min_reply_size)
    out.resize(min_reply_size, 0);
  return out;
}

std::size_t max_reply_size(const dhcp_packet& request) {
  auto declared = request.max_message_size();
  if (!declared || *declared < 576)
    return default_max_dhcp_size;
  return std::size_t{*declared} - 28;
}

} // namespace podvisor::net::dhcp
