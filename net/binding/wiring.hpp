#pragma once
// Idempotent steps both bindings are made of: "make sure this link exists, is of this
// kind, is up, sits in this bridge". Each one checks the kernel first and changes only
// what differs, so a re-run after a crash finishes the job without errors. Internal to
// net/binding.

#include <cstdint>
#include <optional>
#include <string>

#include <sys/types.h>

#include "common/error.hpp"
#include "net/binding/netlink.hpp"

namespace podvisor::net::binding::wiring {

/// already_exists unless no interface is called `name` (phase 1 creates only on free
/// names, so teardown never deletes what it did not create).
error require_free(rtnl& nl, const std::string& name);

/// The bridge `name` with `mac` and `mtu`, up, holding `address`; created if missing,
/// conflict if the name is another kind of link.
expected<link_info> ensure_bridge(rtnl& nl, const std::string& name, const dhcp::mac_address& mac, std::uint32_t mtu,
                                  const address_info& address);

/// The persistent tap `name` owned by `owner`, with `mtu`, enslaved to `bridge`, up.
error ensure_tap_port(rtnl& nl, const std::string& name, std::optional<uid_t> owner, std::uint32_t mtu, int bridge);

/// Deletes `name` if it exists and is of `kind` (any kind when empty).
error remove_link(rtnl& nl, const std::string& name, const std::string& kind = {});

/// `name` cut to 15 bytes, the kernel's limit.
std::string ifname(std::string name);

} // namespace podvisor::net::binding::wiring
