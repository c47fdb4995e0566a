// podvisor-net: phase 1 of a pod network binding from the command line — what the node
// agent does in-process before it starts a VM's launcher (net/binding). For operators
// repairing a node and for tests that wire a pod by hand:
//
//   podvisor-net setup --netns /run/netns/pod --binding bridge --state /run/pv/net.json
//   podvisor-net teardown --netns /run/netns/pod --state /run/pv/net.json
//
// The cached result (--state) is what the launcher reads with --network-result.

#include <charconv>
#include <cstdio>
#include <string>
#include <vector>

#include "common/format.hpp"
#include "net/binding/bridge_binding.hpp"
#include "net/binding/masquerade_binding.hpp"
#include "net/binding/teardown.hpp"
#include "net/dhcp/address.hpp"

namespace {

using namespace podvisor;
namespace nb = podvisor::net::binding;

constexpr const char* usage = R"(podvisor-net — pod network bindings (phase 1) by hand

Usage:
  podvisor-net setup --netns PATH --binding bridge|masquerade --state FILE [flags]
  podvisor-net teardown --netns PATH --state FILE

Flags for setup:
  --interface NAME        the pod interface (default: the one with the default route)
  --resolv-conf FILE      DNS servers and search list for the guest
  --tap NAME              the guest's tap (default tap0)
  --mac MAC               the guest's MAC (bridge default: the pod NIC's; masquerade: random)
  --hostname NAME         option 12 for the guest
  --vm-network-cidr CIDR  masquerade: the guest network (default 10.0.2.0/24)
  --port PROTO:PORT       masquerade: forward only these (repeatable; default all)
  --exclude PROTO:PORT    masquerade: never forward these (repeatable)

Prints the cached result's path and what the guest will be told. Re-running setup is
safe (it finishes or confirms the recorded plan); teardown removes exactly what setup
added.
)";

int fail(const std::string& msg) {
  std::fprintf(stderr, "podvisor-net: %s\n", msg.c_str());
  return 2;
}

std::optional<nb::port_spec> parse_port(const std::string& s) {
  auto colon = s.find(':');
  if (colon == std::string::npos)
    return std::nullopt;
  auto proto = nb::parse_l4_protocol(s.substr(0, colon));
  unsigned port = 0;
  auto tail = s.substr(colon + 1);
  auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), port);
  if (!proto || ec != std::errc{} || p != tail.data() + tail.size() || port == 0 || port > 65535)
    return std::nullopt;
  return nb::port_spec{*proto, static_cast<std::uint16_t>(port)};
}

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::fputs(usage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  std::string netns, binding, state, iface, resolv, tap = "tap0", mac, hostname, cidr = "10.0.2.0/24";
  std::vector<nb::port_spec> ports, excluded;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (i + 1 >= args.size())
      return fail(format("{} needs a value", flag));
    const std::string& v = args[++i];
    if (flag == "--netns") netns = v;
    else if (flag == "--binding") binding = v;
    else if (flag == "--state") state = v;
    else if (flag == "--interface") iface = v;
    else if (flag == "--resolv-conf") resolv = v;
    else if (flag == "--tap") tap = v;
    else if (flag == "--mac") mac = v;
    else if (flag == "--hostname") hostname = v;
    else if (flag == "--vm-network-cidr") cidr = v;
    else if (flag == "--port" || flag == "--exclude") {
      auto p = parse_port(v);
      if (!p)
        return fail(format("{}: \"{}\" is not PROTO:PORT (tcp:80)", flag, v));
      (flag == "--port" ? ports : excluded).push_back(*p);
    } else
      return fail(format("unknown flag {} (see --help)", flag));
  }
  if (netns.empty() || state.empty())
    return fail("--netns and --state are required (see --help)");
  auto ns = nb::netns_ref::from_path(netns);

  if (command == "teardown") {
    if (auto err = nb::teardown_binding(ns, state); !err.ok()) {
      std::fprintf(stderr, "podvisor-net: teardown: %s\n", err.to_string().c_str());
      return 1;
    }
    std::printf("torn down (%s)\n", state.c_str());
    return 0;
  }
  if (command != "setup")
    return fail(format("unknown command \"{}\" (setup or teardown)", command));

  std::optional<net::dhcp::mac_address> guest_mac;
  if (!mac.empty()) {
    guest_mac = net::dhcp::parse_mac(mac);
    if (!guest_mac)
      return fail(format("--mac: \"{}\" is not a MAC address", mac));
  }
  expected<nb::binding_state> result{errc::invalid_argument, "--binding must be bridge or masquerade"};
  if (binding == "bridge") {
    nb::bridge_options o;
    o.discovery = {iface, resolv};
    o.guest_mac = guest_mac;
    o.tap = tap;
    o.hostname = hostname;
    o.state_path = state;
    result = nb::setup_bridge_binding(ns, o);
  } else if (binding == "masquerade") {
    nb::masquerade_options o;
    o.discovery = {iface, resolv};
    o.guest_mac = guest_mac;
    o.tap = tap;
    o.hostname = hostname;
    o.vm_network_cidr = cidr;
    o.ports = ports;
    o.excluded_ports = excluded;
    o.state_path = state;
    result = nb::setup_masquerade_binding(ns, o);
  } else {
    return fail("--binding must be bridge or masquerade");
  }
  if (!result) {
    std::fprintf(stderr, "podvisor-net: setup: %s\n", result.error().to_string().c_str());
    return 1;
  }
  const auto& g = result->guest;
  std::printf("%s binding ready: guest %s/%u via tap %s on bridge %s, MAC %s; state in %s\n",
              std::string(nb::to_string(result->kind)).c_str(), net::dhcp::to_string(g.address).c_str(),
              unsigned{g.prefix}, g.tap.c_str(), g.bridge.c_str(), net::dhcp::to_string(g.mac).c_str(), state.c_str());
  return 0;
}
