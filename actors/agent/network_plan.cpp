#include "actors/agent/network_plan.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace podvisor::actors::agent {

namespace {

using nlohmann::json;

const json* find_network(const json& vmi, const std::string& name) {
  auto spec = vmi.find("spec");
  if (spec == vmi.end() || !spec->is_object())
    return nullptr;
  auto networks = spec->find("networks");
  if (networks == spec->end() || !networks->is_array())
    return nullptr;
  for (const auto& n : *networks)
    if (n.is_object() && n.value("name", "") == name)
      return &n;
  return nullptr;
}

} // namespace

expected<std::vector<interface_plan>> plan_interfaces(const json& vmi, const std::filesystem::path& vmi_dir) {
  std::vector<interface_plan> plans;
  const json* interfaces = nullptr;
  if (vmi.is_object()) {
    auto p = json::json_pointer("/spec/domain/devices/interfaces");
    if (vmi.contains(p) && vmi.at(p).is_array())
      interfaces = &vmi.at(p);
  }
  if (interfaces == nullptr)
    return plans;
  const std::string hostname = [&] {
    auto spec = vmi.find("spec");
    if (spec != vmi.end() && spec->is_object() && spec->value("hostname", "") != "")
      return spec->value("hostname", "");
    return vmi.contains("metadata") ? vmi["metadata"].value("name", "") : std::string{};
  }();
  for (const auto& iface : *interfaces) {
    if (!iface.is_object())
      return error{errc::invalid_argument, "spec.domain.devices.interfaces: an entry is not an object"};
    interface_plan plan;
    plan.name = iface.value("name", "");
    const json* network = find_network(vmi, plan.name);
    if (network == nullptr)
      return error{errc::invalid_argument, "interface \"" + plan.name + "\" has no network of the same name"};
    if (!network->contains("pod"))
      return error{errc::unsupported,
                   "interface \"" + plan.name + "\": the node agent wires only the pod network (not multus)"};
    if (iface.contains("masquerade")) {
      plan.binding = "masquerade";
    } else if (iface.contains("bridge")) {
      plan.binding = "bridge";
    } else {
      for (const char* other : {"sriov", "slirp", "macvtap", "passt", "passtBinding", "binding"})
        if (iface.contains(other))
          return error{errc::unsupported, "interface \"" + plan.name + "\": binding " + other +
                                            " is not supported (masquerade or bridge)"};
      plan.binding = "bridge";
    }
    plan.mac = iface.value("macAddress", "");
    if (auto ports = iface.find("ports"); ports != iface.end() && ports->is_array()) {
      for (const auto& p : *ports) {
        if (!p.is_object() || !p.contains("port") || !p["port"].is_number_integer())
          return error{errc::invalid_argument, "interface \"" + plan.name + "\": a port without a number"};
        std::string proto = p.value("protocol", "TCP");
        std::transform(proto.begin(), proto.end(), proto.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        plan.ports.push_back(proto + ":" + std::to_string(p["port"].get<long long>()));
      }
    }
    if (auto& pod = (*network)["pod"]; pod.is_object())
      plan.vm_network_cidr = pod.value("vmNetworkCIDR", "");
    plan.hostname = hostname;
    plan.state_path = vmi_dir / ("net-" + plan.name + ".json");
    plans.push_back(std::move(plan));
  }
  return plans;
}

} // namespace podvisor::actors::agent
