#include "virt/domain/domain_xml.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::virt;

TEST_CASE("domain_xml: a default domain, element by element", "[virt][domain]") {
  domain d;
  d.name = "ns_vm";
  d.memory_kib = 65536;
  CHECK(to_xml(d) ==
        "<domain type='qemu'>\n"
        "  <name>ns_vm</name>\n"
        "  <memory unit='KiB'>65536</memory>\n"
        "  <vcpu placement='static'>1</vcpu>\n"
        "  <cpu mode='host-passthrough'>\n"
        "    <topology sockets='1' dies='1' cores='1' threads='1'/>\n"
        "  </cpu>\n"
        "  <os>\n"
        "    <type arch='x86_64' machine='q35'>hvm</type>\n"
        "  </os>\n"
        "  <clock offset='utc'/>\n"
        "  <on_poweroff>destroy</on_poweroff>\n"
        "  <on_reboot>restart</on_reboot>\n"
        "  <on_crash>destroy</on_crash>\n"
        "  <devices>\n"
        "    <memballoon model='none'/>\n"
        "  </devices>\n"
        "</domain>\n");
}

TEST_CASE("domain_xml: user text is escaped", "[virt][domain]") {
  domain d;
  d.name = "a&b";
  d.os.cmdline = "console=ttyS0 x=\"<y>\"";
  auto xml = to_xml(d);
  CHECK(xml.find("<name>a&amp;b</name>") != std::string::npos);
  CHECK(xml.find("<cmdline>console=ttyS0 x=&quot;&lt;y&gt;&quot;</cmdline>") != std::string::npos);
}

TEST_CASE("domain_xml: the same domain always gives the same bytes", "[virt][domain]") {
  domain d;
  d.name = "x";
  disk vda;
  vda.source = "/a.img";
  vda.target_dev = "vda";
  d.devices.disks.push_back(vda);
  interface nic;
  nic.tap = "tap0";
  nic.mac = "02:00:00:00:00:01";
  d.devices.interfaces.push_back(nic);
  d.devices.serial = serial_console{};
  CHECK(to_xml(d) == to_xml(domain(d)));
}
