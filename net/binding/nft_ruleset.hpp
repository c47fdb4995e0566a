#pragma once
// The masquerade binding's nftables ruleset as text, and loading it in-process with
// libnftables (nft_run_cmd_from_buffer) in the calling thread's namespace. The text is
// one transaction that creates the table, deletes it and creates it again with its
// chains, so a reload replaces the previous rules atomically and works whether or not
// the table existed (nft 1.0.6 has no `destroy`):
//
//   table ip podvisor
//   delete table ip podvisor
//   table ip podvisor {
//     chain prerouting  { type nat hook prerouting priority dstnat; policy accept;
//                         iifname "eth0" tcp dport { 8443 } return          (excluded)
//                         iifname "eth0" ip daddr 10.244.1.5 dnat to 10.0.2.2 }
//     chain output      { type nat hook output priority -100; policy accept;
//                         ip daddr 10.244.1.5 dnat to 10.0.2.2 }     (the pod to itself)
//     chain postrouting { type nat hook postrouting priority srcnat; policy accept;
//                         ip saddr 10.0.2.2 oifname "eth0" masquerade }
//   }

#include <string>
#include <vector>

#include "common/error.hpp"
#include "net/binding/binding_state.hpp"
#include "net/dhcp/address.hpp"

namespace podvisor::net::binding {

/// Inputs of the masquerade ruleset.
struct masquerade_rules {
  /// Table name (family ip).
  std::string table = "podvisor";
  /// The pod interface and its address: inbound traffic to it goes to the guest.
  std::string pod_interface;
  dhcp::ipv4_address pod_address;
  /// The guest's private address (10.0.2.2 by default).
  dhcp::ipv4_address guest_address;
  /// Forward only these; empty: every port (and every protocol).
  std::vector<port_spec> ports;
  /// Never forwarded: the pod's own services (the launcher's endpoints, a mesh proxy).
  std::vector<port_spec> excluded;
};

/// The ruleset text above; invalid_argument for names nft could misread (quotes,
/// spaces, an empty interface) or a port 0.
expected<std::string> render_masquerade_ruleset(const masquerade_rules& rules);

/// The text that removes `table` (family ip) whether or not it exists.
std::string render_delete_table(const std::string& table);

/// Runs nft commands in-process; io_error with nft's own message on failure.
error run_nft(const std::string& commands);

} // namespace podvisor::net::binding
