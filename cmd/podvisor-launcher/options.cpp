#include "cmd/podvisor-launcher/options.hpp"

#include <charconv>
#include <limits>
#include <set>

#include "common/format.hpp"

namespace podvisor::launcher_cmd {

const char* const usage = R"(podvisor-launcher — runs one VirtualMachineInstance in the current pod

Starts a private libvirt daemon (its own directories under --work-dir, its own host
UUID, QEMU kept in this process's cgroup), converts the VMI into a libvirt domain,
starts it, and supervises it until the guest powers off, QEMU dies, or SIGTERM /
SIGINT asks for a graceful shutdown (ACPI power button, then destroy after the grace
period). Exit code 0 when the VM ended as asked or powered off, 1 when it failed,
2 for a usage or setup error.

Usage:
  podvisor-launcher --vmi FILE --work-dir DIR [flags]
  podvisor-launcher --warm-capabilities --capabilities-cache DIR --work-dir DIR

Flags:
  --vmi FILE                 the VirtualMachineInstance, JSON or YAML (required)
  --work-dir DIR             the launcher's own directory (required; short: the libvirt
                             socket path under it must fit in 108 bytes)
  --capabilities-cache DIR   node-level QEMU capabilities cache shared by launchers
  --accel auto|kvm|tcg       acceleration (default auto: kvm only when a test guest
                             really runs under KVM)
  --network-result NAME=FILE the network binding's cached result for interface NAME
                             (podvisor-net setup --state FILE): its tap and MAC go into
                             the domain, and a DHCP responder on its bridge gives the
                             guest its address
  --interface NAME=TAP[,MAC] a tap prepared by other means for interface NAME (no DHCP)
  --volume NAME=PATH[,FORMAT] the image for volume NAME (format raw or qcow2)
  --kernel PATH, --initrd PATH  direct kernel boot files for firmware.kernelBoot
  --grace-period SECONDS     power button → destroy (default: the VMI's
                             terminationGracePeriodSeconds, else 30)
  --serial-log-max-bytes N   rotate the serial console log above N bytes (default 8 MiB)
  --control-socket PATH      the agent's command channel (default WORK_DIR/control.sock)
  --await-start SECONDS      start the daemon and the command channel, then wait for the
                             node agent's start (which names the network results) before
                             defining the domain; exit 1 when none comes in time
                             (otherwise the domain starts at once)
  --warm-capabilities        run no VM: start the daemon, make sure the node's
                             capabilities cache holds QEMU's capabilities (probing when
                             it does not), stop and exit (0 when the cache is warm); the
                             node agent runs this when it starts
  --log-level SPEC           e.g. info or debug,launcher=trace (also PODVISOR_LOG)
  -h, --help                 this help
  --version                  print the version
)";

namespace {

expected<std::uint64_t> parse_uint(const std::string& flag, const std::string& v) {
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || p != v.data() + v.size())
    return error{errc::invalid_argument, format("{}: \"{}\" is not a non-negative integer", flag, v)};
  return n;
}

// Splits "NAME=REST" into its parts.
expected<std::pair<std::string, std::string>> split_named(const std::string& flag, const std::string& v) {
  auto eq = v.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == v.size())
    return error{errc::invalid_argument, format("{}: expected NAME=VALUE, got \"{}\"", flag, v)};
  return std::pair{v.substr(0, eq), v.substr(eq + 1)};
}

const std::set<std::string, std::less<>> known_flags{
    "--network-result", "--vmi",    "--work-dir", "--capabilities-cache", "--accel",                "--interface",      "--volume",
    "--kernel", "--initrd",   "--grace-period",       "--serial-log-max-bytes", "--control-socket", "--log-level",
    "--await-start"};

} // namespace

