// The launcher's DHCP plan: each --network-result's cached binding result becomes the
// lease its responder serves, plus the matching VMI interface's dhcpOptions (boot file,
// TFTP server, NTP servers, private options 224..254).
#include <catch2/catch_test_macros.hpp>

#include <map>
#include <string>

#include "cmd/podvisor-launcher/vm_setup.hpp"
#include "common/temp_dir.hpp"
#include "net/binding/state_codec.hpp"

using namespace podvisor;
using namespace podvisor::launcher_cmd;
using podvisor::net::dhcp::parse_ipv4;
using podvisor::net::dhcp::parse_mac;

namespace {

// A kernel-boot VMI with two interfaces: "default" with the given dhcpOptions JSON (none
// when empty), "second" without.
std::string vmi_with(const std::string& dhcp_options) {
  std::string opts = dhcp_options.empty() ? "" : R"(, "dhcpOptions": )" + dhcp_options;
  return R"({
  "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
  "metadata": {"name": "tiny", "namespace": "test"},
  "spec": {
    "domain": {
      "resources": {"requests": {"memory": "96Mi"}},
      "firmware": {"kernelBoot": {"kernelArgs": "console=ttyS0",
        "container": {"image": "localhost/g:1", "kernelPath": "/boot/vmlinuz", "initrdPath": "/boot/initrd.img"}}},
      "devices": {"interfaces": [{"name": "default", "masquerade": {})" +
         opts + R"(}, {"name": "second", "bridge": {}}]}
    },
    "networks": [{"name": "default", "pod": {}}, {"name": "second", "multus": {"networkName": "net2"}}]
  }
})";
}

net::binding::binding_state masquerade_result(const std::string& tap) {
  net::binding::binding_state s;
  s.kind = net::binding::binding_kind::masquerade;
  s.pod_interface = "eth0";
  s.complete = true;
  auto& g = s.guest;
  g.mac = *parse_mac("02:00:00:00:00:01");
  g.address = *parse_ipv4("10.0.2.2");
  g.prefix = 24;
  g.gateway = *parse_ipv4("10.0.2.1");
  g.dns_servers = {*parse_ipv4("10.96.0.10")};
  g.mtu = 1450;
  g.hostname = "tiny";
  g.tap = tap;
  g.bridge = "k6t-eth0";
  g.server_address = *parse_ipv4("10.0.2.1");
  return s;
}

struct setup {
  scoped_temp_dir dir{"podvisor-vmsetup-dhcp-"};
  launcher_options opts;

  explicit setup(const std::string& dhcp_options) {
    opts.vmi_file = dir.write("vmi.json", vmi_with(dhcp_options));
    opts.work_dir = dir.path();
    opts.accel = accel_choice::tcg;
    opts.kernel = dir.write("vmlinuz", "kernel").string();
    opts.initrd = dir.write("initrd.img", "initrd").string();
    for (const auto& [name, tap] : {std::pair{"default", "tap0"}, std::pair{"second", "tap1"}}) {
      auto path = dir.path() / (std::string(name) + ".json");
      REQUIRE(net::binding::write_state(path, masquerade_result(tap)).ok());
      opts.network_results[name] = path;
    }
  }

  const dhcp_plan& plan(const prepared_vm& vm, const std::string& name) const {
    for (const auto& p : vm.dhcp)
      if (p.interface == name)
        return p;
    FAIL("no DHCP plan for " << name);
    return vm.dhcp.front();
  }
};

} // namespace

TEST_CASE("the interface's dhcpOptions go into its lease, and only its", "[cmd][launcher][dhcp]") {
  setup s(R"({"bootFileName": "pxelinux.0", "tftpServerName": "tftp.example.org",
              "ntpServers": ["192.0.2.123", "192.0.2.124"],
              "privateOptions": [{"option": 240, "value": "hello world"}, {"option": 224, "value": ""}]})");
  auto vm = prepare_vm(s.opts);
  REQUIRE(vm);
  REQUIRE(vm->dhcp.size() == 2);
  const auto& lease = s.plan(*vm, "default").lease;
  CHECK(lease.address == *parse_ipv4("10.0.2.2")); // still the binding's result
  CHECK(lease.mtu == 1450);
  CHECK(lease.bootfile_name == "pxelinux.0");
  CHECK(lease.tftp_server_name == "tftp.example.org");
  CHECK(lease.ntp_servers == std::vector{*parse_ipv4("192.0.2.123"), *parse_ipv4("192.0.2.124")});
  CHECK(lease.private_options == std::vector<net::dhcp::private_option>{{240, "hello world"}, {224, ""}});
  CHECK(net::dhcp::validate(lease).ok());
  const auto& other = s.plan(*vm, "second").lease;
  CHECK(other.bootfile_name.empty());
  CHECK(other.ntp_servers.empty());
  CHECK(other.private_options.empty());
}

