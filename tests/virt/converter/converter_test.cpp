#include "virt/converter/converter.hpp"

#include "virt/domain/domain_xml.hpp"

#include "tests/virt/converter/test_input.hpp"

using namespace podvisor;
using namespace podvisor::virt;
using podvisor::virt::testing::input_from;

TEST_CASE("convert: a minimal defaulted VMI converts", "[virt][converter]") {
  auto in = input_from(R"({"domain":{"resources":{"requests":{"memory":"64Mi"}},"devices":{}}})",
                       domain_type::qemu, /*defaulted=*/true);
  in.interfaces["default"] = interface_fact{.tap = "tap0", .mac = "02:00:00:00:00:01"};
  auto d = convert(in);
  REQUIRE(d.has_value());
  CHECK(d->name == "ns_vm");
  CHECK(d->memory_kib == 65536);
  CHECK(d->devices.interfaces.size() == 1);
  CHECK_FALSE(d->uuid.empty()); // defaulting derives it from the name
}

TEST_CASE("convert: host-fact problems come first and are all listed", "[virt][converter]") {
  auto in = input_from(R"({"domain":{"devices":{"disks":[{"name":"a"},{"name":"b"}],"gpus":[{"name":"g"}]}}})");
  auto d = convert(in);
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().code == errc::invalid_argument);
  const auto& msg = d.error().message;
  CHECK(msg.find("disks[a]") != std::string::npos);
  CHECK(msg.find("disks[b]") != std::string::npos);
  CHECK(msg.find("guest memory") != std::string::npos);
  CHECK(d.error().context == "convert vmi ns/vm");
}

TEST_CASE("convert: unsupported fields are named, never dropped", "[virt][converter]") {
  struct row {
    const char* devices;
    const char* field;
  };
  const row rows[] = {
    {R"({"gpus":[{"name":"g"}]})", "spec.domain.devices.gpus"},
    {R"({"watchdog":{"name":"w","i6300esb":{}}})", "spec.domain.devices.watchdog"},
    {R"({"autoattachGraphicsDevice":true})", "spec.domain.devices.autoattachGraphicsDevice"},
    {R"({"tpm":{}})", "spec.domain.devices.tpm"},
    {R"({"filesystems":[{"name":"f","virtiofs":{}}]})", "spec.domain.devices.filesystems"},
    {R"({"inputs":[{"name":"t","type":"tablet"}]})", "spec.domain.devices.inputs"},
    {R"({"networkInterfaceMultiqueue":true})", "spec.domain.devices.networkInterfaceMultiqueue"},
  };
  for (const auto& r : rows) {
    INFO(r.devices);
    auto in = input_from(std::string(R"({"domain":{"memory":{"guest":"64Mi"},"devices":)") + r.devices + "}}");
    auto d = convert(in);
    REQUIRE_FALSE(d.has_value());
    CHECK(d.error().code == errc::unsupported);
    CHECK(d.error().message.find(r.field) != std::string::npos);
  }
}

TEST_CASE("convert: a disabled TPM or graphics device is not an error", "[virt][converter]") {
  auto in = input_from(
    R"({"domain":{"memory":{"guest":"64Mi"},"devices":{"tpm":{"enabled":false},"autoattachGraphicsDevice":false}}})");
  CHECK(convert(in).has_value());
}
