#include "virt/converter/interfaces_configurator.hpp"

#include "tests/virt/converter/test_input.hpp"

using namespace podvisor::virt;
using podvisor::virt::testing::input_from;

namespace {

converter_input with_taps(const std::string& interfaces) {
  auto in = input_from(R"({"domain":{"devices":{"interfaces":)" + interfaces + "}}}");
  in.interfaces["default"] = interface_fact{.tap = "tap0", .mac = "02:00:00:00:00:01"};
  in.interfaces["second"] = interface_fact{.tap = "tap1", .mac = ""};
  return in;
}

} // namespace

TEST_CASE("interfaces: tap, MAC and model", "[virt][converter]") {
  struct row {
    const char* interfaces;
    interface expected; // tap, mac, model, boot order, link down, ACPI index, alias
  };
  const row rows[] = {
    {R"([{"name":"default","bridge":{}}])",
     {"tap0", "02:00:00:00:00:01", "virtio", std::nullopt, false, 0, "ua-default"}},
    {R"([{"name":"default","masquerade":{},"model":"e1000e","bootOrder":2}])",
     {"tap0", "02:00:00:00:00:01", "e1000e", 2u, false, 0, "ua-default"}},
    {R"([{"name":"default","bridge":{},"macAddress":"02:00:00:00:00:01","state":"down","acpiIndex":3}])",
     {"tap0", "02:00:00:00:00:01", "virtio", std::nullopt, true, 3, "ua-default"}},
    {R"([{"name":"second","bridge":{},"macAddress":"de:ad:00:00:be:af"}])",
     {"tap1", "de:ad:00:00:be:af", "virtio", std::nullopt, false, 0, "ua-second"}},
  };
  for (const auto& r : rows) {
    INFO(r.interfaces);
    auto in = with_taps(r.interfaces);
    conversion_problems problems;
    check_interfaces(in, problems);
    CHECK(problems.empty());
    domain d;
    configure_interfaces(in, d);
    REQUIRE(d.devices.interfaces.size() == 1);
    CHECK(d.devices.interfaces[0] == r.expected);
  }
}

TEST_CASE("interfaces: absent ones are left out", "[virt][converter]") {
  auto in = with_taps(R"([{"name":"default","bridge":{},"state":"absent"},{"name":"gone","bridge":{},"state":"absent"}])");
  conversion_problems problems;
  check_interfaces(in, problems);
  CHECK(problems.empty());
  domain d;
  configure_interfaces(in, d);
  CHECK(d.devices.interfaces.empty());
}

TEST_CASE("interfaces: what cannot be produced is reported", "[virt][converter]") {
  struct row {
    const char* interfaces;
    std::size_t invalid;
    std::size_t unsupported;
  };
  const row rows[] = {
    {R"([{"name":"nowhere","bridge":{}}])", 1, 0},
    {R"([{"name":"default","sriov":{}}])", 0, 1},
    {R"([{"name":"default","passtBinding":{}}])", 0, 1},
    {R"([{"name":"default","bridge":{},"pciAddress":"0000:81:01.0"}])", 0, 1},
    {R"([{"name":"default","bridge":{},"model":"ne3000"}])", 1, 0},
    {R"([{"name":"default","bridge":{},"macAddress":"02:00:00:00:00:02"}])", 1, 0},
    {R"([{"name":"default","bridge":{},"macAddress":"02:00:00:00:00:01"}])", 0, 0},
  };
  for (const auto& r : rows) {
    INFO(r.interfaces);
    auto in = with_taps(r.interfaces);
    conversion_problems problems;
    check_interfaces(in, problems);
    CHECK(problems.invalid.size() == r.invalid);
    CHECK(problems.unsupported.size() == r.unsupported);
  }
}
