#pragma once
// kubevirt.io/v1 network interfaces (the guest NIC: model, binding, MAC, ports, DHCP
// extras) and networks (what the NIC is connected to: the pod network or a Multus
// network). Interfaces and networks are matched by name.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/core/container.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/kubevirt/common.hpp"

namespace podvisor::kube::api {

/// Interface model: the NIC the guest sees.
enum class interface_model { virtio, e1000, e1000e, igb, ne2k_pci, pcnet, rtl8139 };

template <>
struct enum_table<interface_model> {
  static constexpr std::array entries = {
    enum_entry{interface_model::virtio, "virtio"},
    enum_entry{interface_model::e1000, "e1000"},
    enum_entry{interface_model::e1000e, "e1000e"},
    enum_entry{interface_model::igb, "igb"},
    enum_entry{interface_model::ne2k_pci, "ne2k_pci"},
    enum_entry{interface_model::pcnet, "pcnet"},
    enum_entry{interface_model::rtl8139, "rtl8139"},
  };
};

/// InterfaceState: the requested link state; empty means up.
enum class interface_state { absent, up, down };

template <>
struct enum_table<interface_state> {
  static constexpr std::array entries = {
    enum_entry{interface_state::absent, "absent"},
    enum_entry{interface_state::up, "up"},
    enum_entry{interface_state::down, "down"},
  };
};

/// Port: a port forwarded to the guest (masquerade and passt bindings).
struct interface_port {
  std::string name;
  enum_field<protocol> protocol_; ///< JSON "protocol"; TCP when empty, KubeVirt accepts TCP and UDP
  std::int32_t port = 0;
  unknown_fields unknown;
  bool operator==(const interface_port&) const = default;
};

template <class F>
void describe(F& f, interface_port& x) {
  f("name", x.name, {.doc = "Name services can refer to the port by."});
  f("protocol", x.protocol_, {.doc = "TCP (default) or UDP."});
  f("port", x.port, {.required = true, .doc = "Port number, 1 to 65535."});
}

/// DHCPPrivateOptions: one site-specific DHCP option (code 224 to 254).
struct dhcp_private_option {
  std::int32_t option = 0;
  std::string value;
  unknown_fields unknown;
  bool operator==(const dhcp_private_option&) const = default;
};

template <class F>
void describe(F& f, dhcp_private_option& x) {
  f("option", x.option, {.required = true, .doc = "Option code, 224 to 254."});
  f("value", x.value, {.required = true, .doc = "Option value."});
}

/// DHCPOptions: extra options the DHCP responder hands this NIC.
struct dhcp_options {
  std::string boot_file_name;
  std::string tftp_server_name;
  std::vector<std::string> ntp_servers;
  std::vector<dhcp_private_option> private_options;
  unknown_fields unknown;
  bool operator==(const dhcp_options&) const = default;
};

template <class F>
void describe(F& f, dhcp_options& x) {
  f("bootFileName", x.boot_file_name, {.doc = "Boot file name (DHCP option 67)."});
  f("tftpServerName", x.tftp_server_name, {.doc = "TFTP server name (DHCP option 66)."});
  f("ntpServers", x.ntp_servers, {.doc = "NTP servers (DHCP option 42)."});
  f("privateOptions", x.private_options, {.doc = "Site-specific options, codes 224 to 254."});
}

/// PluginBinding: a binding implemented by a network binding plugin.
struct plugin_binding {
  std::string name;
  unknown_fields unknown;
  bool operator==(const plugin_binding&) const = default;
};

template <class F>
void describe(F& f, plugin_binding& x) {
  f("name", x.name, {.required = true, .doc = "Name of the binding plugin as registered in the cluster configuration."});
}

/// How an interface is connected to its network; at most one is set.
enum class binding_method { none, bridge, masquerade, sriov, passt, passt_binding, slirp, macvtap, plugin };

template <>
struct enum_table<binding_method> {
  static constexpr std::array entries = {
    enum_entry{binding_method::none, ""},
    enum_entry{binding_method::bridge, "bridge"},
    enum_entry{binding_method::masquerade, "masquerade"},
    enum_entry{binding_method::sriov, "sriov"},
    enum_entry{binding_method::passt, "passt"},
    enum_entry{binding_method::passt_binding, "passtBinding"},
    enum_entry{binding_method::slirp, "slirp"},
    enum_entry{binding_method::macvtap, "macvtap"},
    enum_entry{binding_method::plugin, "binding"},
  };
};

/// Interface: one guest NIC, bound to the network of the same name.
struct interface {
  std::string name;
  enum_field<interface_model> model;
  std::optional<empty_object> bridge;
  std::optional<empty_object> slirp;   ///< deprecated, removed in KubeVirt 1.3
  std::optional<empty_object> masquerade;
  std::optional<empty_object> sriov;
  std::optional<empty_object> macvtap; ///< deprecated, removed in KubeVirt 1.3
  std::optional<empty_object> passt;   ///< deprecated alias of passtBinding
  std::optional<empty_object> passt_binding;
  std::optional<plugin_binding> binding;
  std::vector<interface_port> ports;
  std::string mac_address;
  std::optional<std::uint32_t> boot_order;
  std::string pci_address;
  std::optional<dhcp_options> dhcp_options_;
  std::string tag;
  std::int32_t acpi_index = 0;
  enum_field<interface_state> state;
  unknown_fields unknown;
  bool operator==(const interface&) const = default;
};

template <class F>
void describe(F& f, interface& x) {
  f("name", x.name, {.required = true, .doc = "Interface name; matches the name of a network."});
  f("model", x.model, {.doc = "NIC model: virtio (default), e1000, e1000e, igb, ne2k_pci, pcnet or rtl8139."});
  f("bridge", x.bridge, {.doc = "Connect through a Linux bridge in the pod; the guest gets the pod's address."});
  f("slirp", x.slirp, {.doc = "Deprecated (removed in KubeVirt 1.3): QEMU user networking."});
  f("masquerade", x.masquerade, {.doc = "Connect through NAT in the pod; the guest gets a private address."});
  f("sriov", x.sriov, {.doc = "Pass an SR-IOV virtual function through to the guest."});
  f("macvtap", x.macvtap, {.doc = "Deprecated (removed in KubeVirt 1.3): macvtap on a node network."});
  f("passt", x.passt, {.doc = "Deprecated alias of passtBinding."});
  f("passtBinding", x.passt_binding, {.doc = "Connect through passt user-mode networking."});
  f("binding", x.binding, {.doc = "Connect through a network binding plugin."});
  f("ports", x.ports, {.doc = "Ports forwarded to the guest; empty forwards all."});
  f("macAddress", x.mac_address, {.doc = "MAC address, e.g. de:ad:00:00:be:af."});
  f("bootOrder", x.boot_order, {.doc = "Boot priority, 1 first; unique across disks and interfaces."});
  f("pciAddress", x.pci_address, {.doc = "Guest PCI address, e.g. 0000:81:01.10."});
  f("dhcpOptions", x.dhcp_options_, {.doc = "Extra DHCP options for this interface."});
  f("tag", x.tag, {.doc = "Tag passed to the guest in the config drive metadata."});
  f("acpiIndex", x.acpi_index, {.doc = "ACPI index for stable guest NIC names, 1 to 16383."});
  f("state", x.state, {.doc = "Requested link state: up (default), down or absent (remove)."});
}

/// The binding methods set on `iface` (more than one is a validation error).
inline std::size_t binding_count(const interface& iface) {
  return static_cast<std::size_t>(iface.bridge.has_value()) + iface.slirp.has_value()
         + iface.masquerade.has_value() + iface.sriov.has_value() + iface.macvtap.has_value()
         + iface.passt.has_value() + iface.passt_binding.has_value() + iface.binding.has_value();
}

/// The binding method of `iface`: the first one set, or none.
inline binding_method binding_of(const interface& iface) {
  if (iface.bridge)
    return binding_method::bridge;
  if (iface.masquerade)
    return binding_method::masquerade;
  if (iface.sriov)
    return binding_method::sriov;
  if (iface.passt)
    return binding_method::passt;
  if (iface.passt_binding)
    return binding_method::passt_binding;
  if (iface.slirp)
    return binding_method::slirp;
  if (iface.macvtap)
    return binding_method::macvtap;
  if (iface.binding)
    return binding_method::plugin;
  return binding_method::none;
}

/// PodNetwork: the pod's own network. Empty CIDRs mean the masquerade defaults
/// (10.0.2.0/24 and fd10:0:2::/120), applied by the binding, not written here.
struct pod_network {
  std::string vm_network_cidr;
  std::string vm_ipv6_network_cidr;
  unknown_fields unknown;
  bool operator==(const pod_network&) const = default;
};

template <class F>
void describe(F& f, pod_network& x) {
  f("vmNetworkCIDR", x.vm_network_cidr, {.doc = "IPv4 network of the guest behind masquerade; default 10.0.2.0/24."});
  f("vmIPv6NetworkCIDR", x.vm_ipv6_network_cidr,
    {.doc = "IPv6 network of the guest behind masquerade; default fd10:0:2::/120."});
}

/// MultusNetwork: a network defined by a NetworkAttachmentDefinition.
struct multus_network {
  std::string network_name;
  bool default_ = false; ///< JSON "default"
  unknown_fields unknown;
  bool operator==(const multus_network&) const = default;
};

template <class F>
void describe(F& f, multus_network& x) {
  f("networkName", x.network_name, {.required = true, .doc = "NetworkAttachmentDefinition as <name> or <namespace>/<name>."});
  f("default", x.default_, {.doc = "Use this network as the pod's default network."});
}

/// Network: what an interface of the same name connects to; exactly one source.
struct network {
  std::string name;
  std::optional<pod_network> pod;
  std::optional<multus_network> multus;
  unknown_fields unknown;
  bool operator==(const network&) const = default;
};

template <class F>
void describe(F& f, network& x) {
  f("name", x.name, {.required = true, .doc = "Network name; unique within the VMI."});
  f("pod", x.pod, {.doc = "The pod network."});
  f("multus", x.multus, {.doc = "A Multus network."});
}

} // namespace podvisor::kube::api
