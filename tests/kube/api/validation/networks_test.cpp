// Interface and network rules (kube/api/validation/networks.cpp), through
// validate(virtual_machine_instance).

#include <catch2/catch_test_macros.hpp>

#include "kube/api/validation/vmi.hpp"
#include "tests/kube/api/validation/fixtures.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::testing;

TEST_CASE("interfaces and networks match one-to-one by name", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& extra = vmi.spec.domain.devices.interfaces.emplace_back();
  extra.name = "extra";
  extra.bridge.emplace();
  CHECK(messages_of(validate(vmi)) == messages{R"(spec.domain.devices.interfaces[2].name: Not found: "extra")"});

  vmi = valid_vmi();
  auto& net = vmi.spec.networks.emplace_back();
  net.name = "net3";
  net.multus.emplace();
  net.multus->network_name = "other";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.networks[2].name: Invalid value: "net3": must be used by an interface of the same name)"});
}

TEST_CASE("interface and network names are unique", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.interfaces.push_back(vmi.spec.domain.devices.interfaces[1]);
  vmi.spec.domain.devices.interfaces.back().boot_order.reset();
  CHECK(messages_of(validate(vmi)) == messages{R"(spec.domain.devices.interfaces[2].name: Duplicate value: "net2")"});

  vmi = valid_vmi();
  vmi.spec.networks.push_back(vmi.spec.networks[1]);
  CHECK(messages_of(validate(vmi)) == messages{R"(spec.networks[2].name: Duplicate value: "net2")"});
}

TEST_CASE("interface names use KubeVirt's characters", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.interfaces[1].name = "net.2";
  vmi.spec.networks[1].name = "net.2";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.devices.interfaces[1].name: Invalid value: "net.2": must consist of alphanumeric characters, '-' or '_')"});
  vmi.spec.domain.devices.interfaces[1].name = "Net_2";
  vmi.spec.networks[1].name = "Net_2";
  CHECK(validate(vmi).empty());
}

TEST_CASE("each interface has exactly one binding", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.interfaces[1].bridge.reset();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.interfaces[1]: Required value: exactly one binding method must be set: bridge, masquerade, sriov, passtBinding, slirp or binding"});

  vmi = valid_vmi();
  vmi.spec.domain.devices.interfaces[1].sriov.emplace();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.interfaces[1].sriov: Forbidden: may not specify more than 1 binding method"});

  for (auto set : {+[](interface& i) { i.sriov.emplace(); },
                   +[](interface& i) { i.binding = plugin_binding{.name = "managedtap", .unknown = {}}; }}) {
    vmi = valid_vmi();
    vmi.spec.domain.devices.interfaces[1].bridge.reset();
    set(vmi.spec.domain.devices.interfaces[1]);
    CHECK(validate(vmi).empty());
  }
}

TEST_CASE("masquerade, passt and slirp need the pod network", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& iface = vmi.spec.domain.devices.interfaces[1];
  iface.bridge.reset();
  iface.masquerade.emplace();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.interfaces[1].masquerade: Forbidden: is only supported on the pod network"});
  iface.masquerade.reset();
  iface.passt_binding.emplace();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.interfaces[1].passtBinding: Forbidden: is only supported on the pod network"});

  vmi = valid_vmi();
  vmi.spec.domain.devices.interfaces[0].masquerade.reset();
  vmi.spec.domain.devices.interfaces[0].slirp.emplace();
  CHECK(validate(vmi).empty());
}

TEST_CASE("the macvtap binding is refused", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.interfaces[1].bridge.reset();
  vmi.spec.domain.devices.interfaces[1].macvtap.emplace();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.interfaces[1].macvtap: Forbidden: the macvtap binding was discontinued; use a network binding plugin"});
}

TEST_CASE("networks have exactly one source and one pod network at most", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.networks[1].multus.reset();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.networks[1]: Required value: must specify a network type (pod or multus)"});
  vmi.spec.networks[1].pod.emplace();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.networks[1].pod: Forbidden: only one network may be the pod network"});
  vmi.spec.networks[1].multus.emplace();
  vmi.spec.networks[1].multus->network_name = "x";
  CHECK(messages_of(validate(vmi))
        == messages{"spec.networks[1].multus: Forbidden: may not specify more than 1 network type",
                    "spec.networks[1].pod: Forbidden: only one network may be the pod network"});

  vmi = valid_vmi();
  vmi.spec.networks[1].multus->network_name.clear();
  CHECK(messages_of(validate(vmi)) == messages{"spec.networks[1].multus.networkName: Required value"});
}

TEST_CASE("a multus default network replaces the pod network", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.networks[1].multus->default_ = true;
  CHECK(messages_of(validate(vmi))
        == messages{"spec.networks[1].multus.default: Forbidden: may not be set when a pod network is defined"});
}

