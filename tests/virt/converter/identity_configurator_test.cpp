#include "virt/converter/identity_configurator.hpp"

#include "tests/virt/converter/test_input.hpp"

using namespace podvisor::virt;
using podvisor::virt::testing::input_from;

TEST_CASE("identity: type, namespaced name, UUID and reboot policy", "[virt][converter]") {
  struct row {
    const char* domain;
    domain_type type;
    const char* uuid;
    lifecycle_action on_reboot;
  };
  const row rows[] = {
    {R"("devices":{})", domain_type::qemu, "", lifecycle_action::restart},
    {R"("firmware":{"uuid":"6a1a24a1-4061-5c11-bc3b-8e3bd1e9d4e1"},"devices":{})", domain_type::kvm,
     "6a1a24a1-4061-5c11-bc3b-8e3bd1e9d4e1", lifecycle_action::restart},
    {R"("rebootPolicy":"Terminate","devices":{})", domain_type::qemu, "", lifecycle_action::destroy},
    {R"("rebootPolicy":"Reboot","devices":{})", domain_type::qemu, "", lifecycle_action::restart},
  };
  for (const auto& r : rows) {
    INFO(r.domain);
    auto in = input_from(std::string(R"({"domain":{)") + r.domain + "}}", r.type);
    conversion_problems problems;
    check_identity(in, problems);
    CHECK(problems.empty());
    domain d;
    configure_identity(in, d);
    CHECK(d.name == "ns_vm");
    CHECK(d.type == r.type);
    CHECK(d.uuid == r.uuid);
    CHECK(d.on_reboot == r.on_reboot);
    CHECK(d.on_poweroff == lifecycle_action::destroy);
    CHECK(d.on_crash == lifecycle_action::destroy);
  }
}
