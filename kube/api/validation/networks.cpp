// Interface and network rules of a VMI spec (KubeVirt's pkg/network/admitter: netiface.go,
// netsource.go, binding.go, passt.go, slirp.go).

#include <charconv>
#include <map>
#include <set>
#include <string>

#include "kube/api/validation/mac.hpp"
#include "kube/api/validation/names.hpp"
#include "kube/api/validation/spec_rules.hpp"

namespace podvisor::kube::api::detail {

namespace {

// Masquerade puts the gateway at .1 and the guest at .2 of vmNetworkCIDR; with the network
// and broadcast addresses that needs at least four addresses.
constexpr int max_vm_network_prefix = 30;

// The binding methods set on `iface`, by JSON name, in declaration order.
std::vector<std::string_view> bindings_of(const interface& iface) {
  std::vector<std::string_view> out;
  auto add = [&](bool set, std::string_view name) {
    if (set)
      out.push_back(name);
  };
  add(iface.bridge.has_value(), "bridge");
  add(iface.slirp.has_value(), "slirp");
  add(iface.masquerade.has_value(), "masquerade");
  add(iface.sriov.has_value(), "sriov");
  add(iface.macvtap.has_value(), "macvtap");
  add(iface.passt.has_value(), "passt");
  add(iface.passt_binding.has_value(), "passtBinding");
  add(iface.binding.has_value(), "binding");
  return out;
}

// Bindings that only make sense on the pod's own network.
bool pod_network_only(std::string_view binding) {
  return binding == "masquerade" || binding == "passt" || binding == "passtBinding"
         || binding == "slirp";
}

bool is_interface_name(std::string_view name) {
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
          || c == '_'))
      return false;
  return !name.empty();
}

// "a.b.c.d/n" with decimal octets without leading zeros (as Go's net.ParseCIDR wants);
// the prefix length, or -1.
int parse_ipv4_cidr(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos)
    return -1;
  auto addr = text.substr(0, slash);
  auto prefix = text.substr(slash + 1);
  int octets = 0;
  while (true) {
    auto dot = addr.find('.');
    auto part = addr.substr(0, dot);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc{} || end != part.data() + part.size() || value > 255
        || (part.size() > 1 && part.front() == '0'))
      return -1;
    ++octets;
    if (dot == std::string_view::npos)
      break;
    addr.remove_prefix(dot + 1);
  }
  if (octets != 4)
    return -1;
  int length = 0;
  auto [end, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), length);
  if (ec != std::errc{} || end != prefix.data() + prefix.size() || prefix.empty() || length > 32
      || (prefix.size() > 1 && prefix.front() == '0'))
    return -1;
  return length;
}

void validate_ports(const interface& iface, const field_path& at, field_errors& errors) {
  std::set<std::string_view> names;
  for (std::size_t j = 0; j < iface.ports.size(); ++j) {
    const auto& p = iface.ports[j];
    auto port_path = at.child("ports").index(j);
    if (p.port == 0)
      errors.push_back(field_required(port_path.child("port")));
    else if (p.port < 1 || p.port > 65535)
      errors.push_back(field_invalid(port_path.child("port"), render_int(p.port),
                                     "must be between 1 and 65535, inclusive"));
    // KubeVirt forwards TCP and UDP only (no SCTP), narrower than core/v1's protocol enum.
    if (!p.protocol_.empty() && p.protocol_ != protocol::tcp && p.protocol_ != protocol::udp)
      errors.push_back(field_unsupported(port_path.child("protocol"), quote(p.protocol_.raw()),
                                         R"("TCP", "UDP")"));
    if (p.name.empty())
      continue;
    add_invalid_each(errors, port_path.child("name"), p.name, is_port_name(p.name));
    if (!names.insert(p.name).second)
      errors.push_back(field_duplicate(port_path.child("name"), quote(p.name)));
  }
}

void validate_interface(const interface& iface, const network* net, const field_path& at,
                        field_errors& errors) {
  auto bindings = bindings_of(iface);
  if (bindings.empty())
    errors.push_back(field_required(
      at, "exactly one binding method must be set: bridge, masquerade, sriov, passtBinding, slirp or binding"));
  for (std::size_t b = 1; b < bindings.size(); ++b)
    errors.push_back(field_forbidden(at.child(bindings[b]), "may not specify more than 1 binding method"));
  for (auto b : bindings) {
    if (b == "macvtap")
      errors.push_back(field_forbidden(at.child(b),
                                       "the macvtap binding was discontinued; use a network binding plugin"));
    else if (pod_network_only(b) && net != nullptr && !net->pod)
      errors.push_back(field_forbidden(at.child(b), "is only supported on the pod network"));
  }
  if (iface.binding && iface.binding->name.empty())
    errors.push_back(field_required(at.child("binding", "name")));

  validate_mac_address(iface.mac_address, at.child("macAddress"), errors);
  if (!iface.pci_address.empty() && !is_pci_address(iface.pci_address))
    errors.push_back(field_invalid(at.child("pciAddress"), quote(iface.pci_address),
                                   "must be a PCI address of the form dddd:bb:ss.f (e.g. '0000:81:01.1')"));
  if (iface.boot_order && *iface.boot_order < 1)
    errors.push_back(field_invalid(at.child("bootOrder"), render_int(*iface.boot_order),
                                   "must be greater than or equal to 1"));
  if (iface.acpi_index < 0 || iface.acpi_index > 16383)
    errors.push_back(field_invalid(at.child("acpiIndex"), render_int(iface.acpi_index),
                                   "must be between 1 and 16383, inclusive"));
  if (iface.dhcp_options_) {
    const auto& opts = iface.dhcp_options_->private_options;
    for (std::size_t k = 0; k < opts.size(); ++k) {
      auto option_path = at.child("dhcpOptions", "privateOptions").index(k).child("option");
      if (opts[k].option < 224 || opts[k].option > 254)
        errors.push_back(field_invalid(option_path, render_int(opts[k].option), "must be between 224 and 254, inclusive"));
      // KubeVirt refuses duplicated private options too (a reply carries each code once).
      for (std::size_t j = 0; j < k; ++j)
        if (opts[j].option == opts[k].option) {
          errors.push_back(field_duplicate(option_path, render_int(opts[k].option)));
          break;
        }
    }
  }
  validate_ports(iface, at, errors);
}

