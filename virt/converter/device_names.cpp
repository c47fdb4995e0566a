#include "virt/converter/device_names.hpp"

#include <string_view>

namespace podvisor::virt {

namespace {

constexpr std::string_view user_alias_prefix = "ua-";

void add(std::map<std::string, std::string>& out, const std::string& target, const std::string& alias) {
  if (target.empty() || !alias.starts_with(user_alias_prefix) || alias.size() == user_alias_prefix.size())
    return;
  out.emplace(target, alias.substr(user_alias_prefix.size()));
}

} // namespace

device_names device_names_of(const domain& d) {
  device_names out;
  for (const auto& i : d.devices.interfaces)
    add(out.interfaces, i.tap, i.alias);
  for (const auto& disk : d.devices.disks)
    add(out.disks, disk.target_dev, disk.alias);
  return out;
}

} // namespace podvisor::virt
