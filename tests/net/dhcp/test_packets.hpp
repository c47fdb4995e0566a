#pragma once
// Shared helpers for the net/dhcp tests: the served configuration, requests built field
// by field, and the hex seed files of tests/testdata/dhcp.

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "net/dhcp/lease.hpp"
#include "net/dhcp/packet.hpp"

namespace podvisor::net::dhcp::test {

inline ipv4_address ip(const char* text) {
  return *parse_ipv4(text);
}

inline const mac_address guest_mac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
inline const mac_address other_mac{{0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc}};

/// KubeVirt's masquerade defaults: guest 10.0.2.2/24, gateway and server 10.0.2.1.
inline lease_config masquerade_config() {
  lease_config c;
  c.client_mac = guest_mac;
  c.address = ip("10.0.2.2");
  c.prefix = 24;
  c.gateway = ip("10.0.2.1");
  c.dns_servers = {ip("10.96.0.10")};
  c.search_domains = {"default.svc.cluster.local", "svc.cluster.local", "cluster.local"};
  c.domain_name = "cluster.local";
  c.mtu = 1450;
  c.hostname = "web-1";
  c.server_address = ip("10.0.2.1");
  return c;
}

/// A request of `type` from `mac` with the given options (53 is added first).
inline dhcp_packet request(message_type type, const mac_address& mac = guest_mac) {
  dhcp_packet p;
  p.op = bootp_op::request;
  p.xid = 0x11223344;
  std::copy(mac.octets.begin(), mac.octets.end(), p.chaddr.begin());
  p.set(option_code::message_type, {static_cast<std::uint8_t>(type)});
  return p;
}

/// Reads a hex file (whitespace-separated bytes, `#` comments) from tests/testdata/dhcp.
inline std::vector<std::uint8_t> read_hex(const std::string& name) {
  std::ifstream in(std::string(PODVISOR_SOURCE_DIR) + "/tests/testdata/dhcp/" + name);
  std::vector<std::uint8_t> out;
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string word;
    while (words >> word)
      out.push_back(static_cast<std::uint8_t>(std::stoul(word, nullptr, 16)));
  }
  return out;
}

} // namespace podvisor::net::dhcp::test