TEST_CASE("forwarded ports", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& ports = vmi.spec.domain.devices.interfaces[0].ports;
  ports[0].port = 0;
  ports[1].port = 70000;
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.interfaces[0].ports[0].port: Required value",
                    "spec.domain.devices.interfaces[0].ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive"});

  vmi = valid_vmi();
  vmi.spec.domain.devices.interfaces[0].ports[0].protocol_ = protocol::sctp;
  vmi.spec.domain.devices.interfaces[0].ports[1].protocol_.set_raw("ICMP");
  // One message each: KubeVirt's narrower list wins over core/v1's protocol enum.
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.devices.interfaces[0].ports[0].protocol: Unsupported value: "SCTP": supported values: "TCP", "UDP")",
                    R"(spec.domain.devices.interfaces[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP")"});

  vmi = valid_vmi();
  vmi.spec.domain.devices.interfaces[0].ports[1].name = "ssh";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.devices.interfaces[0].ports[1].name: Duplicate value: "ssh")"});
  vmi.spec.domain.devices.interfaces[0].ports[1].name = "DNS";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.devices.interfaces[0].ports[1].name: Invalid value: "DNS": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-))",
                    R"(spec.domain.devices.interfaces[0].ports[1].name: Invalid value: "DNS": must contain at least one letter (a-z))"});
  vmi.spec.domain.devices.interfaces[0].ports[1].name.clear(); // names are optional
  CHECK(validate(vmi).empty());
}

TEST_CASE("interface MAC and PCI addresses", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.interfaces[0].mac_address = "03:00:00:00:00:01";
  vmi.spec.domain.devices.interfaces[1].pci_address = "0000:81:01";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.devices.interfaces[0].macAddress: Invalid value: "03:00:00:00:00:01": must be a unicast address (the least significant bit of the first octet must be 0))",
                    R"(spec.domain.devices.interfaces[1].pciAddress: Invalid value: "0000:81:01": must be a PCI address of the form dddd:bb:ss.f (e.g. '0000:81:01.1'))"});
}

TEST_CASE("interface model and state values", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.interfaces[0].model.set_raw("virtio-net");
  vmi.spec.domain.devices.interfaces[1].state.set_raw("gone");
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.devices.interfaces[0].model: Unsupported value: "virtio-net": supported values: "e1000", "e1000e", "igb", "ne2k_pci", "pcnet", "rtl8139", "virtio")",
                    R"(spec.domain.devices.interfaces[1].state: Unsupported value: "gone": supported values: "absent", "down", "up")"});
}

TEST_CASE("DHCP private options use codes 224 to 254", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& opts = vmi.spec.domain.devices.interfaces[0].dhcp_options_.emplace();
  opts.private_options = {{.option = 224, .value = "a", .unknown = {}}, {.option = 100, .value = "b", .unknown = {}}};
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.interfaces[0].dhcpOptions.privateOptions[1].option: Invalid value: 100: must be between 224 and 254, inclusive"});
}

TEST_CASE("DHCP private options may not repeat a code", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& opts = vmi.spec.domain.devices.interfaces[0].dhcp_options_.emplace();
  opts.private_options = {{.option = 230, .value = "a", .unknown = {}},
                          {.option = 231, .value = "b", .unknown = {}},
                          {.option = 230, .value = "c", .unknown = {}}};
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.interfaces[0].dhcpOptions.privateOptions[2].option: Duplicate value: 230"});
  opts.private_options[2].option = 254;
  CHECK(validate(vmi).empty());
}

TEST_CASE("vmNetworkCIDR is an IPv4 CIDR with room for gateway and guest", "[kube][api][validation]") {
  for (const char* ok : {"10.0.2.0/24", "192.168.100.0/30", "0.0.0.0/0"}) {
    auto vmi = valid_vmi();
    vmi.spec.networks[0].pod->vm_network_cidr = ok;
    CHECK(validate(vmi).empty());
  }
  auto vmi = valid_vmi();
  vmi.spec.networks[0].pod->vm_network_cidr = "10.0.2.0/31";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.networks[0].pod.vmNetworkCIDR: Invalid value: "10.0.2.0/31": must leave room for the gateway and the guest (prefix length at most 30))"});
  for (const char* bad : {"10.0.2.0", "10.0.2/24", "10.0.2.256/24", "010.0.2.0/24", "10.0.2.0/33",
                          "10.0.2.0/", "fd10:0:2::/120", "10.0.2.0/024", " 10.0.2.0/24"}) {
    vmi.spec.networks[0].pod->vm_network_cidr = bad;
    CHECK(messages_of(validate(vmi))
          == messages{"spec.networks[0].pod.vmNetworkCIDR: Invalid value: \"" + std::string(bad)
                      + "\": must be a valid IPv4 CIDR (e.g. '10.0.2.0/24')"});
  }
}
