#include "virt/converter/interfaces_configurator.hpp"

#include <cctype>

namespace podvisor::virt {
namespace {

namespace api = kube::api;

bool tap_based(const api::interface& iface) {
  auto binding = api::binding_of(iface);
  return binding == api::binding_method::bridge || binding == api::binding_method::masquerade
         || binding == api::binding_method::none;
}

/// MACs compare case-insensitively: the binding may print them in another case.
bool same_mac(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

} // namespace

void check_interfaces(const converter_input& in, conversion_problems& problems) {
  for (const auto& iface : in.vmi.spec.domain.devices.interfaces) {
    if (iface.state == api::interface_state::absent)
      continue;
    const std::string where = "spec.domain.devices.interfaces[" + iface.name + "]";
    if (!tap_based(iface)) {
      problems.unsupported.emplace_back(where + ": binding " + std::string(api::to_string(api::binding_of(iface))));
      continue;
    }
    if (!iface.pci_address.empty())
      problems.unsupported.emplace_back(where + ".pciAddress");
    if (!iface.model.empty() && !iface.model.known())
      problems.invalid.emplace_back(where + ".model: unknown model " + iface.model.raw());
    auto fact = in.interfaces.find(iface.name);
    if (fact == in.interfaces.end() || fact->second.tap.empty()) {
      problems.invalid.emplace_back(where + ": no tap prepared by the network binding");
      continue;
    }
    if (!iface.mac_address.empty() && !fact->second.mac.empty() && !same_mac(iface.mac_address, fact->second.mac))
      problems.invalid.emplace_back(where + ": the binding prepared MAC " + fact->second.mac + ", the spec asks for "
                                    + iface.mac_address);
  }
}

void configure_interfaces(const converter_input& in, domain& d) {
  d.devices.interfaces.clear();
  for (const auto& spec : in.vmi.spec.domain.devices.interfaces) {
    if (spec.state == api::interface_state::absent)
      continue;
    const auto& fact = in.interfaces.at(spec.name);
    interface out;
    out.tap = fact.tap;
    out.mac = fact.mac.empty() ? spec.mac_address : fact.mac;
    out.model = spec.model.empty() ? "virtio" : spec.model.raw();
    out.boot_order = spec.boot_order;
    out.link_down = spec.state == api::interface_state::down;
    out.acpi_index = static_cast<std::uint32_t>(spec.acpi_index > 0 ? spec.acpi_index : 0);
    out.alias = "ua-" + spec.name;
    d.devices.interfaces.push_back(std::move(out));
  }
}

} // namespace podvisor::virt