TEST_CASE("no dhcpOptions: the lease is the binding's result alone", "[cmd][launcher][dhcp]") {
  setup s("");
  auto vm = prepare_vm(s.opts);
  REQUIRE(vm);
  const auto& lease = s.plan(*vm, "default").lease;
  CHECK(lease.bootfile_name.empty());
  CHECK(lease.tftp_server_name.empty());
  CHECK(lease.ntp_servers.empty());
  CHECK(lease.private_options.empty());
}

TEST_CASE("dhcpOptions that cannot be served are refused, naming the field", "[cmd][launcher][dhcp]") {
  auto refused = [](const std::string& options) {
    setup s(options);
    auto vm = prepare_vm(s.opts);
    REQUIRE_FALSE(vm);
    CHECK(vm.error().code == errc::invalid_argument);
    return vm.error().message;
  };
  CHECK(refused(R"({"ntpServers": ["192.0.2.1", "ntp.example.org"]})") ==
        "--network-result default: spec.domain.devices.interfaces[0].dhcpOptions.ntpServers[1]: "
        "\"ntp.example.org\" is not an IPv4 address (DHCPv4 option 42 carries only those)");
  CHECK(refused(R"({"ntpServers": ["2001:db8::1"]})").find("ntpServers[0]") != std::string::npos);
  CHECK(refused(R"({"ntpServers": ["0.0.0.0"]})").find("ntp_servers[0]: 0.0.0.0 is not a server address") !=
        std::string::npos);
  // Admission (the API server's validation) refuses codes outside 224..254 first.
  auto out_of_range = refused(R"({"privateOptions": [{"option": 100, "value": "x"}]})");
  CHECK(out_of_range.find("spec.domain.devices.interfaces[0].dhcpOptions.privateOptions[0].option") !=
        std::string::npos);
  CHECK(out_of_range.find("must be between 224 and 254") != std::string::npos);
  // Duplicates too (KubeVirt's admission refuses them as well).
  auto twice = refused(R"({"privateOptions": [{"option": 230, "value": "a"}, {"option": 230, "value": "b"}]})");
  CHECK(twice.find("privateOptions[1].option") != std::string::npos);
  CHECK(twice.find("Duplicate value: 230") != std::string::npos);
}

TEST_CASE("a network result for an interface the VMI does not have is refused", "[cmd][launcher][dhcp]") {
  setup s("");
  s.opts.network_results["third"] = s.opts.network_results.at("second");
  auto vm = prepare_vm(s.opts);
  REQUIRE_FALSE(vm);
  CHECK(vm.error().code == errc::invalid_argument);
  CHECK(vm.error().message == "--network-result third: the VMI has no interface named third");
}

TEST_CASE("the networks of the agent's start join the flags' after checks", "[cmd][launcher][dhcp]") {
  setup s("");
  auto flags = s.opts;
  auto second = flags.network_results.at("second");
  flags.network_results.erase("second");
  auto joined = with_start_networks(flags, {{"second", second}});
  REQUIRE(joined);
  CHECK(joined->network_results == s.opts.network_results);
  REQUIRE(prepare_vm(*joined));

  auto refused = [&](const std::map<std::string, std::filesystem::path>& n) {
    auto o = with_start_networks(flags, n);
    REQUIRE_FALSE(o);
    CHECK(o.error().code == errc::invalid_argument);
    return o.error().message;
  };
  CHECK(refused({{"second", "second.json"}}) == "network second: second.json is not an absolute path");
  CHECK(refused({{"second", s.dir.path()}}) ==
        "network second: " + s.dir.path().string() + " is not a regular file");
  CHECK(refused({{"second", s.dir.path() / "nope.json"}}) ==
        "network second: " + (s.dir.path() / "nope.json").string() + " is not a regular file");
  CHECK(refused({{"default", flags.network_results.at("default")}}) ==
        "network default: already given with --network-result");
  // A file that is there but no binding result: prepare_vm names it.
  auto junk = with_start_networks(flags, {{"second", s.dir.write("junk.json", "{")}});
  REQUIRE(junk);
  auto vm = prepare_vm(*junk);
  REQUIRE_FALSE(vm);
  CHECK(vm.error().message.find("--network-result second=") != std::string::npos);
}

TEST_CASE("the VMI summary names the domain and the grace period before conversion", "[cmd][launcher]") {
  setup s("");
  s.opts.network_results.clear(); // an await-start launcher knows no networks yet
  auto sum = read_vmi_summary(s.opts);
  REQUIRE(sum);
  CHECK(sum->domain_name == "test_tiny");
  CHECK(sum->grace_period_s == 30);
  s.opts.grace_period_s = 7;
  CHECK(read_vmi_summary(s.opts)->grace_period_s == 7);
  s.opts.vmi_file = s.dir.write("bad.json", "{");
  CHECK(read_vmi_summary(s.opts).error().code == errc::invalid_argument);
}
