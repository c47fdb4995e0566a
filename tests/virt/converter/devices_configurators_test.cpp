// Table tests of the three small device configurators: serial console, RNG, balloon.
#include "virt/converter/memballoon_configurator.hpp"
#include "virt/converter/rng_configurator.hpp"
#include "virt/converter/serial_configurator.hpp"

#include "tests/virt/converter/test_input.hpp"

using namespace podvisor::virt;
using podvisor::virt::testing::input_from;

TEST_CASE("serial: a pty console, logged when a path is given, none when switched off", "[virt][converter]") {
  struct row {
    const char* devices;
    const char* log;
    std::optional<serial_console> expected;
  };
  const row rows[] = {
    {"{}", "", serial_console{}},
    {"{}", "/var/log/pod/serial.log", serial_console{serial_type::pty, "", "/var/log/pod/serial.log"}},
    {R"({"autoattachSerialConsole":true})", "", serial_console{}},
    {R"({"autoattachSerialConsole":false})", "/x", std::nullopt},
  };
  for (const auto& r : rows) {
    INFO(r.devices);
    auto in = input_from(std::string(R"({"domain":{"devices":)") + r.devices + "}}");
    in.serial_log_path = r.log;
    domain d;
    configure_serial(in, d);
    CHECK(d.devices.serial == r.expected);
  }
}

TEST_CASE("rng: present exactly when the spec asks", "[virt][converter]") {
  struct row {
    const char* devices;
    bool present;
  };
  const row rows[] = {{"{}", false}, {R"({"rng":{}})", true}};
  for (const auto& r : rows) {
    INFO(r.devices);
    auto in = input_from(std::string(R"({"domain":{"devices":)") + r.devices + "}}");
    domain d;
    configure_rng(in, d);
    CHECK(d.devices.rng_.has_value() == r.present);
    if (r.present)
      CHECK(d.devices.rng_->backend == "/dev/urandom");
  }
}

TEST_CASE("memballoon: virtio unless switched off", "[virt][converter]") {
  struct row {
    const char* devices;
    const char* model;
  };
  const row rows[] = {
    {"{}", "virtio"},
    {R"({"autoattachMemBalloon":true})", "virtio"},
    {R"({"autoattachMemBalloon":false})", "none"},
  };
  for (const auto& r : rows) {
    INFO(r.devices);
    auto in = input_from(std::string(R"({"domain":{"devices":)") + r.devices + "}}");
    domain d;
    configure_memballoon(in, d);
    CHECK(d.devices.memballoon_model == r.model);
  }
}
