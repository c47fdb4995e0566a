#include "cmd/podvisor-launcher/vm_setup.hpp"

#include "common/format.hpp"
#include "kube/api/codec.hpp"
#include "kube/api/kubevirt/admission.hpp"
#include "kube/api/kubevirt/vmi.hpp"
#include "kube/api/manifest.hpp"
#include "net/binding/state_codec.hpp"
#include "virt/converter/converter.hpp"
#include "virt/converter/device_names.hpp"
#include "virt/domain/domain_xml.hpp"
#include "virt/kvm_probe.hpp"

namespace podvisor::launcher_cmd {

namespace api = podvisor::kube::api;

namespace {

// KubeVirt's default when the VMI does not say (virtualmachineinstance_types.go).
constexpr std::int64_t default_grace_period_s = 30;

struct accel_decision {
  virt::domain_type type;
  std::string name, reason;
};

accel_decision decide_accel(accel_choice choice) {
  switch (choice) {
  case accel_choice::kvm: return {virt::domain_type::kvm, "kvm", "forced with --accel kvm"};
  case accel_choice::tcg: return {virt::domain_type::qemu, "tcg", "forced with --accel tcg"};
  case accel_choice::auto_detect: break;
  }
  auto probe = virt::probe_kvm();
  if (probe.usable)
    return {virt::domain_type::kvm, "kvm", probe.reason};
  return {virt::domain_type::qemu, "tcg", probe.reason};
}

// The VMI interface's dhcpOptions (KubeVirt's DHCPOptions) added to the lease its
// binding result describes: option 67, 66, 42 and the private options 224..254, which the
// responder sends as given. An NTP server that is not an IPv4 address cannot go into
// option 42 and is refused rather than left out; `dhcp::validate` then checks the whole.
error add_dhcp_options(const api::virtual_machine_instance& vmi, const std::string& name,
                       net::dhcp::lease_config& lease) {
  const auto& ifaces = vmi.spec.domain.devices.interfaces;
  for (std::size_t i = 0; i < ifaces.size(); ++i) {
    if (ifaces[i].name != name || !ifaces[i].dhcp_options_)
      continue;
    const auto& opts = *ifaces[i].dhcp_options_;
    auto at = format("spec.domain.devices.interfaces[{}].dhcpOptions", i);
    lease.bootfile_name = opts.boot_file_name;
    lease.tftp_server_name = opts.tftp_server_name;
    lease.ntp_servers.clear();
    for (std::size_t k = 0; k < opts.ntp_servers.size(); ++k) {
      auto a = net::dhcp::parse_ipv4(opts.ntp_servers[k]);
      if (!a)
        return error{errc::invalid_argument,
                     format("{}.ntpServers[{}]: \"{}\" is not an IPv4 address (DHCPv4 option 42 carries only those)",
                            at, k, opts.ntp_servers[k])};
      lease.ntp_servers.push_back(*a);
    }
    lease.private_options.clear();
    for (std::size_t k = 0; k < opts.private_options.size(); ++k) {
      const auto& o = opts.private_options[k];
      if (o.option < net::dhcp::first_private_option || o.option > net::dhcp::last_private_option)
        return error{errc::invalid_argument,
                     format("{}.privateOptions[{}].option: {} is not between 224 and 254", at, k, o.option)};
      lease.private_options.push_back({static_cast<std::uint8_t>(o.option), o.value});
    }
    if (auto e = net::dhcp::validate(lease))
      return error{e.code, format("{}: {}", at, e.message)};
  }
  return {};
}

} // namespace

namespace {

// Reads and admits the VMI of --vmi (the same decode → defaults → validation as the API
// server).
expected<api::virtual_machine_instance> load_vmi(const launcher_options& opts) {
  std::vector<api::json> docs;
  std::string load_error;
  if (!api::load_manifest_file(opts.vmi_file, docs, load_error))
    return error{errc::invalid_argument, format("--vmi {}: {}", opts.vmi_file.string(), load_error)};
  if (docs.size() != 1)
    return error{errc::invalid_argument,
                 format("--vmi {}: expected one VirtualMachineInstance, found {} objects", opts.vmi_file.string(),
                        docs.size())};
  auto admitted = api::admit(docs.front());
  if (!admitted.ok()) {
    std::string msg = format("--vmi {}: {}", opts.vmi_file.string(), admitted.summary());
    for (const auto& e : admitted.errors)
      msg += "\n  " + e.message();
    return error{errc::invalid_argument, msg};
  }
  if (admitted.kind != "VirtualMachineInstance")
    return error{errc::invalid_argument,
                 format("--vmi {}: a {} is not a VirtualMachineInstance", opts.vmi_file.string(), admitted.kind)};
  auto decoded = api::decode<api::virtual_machine_instance>(admitted.object);
  if (!decoded.ok())
    return error{errc::invalid_argument, format("--vmi {}: cannot decode the admitted object", opts.vmi_file.string())};
  return std::move(decoded.value);
}

bool has_interface(const api::virtual_machine_instance& vmi, const std::string& name) {
  for (const auto& i : vmi.spec.domain.devices.interfaces)
    if (i.name == name)
      return true;
  return false;
}

} // namespace

expected<launcher_options> with_start_networks(const launcher_options& opts,
                                               const std::map<std::string, std::filesystem::path>& networks) {
  auto o = opts;
  for (const auto& [name, path] : networks) {
    if (o.network_results.count(name) != 0)
      return error{errc::invalid_argument, format("network {}: already given with --network-result", name)};
    if (!path.is_absolute())
      return error{errc::invalid_argument, format("network {}: {} is not an absolute path", name, path.string())};
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      return error{errc::invalid_argument, format("network {}: {} is not a regular file", name, path.string())};
    o.network_results[name] = path;
  }
  return o;
}

expected<vmi_summary> read_vmi_summary(const launcher_options& opts) {
  auto vmi = load_vmi(opts);
  if (!vmi)
    return vmi.error();
  vmi_summary s;
  // virt/converter/identity_configurator's naming.
  const auto& meta = vmi->metadata;
  s.domain_name = meta.namespace_.empty() ? meta.name : meta.namespace_ + "_" + meta.name;
  s.grace_period_s =
      opts.grace_period_s.value_or(vmi->spec.termination_grace_period_seconds.value_or(default_grace_period_s));
  return s;
}

expected<prepared_vm> prepare_vm(const launcher_options& opts) {
  auto loaded = load_vmi(opts);
  if (!loaded)
    return loaded.error();

  prepared_vm vm;
  auto accel = decide_accel(opts.accel);
  vm.accel_name = accel.name;
  vm.accel_reason = accel.reason;
  vm.serial_log = opts.work_dir / "serial.log";

  virt::converter_input in;
  in.vmi = std::move(*loaded);
  in.type = accel.type;
  in.volumes = opts.volumes;
  in.interfaces = opts.interfaces;
  for (const auto& [name, path] : opts.network_results) {
    if (in.interfaces.count(name) != 0)
      return error{errc::invalid_argument, format("interface {}: both --interface and --network-result given", name)};
    if (!has_interface(in.vmi, name))
      return error{errc::invalid_argument,
                   format("--network-result {}: the VMI has no interface named {}", name, name)};
    auto state = net::binding::read_complete_state(path);
    if (!state)
      return error{state.error().code,
                   format("--network-result {}={}: {}", name, path.string(), state.error().message)};
    auto lease = net::binding::to_lease_config(state->guest);
    if (!lease)
      return error{lease.error().code, format("--network-result {}: {}", name, lease.error().message)};
    if (auto e = add_dhcp_options(in.vmi, name, *lease))
      return error{e.code, format("--network-result {}: {}", name, e.message)};
    in.interfaces[name] = virt::interface_fact{state->guest.tap, net::dhcp::to_string(state->guest.mac)};
    vm.dhcp.push_back(dhcp_plan{name, state->guest.bridge, *lease});
  }
  in.serial_log_path = vm.serial_log.string();
  in.kernel_path = opts.kernel;
  in.initrd_path = opts.initrd;
  for (const auto& [flag, p] : {std::pair{"--kernel", in.kernel_path}, std::pair{"--initrd", in.initrd_path}}) {
    if (!p.empty() && !std::filesystem::exists(p))
      return error{errc::invalid_argument, format("{} {}: no such file", flag, p)};
  }
  for (const auto& [name, v] : in.volumes) {
    if (!std::filesystem::exists(v.path))
      return error{errc::invalid_argument, format("--volume {}: {}: no such file", name, v.path)};
  }
  vm.grace_period_s = opts.grace_period_s.value_or(
      in.vmi.spec.termination_grace_period_seconds.value_or(default_grace_period_s));

  auto dom = virt::convert(in);
  if (!dom)
    return error{dom.error().code, format("VMI {}/{} cannot run here: {}", in.vmi.metadata.namespace_,
                                          in.vmi.metadata.name, dom.error().message)};
  // Firmware files the domain names must be on this host (Debian's ovmf package for EFI).
  if (dom->os.loader && !std::filesystem::exists(dom->os.loader->path))
    return error{errc::unavailable, format("EFI firmware {} is not installed (Debian package ovmf)",
                                           dom->os.loader->path)};
  if (dom->os.nvram && !dom->os.nvram->template_path.empty() &&
      !std::filesystem::exists(dom->os.nvram->template_path))
    return error{errc::unavailable, format("EFI variable store template {} is not installed (Debian package ovmf)",
                                           dom->os.nvram->template_path)};
  vm.domain_name = dom->name;
  vm.domain_xml = virt::to_xml(*dom);
  vm.devices = virt::device_names_of(*dom);
  return vm;
}

} // namespace podvisor::launcher_cmd
