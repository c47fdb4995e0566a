#include "kube/api/kubevirt/networks.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/kubevirt/kubevirt_testing.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::kubevirt_testing;

TEST_CASE("network enum tables match KubeVirt", "[kube][api][kubevirt][networks]") {
  check_enum_table<interface_model>({"virtio", "e1000", "e1000e", "igb", "ne2k_pci", "pcnet", "rtl8139"});
  check_enum_table<interface_state>({"absent", "up", "down"});
  check_enum_table<binding_method>(
    {"", "bridge", "masquerade", "sriov", "passt", "passtBinding", "slirp", "macvtap", "binding"});
}

TEST_CASE("an interface with masquerade, ports and DHCP options round-trips", "[kube][api][kubevirt][networks]") {
  auto in = json::parse(R"({"name":"default","model":"e1000e","masquerade":{},
    "ports":[{"port":80},{"name":"dns","protocol":"UDP","port":53}],
    "dhcpOptions":{"bootFileName":"boot.ipxe","ntpServers":["192.0.2.1"],
                   "privateOptions":[{"option":224,"value":"x"}]},
    "acpiIndex":3,"state":"up","futureField":{"a":1}})");
  auto iface = round_trip<interface>(in);
  CHECK(iface.model == interface_model::e1000e);
  CHECK(binding_of(iface) == binding_method::masquerade);
  CHECK(binding_count(iface) == 1);
  REQUIRE(iface.ports.size() == 2);
  CHECK(iface.ports[0].protocol_.empty()); // TCP by default, but not written
  CHECK(iface.ports[1].protocol_ == protocol::udp);
  REQUIRE(iface.dhcp_options_);
  CHECK(iface.dhcp_options_->private_options.at(0).option == 224);
  CHECK(iface.state == interface_state::up);
  CHECK(iface.unknown.members.contains("futureField"));
}

TEST_CASE("binding_of names each binding method", "[kube][api][kubevirt][networks]") {
  interface iface;
  CHECK(binding_of(iface) == binding_method::none);
  CHECK(binding_count(iface) == 0);
  iface.bridge.emplace();
  CHECK(binding_of(iface) == binding_method::bridge);
  iface.bridge.reset();
  iface.sriov.emplace();
  CHECK(binding_of(iface) == binding_method::sriov);
  iface.passt_binding.emplace();
  CHECK(binding_count(iface) == 2);
  iface.sriov.reset();
  CHECK(binding_of(iface) == binding_method::passt_binding);
  iface.passt_binding.reset();
  iface.binding = plugin_binding{.name = "l2bridge", .unknown = {}};
  CHECK(binding_of(iface) == binding_method::plugin);
  CHECK(encode(iface) == json::parse(R"({"name":"","binding":{"name":"l2bridge"}})"));
}

TEST_CASE("networks keep pod CIDRs and Multus names", "[kube][api][kubevirt][networks]") {
  auto pod_net = round_trip<network>(json::parse(
    R"({"name":"default","pod":{"vmNetworkCIDR":"10.1.0.0/24","vmIPv6NetworkCIDR":"fd10:1::/120"}})"));
  REQUIRE(pod_net.pod);
  CHECK(pod_net.pod->vm_network_cidr == "10.1.0.0/24");
  auto empty_pod = round_trip<network>(json::parse(R"({"name":"default","pod":{}})"));
  REQUIRE(empty_pod.pod);
  CHECK(empty_pod.pod->vm_network_cidr.empty()); // the binding applies 10.0.2.0/24 itself
  auto multus = round_trip<network>(json::parse(R"({"name":"n","multus":{"networkName":"ns/net","default":true}})"));
  REQUIRE(multus.multus);
  CHECK(multus.multus->default_);
  CHECK_FALSE(multus.pod);
}