void validate_network(const network& net, const field_path& at, field_errors& errors) {
  if (!net.pod && !net.multus)
    errors.push_back(field_required(at, "must specify a network type (pod or multus)"));
  else if (net.pod && net.multus)
    errors.push_back(field_forbidden(at.child("multus"), "may not specify more than 1 network type"));
  if (net.multus && net.multus->network_name.empty())
    errors.push_back(field_required(at.child("multus", "networkName")));
  if (net.pod && !net.pod->vm_network_cidr.empty()) {
    auto cidr_path = at.child("pod", "vmNetworkCIDR");
    int prefix = parse_ipv4_cidr(net.pod->vm_network_cidr);
    if (prefix < 0)
      errors.push_back(field_invalid(cidr_path, quote(net.pod->vm_network_cidr),
                                     "must be a valid IPv4 CIDR (e.g. '10.0.2.0/24')"));
    else if (prefix > max_vm_network_prefix)
      errors.push_back(field_invalid(cidr_path, quote(net.pod->vm_network_cidr),
                                     "must leave room for the gateway and the guest (prefix length at most "
                                       + std::to_string(max_vm_network_prefix) + ")"));
  }
}

} // namespace

void validate_networking(const domain_devices& devices, const std::vector<network>& networks,
                         const field_path& spec, field_errors& errors) {
  auto networks_path = spec.child("networks");
  std::map<std::string_view, const network*> by_name;
  bool pod_seen = false;
  bool multus_default_seen = false;
  for (std::size_t i = 0; i < networks.size(); ++i) {
    const auto& net = networks[i];
    auto at = networks_path.index(i);
    if (net.name.empty())
      errors.push_back(field_required(at.child("name")));
    else if (!by_name.emplace(net.name, &net).second)
      errors.push_back(field_duplicate(at.child("name"), quote(net.name)));
    validate_network(net, at, errors);
    if (net.pod) {
      if (pod_seen)
        errors.push_back(field_forbidden(at.child("pod"), "only one network may be the pod network"));
      pod_seen = true;
    }
    if (net.multus && net.multus->default_) {
      if (multus_default_seen)
        errors.push_back(field_forbidden(at.child("multus", "default"),
                                         "only one multus network may be the default network"));
      multus_default_seen = true;
    }
  }
  // The pod network is the default network; a multus default replaces it.
  if (pod_seen && multus_default_seen)
    for (std::size_t i = 0; i < networks.size(); ++i)
      if (networks[i].multus && networks[i].multus->default_)
        errors.push_back(field_forbidden(networks_path.index(i).child("multus", "default"),
                                         "may not be set when a pod network is defined"));

  auto ifaces_path = spec.child("domain", "devices", "interfaces");
  std::set<std::string_view> iface_names;
  for (std::size_t i = 0; i < devices.interfaces.size(); ++i) {
    const auto& iface = devices.interfaces[i];
    auto at = ifaces_path.index(i);
    const network* net = nullptr;
    if (iface.name.empty()) {
      errors.push_back(field_required(at.child("name")));
    } else {
      if (!is_interface_name(iface.name))
        errors.push_back(field_invalid(at.child("name"), quote(iface.name),
                                       "must consist of alphanumeric characters, '-' or '_'"));
      if (!iface_names.insert(iface.name).second)
        errors.push_back(field_duplicate(at.child("name"), quote(iface.name)));
      else if (auto it = by_name.find(iface.name); it == by_name.end())
        errors.push_back(field_not_found(at.child("name"), quote(iface.name)));
      else
        net = it->second;
    }
    validate_interface(iface, net, at, errors);
  }

  for (std::size_t i = 0; i < networks.size(); ++i) {
    const auto& name = networks[i].name;
    auto it = by_name.find(name);
    bool first_of_name = it != by_name.end() && it->second == &networks[i];
    if (first_of_name && !iface_names.contains(name))
      errors.push_back(field_invalid(networks_path.index(i).child("name"), quote(name),
                                     "must be used by an interface of the same name"));
  }
}

} // namespace podvisor::kube::api::detail
