#pragma once
// Stable SMBIOS UUIDs for guests. KubeVirt derives a VM's firmware UUID from its name
// (a name-based UUID, RFC 4122 version 5, in a fixed namespace), so that a guest keeps
// its identity across restarts; Podvisor does the same for VMs and, so that standalone
// VMIs are reproducible too, for VMIs (KubeVirt gives those a random one).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace podvisor::kube::api {

/// A UUID as 16 bytes, in network byte order.
using uuid_bytes = std::array<std::uint8_t, 16>;

/// SHA-1 of `data` (FIPS 180-4). Only for name-based UUIDs, not for anything secret.
std::array<std::uint8_t, 20> sha1(std::string_view data);

/// RFC 4122 version 5 (SHA-1, name-based) UUID of `name` in namespace `ns`.
uuid_bytes uuid_v5(const uuid_bytes& ns, std::string_view name);

/// Canonical lower-case text form, 8-4-4-4-12 hex digits.
std::string format_uuid(const uuid_bytes& id);

/// The namespace KubeVirt uses for firmware UUIDs: 6a1a24a1-4061-4607-8bf4-a3963d0c5895.
inline constexpr uuid_bytes firmware_uuid_namespace = {0x6a, 0x1a, 0x24, 0xa1, 0x40, 0x61, 0x46, 0x07,
                                                       0x8b, 0xf4, 0xa3, 0x96, 0x3d, 0x0c, 0x58, 0x95};

/// The firmware UUID of the VM (or VMI) named `name`, as KubeVirt computes it for VMs.
std::string firmware_uuid_for(std::string_view name);

} // namespace podvisor::kube::api
