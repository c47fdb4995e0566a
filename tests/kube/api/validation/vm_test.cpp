// validate(virtual_machine) (kube/api/validation/vm.cpp).

#include <catch2/catch_test_macros.hpp>

#include "kube/api/validation/vm.hpp"
#include "tests/kube/api/validation/fixtures.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::testing;

namespace {

virtual_machine valid_vm() {
  virtual_machine vm;
  vm.metadata.name = "testvm";
  vm.metadata.namespace_ = "default";
  vm.spec.run_strategy_ = enum_field<run_strategy>{run_strategy::always};
  auto& tmpl = vm.spec.template_.emplace();
  tmpl.metadata.labels = {{"kubevirt.io/vm", "testvm"}};
  tmpl.spec = valid_vmi().spec;
  return vm;
}

} // namespace

TEST_CASE("a valid VM passes", "[kube][api][validation]") {
  CHECK(validate(valid_vm()).empty());
  auto vm = valid_vm();
  vm.spec.run_strategy_.reset();
  vm.spec.running = false; // deprecated, still accepted on its own
  CHECK(validate(vm).empty());
}

TEST_CASE("running and runStrategy are mutually exclusive", "[kube][api][validation]") {
  auto vm = valid_vm();
  vm.spec.running = true;
  CHECK(messages_of(validate(vm))
        == messages{"spec.running: Invalid value: true: Running and RunStrategy are mutually exclusive. "
                    "Note that Running is deprecated, please use RunStrategy instead"});
}

TEST_CASE("runStrategy is a known value", "[kube][api][validation]") {
  auto vm = valid_vm();
  vm.spec.run_strategy_->set_raw("Sometimes");
  CHECK(messages_of(validate(vm))
        == messages{R"(spec.runStrategy: Unsupported value: "Sometimes": supported values: "Always", "Halted", "Manual", "Once", "RerunOnFailure", "WaitAsReceiver")"});
  for (auto s : {run_strategy::always, run_strategy::halted, run_strategy::manual, run_strategy::rerun_on_failure,
                 run_strategy::once, run_strategy::wait_as_receiver}) {
    vm.spec.run_strategy_ = enum_field<run_strategy>{s};
    CHECK(validate(vm).empty());
  }
}

TEST_CASE("a VM needs a template", "[kube][api][validation]") {
  auto vm = valid_vm();
  vm.spec.template_.reset();
  CHECK(messages_of(validate(vm)) == messages{"spec.template: Required value"});
}

TEST_CASE("the template is validated as a VMI spec under spec.template.spec", "[kube][api][validation]") {
  auto vm = valid_vm();
  auto& spec = vm.spec.template_->spec;
  spec.domain.devices.disks[0].disk_->bus.set_raw("ide");
  spec.volumes[0].container_disk->image.clear();
  spec.networks[0].pod->vm_network_cidr = "10.0.2.0/32";
  vm.spec.template_->metadata.labels["app"] = "-bad-";
  CHECK(messages_of(validate(vm))
        == messages{
          R"(spec.template.metadata.labels: Invalid value: "-bad-": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'))",
          "spec.template.spec.volumes[0].containerDisk.image: Required value",
          R"(spec.template.spec.networks[0].pod.vmNetworkCIDR: Invalid value: "10.0.2.0/32": must leave room for the gateway and the guest (prefix length at most 30))",
          R"(spec.template.spec.domain.devices.disks[0].disk.bus: Unsupported value: "ide": supported values: "sata", "scsi", "usb", "virtio")"});
}

TEST_CASE("a VM template may leave memory to an instance type", "[kube][api][validation]") {
  auto vm = valid_vm();
  vm.spec.template_->spec.domain.resources.requests.erase("memory");
  vm.spec.template_->spec.domain.memory.reset();
  CHECK(validate(vm).empty());
}

TEST_CASE("VM metadata and status", "[kube][api][validation]") {
  auto vm = valid_vm();
  vm.metadata.name = "";
  vm.metadata.generate_name = "vm-";
  vm.status.printable_status.set_raw("Confused");
  CHECK(validate(vm).empty());
  vm.metadata.generate_name.clear();
  CHECK(messages_of(validate(vm)) == messages{"metadata.name: Required value: name or generateName is required"});
}