expected<launcher_options> parse_options(const std::vector<std::string>& args) {
  launcher_options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      o.help = true;
      return o;
    }
    if (a == "--version") {
      o.version = true;
      return o;
    }
    if (a == "--warm-capabilities") { // the one flag without a value
      o.warm_capabilities = true;
      continue;
    }
    std::string flag = a, value;
    bool has_inline = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      flag = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_inline = true;
    }
    if (flag.rfind("--", 0) != 0)
      return error{errc::invalid_argument, format("unexpected argument \"{}\" (see --help)", a)};
    if (flag == "--warm-capabilities")
      return error{errc::invalid_argument, "--warm-capabilities takes no value"};
    if (!known_flags.contains(flag))
      return error{errc::invalid_argument, format("unknown flag {} (see --help)", flag)};
    // A separate value that is itself a flag means the value was forgotten: taking it
    // would turn `--kernel --vmi F` into kernel "--vmi" and a stray F.
    auto next = [&]() -> expected<std::string> {
      if (has_inline)
        return value;
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)
        return error{errc::invalid_argument, format("{} needs a value", flag)};
      return args[++i];
    };
    auto v = next();
    if (!v)
      return v.error();
    if (flag == "--vmi") {
      o.vmi_file = *v;
    } else if (flag == "--work-dir") {
      o.work_dir = *v;
    } else if (flag == "--capabilities-cache") {
      o.capabilities_cache = *v;
    } else if (flag == "--accel") {
      if (*v == "auto")
        o.accel = accel_choice::auto_detect;
      else if (*v == "kvm")
        o.accel = accel_choice::kvm;
      else if (*v == "tcg")
        o.accel = accel_choice::tcg;
      else
        return error{errc::invalid_argument, format("--accel: \"{}\" is not auto, kvm or tcg", *v)};
    } else if (flag == "--interface") {
      auto nv = split_named(flag, *v);
      if (!nv)
        return nv.error();
      virt::interface_fact f;
      auto comma = nv->second.find(',');
      f.tap = nv->second.substr(0, comma);
      if (comma != std::string::npos)
        f.mac = nv->second.substr(comma + 1);
      if (f.tap.empty())
        return error{errc::invalid_argument, format("--interface {}: no tap name", nv->first)};
      o.interfaces[nv->first] = f;
    } else if (flag == "--network-result") {
      auto nv = split_named(flag, *v);
      if (!nv)
        return nv.error();
      o.network_results[nv->first] = std::filesystem::absolute(nv->second);
    } else if (flag == "--volume") {
      auto nv = split_named(flag, *v);
      if (!nv)
        return nv.error();
      virt::volume_fact f;
      auto comma = nv->second.rfind(',');
      f.path = nv->second.substr(0, comma);
      if (comma != std::string::npos)
        f.format = nv->second.substr(comma + 1);
      if (f.format != "raw" && f.format != "qcow2")
        return error{errc::invalid_argument, format("--volume {}: format \"{}\" is not raw or qcow2", nv->first, f.format)};
      o.volumes[nv->first] = f;
    } else if (flag == "--kernel") {
      o.kernel = *v;
    } else if (flag == "--initrd") {
      o.initrd = *v;
    } else if (flag == "--grace-period") {
      auto n = parse_uint(flag, *v);
      if (!n)
        return n.error();
      if (*n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return error{errc::invalid_argument, format("--grace-period: \"{}\" is too large", *v)};
      o.grace_period_s = static_cast<std::int64_t>(*n);
    } else if (flag == "--serial-log-max-bytes") {
      auto n = parse_uint(flag, *v);
      if (!n)
        return n.error();
      if (*n < 4096)
        return error{errc::invalid_argument, "--serial-log-max-bytes: at least 4096"};
      o.serial_log_max_bytes = *n;
    } else if (flag == "--control-socket") {
      o.control_socket = *v;
    } else if (flag == "--await-start") {
      auto n = parse_uint(flag, *v);
      if (!n)
        return n.error();
      if (*n < 1 || *n > 86400)
        return error{errc::invalid_argument, format("--await-start: \"{}\" is not between 1 and 86400 seconds", *v)};
      o.await_start_s = static_cast<std::int64_t>(*n);
    } else if (flag == "--log-level") {
      o.log_level = *v;
    } else {
      return error{errc::invalid_argument, format("unknown flag {} (see --help)", flag)};
    }
  }
  if (o.warm_capabilities) {
    if (!o.vmi_file.empty() || o.await_start_s)
      return error{errc::invalid_argument, "--warm-capabilities runs no VM: it takes no --vmi or --await-start"};
    if (o.capabilities_cache.empty())
      return error{errc::invalid_argument, "--warm-capabilities needs --capabilities-cache (the cache to warm)"};
  } else if (o.vmi_file.empty()) {
    return error{errc::invalid_argument, "--vmi is required (see --help)"};
  }
  if (o.work_dir.empty())
    return error{errc::invalid_argument, "--work-dir is required (see --help)"};
  // libvirt and QEMU resolve nothing relative to our working directory: every path they
  // get is made absolute here.
  o.work_dir = std::filesystem::absolute(o.work_dir);
  if (!o.kernel.empty())
    o.kernel = std::filesystem::absolute(o.kernel).string();
  if (!o.initrd.empty())
    o.initrd = std::filesystem::absolute(o.initrd).string();
  for (auto& [name, v] : o.volumes)
    v.path = std::filesystem::absolute(v.path).string();
  if (o.control_socket.empty())
    o.control_socket = o.work_dir / "control.sock";
  return o;
}

} // namespace podvisor::launcher_cmd
