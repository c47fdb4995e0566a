// The launcher's VMI → domain preparation: the file is read, admitted and converted
// before any daemon starts, and everything refused names the file, flag or field.
#include "cmd/podvisor-launcher/vm_setup.hpp"

#include <catch2/catch_test_macros.hpp>

#include "common/temp_dir.hpp"

using namespace podvisor;
using namespace podvisor::launcher_cmd;

namespace {

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

const char* const kernel_vmi_json = R"({
  "apiVersion": "kubevirt.io/v1",
  "kind": "VirtualMachineInstance",
  "metadata": {"name": "tiny", "namespace": "test"},
  "spec": {
    "domain": {
      "resources": {"requests": {"memory": "96Mi"}},
      "firmware": {"kernelBoot": {"kernelArgs": "console=ttyS0",
        "container": {"image": "localhost/g:1", "kernelPath": "/boot/vmlinuz", "initrdPath": "/boot/initrd.img"}}},
      "devices": {"interfaces": [{"name": "default", "bridge": {}}]}
    },
    "networks": [{"name": "default", "pod": {}}]
  }
})";

const char* const kernel_vmi_yaml = R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: tiny
  namespace: test
spec:
  terminationGracePeriodSeconds: 12
  domain:
    resources:
      requests:
        memory: 96Mi
    firmware:
      kernelBoot:
        kernelArgs: console=ttyS0
        container:
          image: localhost/g:1
          kernelPath: /boot/vmlinuz
          initrdPath: /boot/initrd.img
    devices:
      interfaces:
      - name: default
        bridge: {}
  networks:
  - name: default
    pod: {}
)";

// A work dir with kernel and initrd files, and options for a kernel boot under TCG.
struct setup {
  scoped_temp_dir dir{"podvisor-vmsetup-"};
  launcher_options opts;

  explicit setup(const std::string& vmi_name = "vmi.json", const std::string& vmi = kernel_vmi_json) {
    opts.vmi_file = dir.write(vmi_name, vmi);
    opts.work_dir = dir.path();
    opts.accel = accel_choice::tcg;
    opts.kernel = dir.write("vmlinuz", "kernel").string();
    opts.initrd = dir.write("initrd.img", "initrd").string();
    opts.interfaces["default"] = {"tap0", "02:00:00:00:00:42"};
  }

  std::string fails() const {
    auto vm = prepare_vm(opts);
    REQUIRE_FALSE(vm);
    CHECK(vm.error().code == errc::invalid_argument);
    return vm.error().message;
  }
};

} // namespace

TEST_CASE("kernel boot from a JSON VMI under --accel tcg", "[cmd][launcher]") {
  setup s;
  auto vm = prepare_vm(s.opts);
  REQUIRE(vm);
  CHECK(vm->domain_name == "test_tiny");
  CHECK(vm->accel_name == "tcg");
  CHECK(contains(vm->accel_reason, "--accel tcg"));
  CHECK(vm->serial_log == s.dir.path() / "serial.log");
  CHECK(contains(vm->domain_xml, "type='qemu'"));
  CHECK(contains(vm->domain_xml, "<kernel>" + s.opts.kernel + "</kernel>"));
  CHECK(contains(vm->domain_xml, "<initrd>" + s.opts.initrd + "</initrd>"));
  CHECK(contains(vm->domain_xml, "tap0"));
  CHECK(contains(vm->domain_xml, (s.dir.path() / "serial.log").string()));
  CHECK(vm->grace_period_s == 30);
}

TEST_CASE("kernel boot from a YAML VMI, grace period from the spec", "[cmd][launcher]") {
  setup s("vmi.yaml", kernel_vmi_yaml);
  auto vm = prepare_vm(s.opts);
  REQUIRE(vm);
  CHECK(vm->domain_name == "test_tiny");
  CHECK(contains(vm->domain_xml, "type='qemu'"));
  CHECK(contains(vm->domain_xml, s.opts.kernel));
  CHECK(vm->grace_period_s == 12);
}

TEST_CASE("the grace period: the flag beats the spec, the default is 30", "[cmd][launcher]") {
  setup with_spec("vmi.yaml", kernel_vmi_yaml);
  with_spec.opts.grace_period_s = 3;
  CHECK(prepare_vm(with_spec.opts)->grace_period_s == 3);
  setup without;
  CHECK(prepare_vm(without.opts)->grace_period_s == 30);
  without.opts.grace_period_s = 0;
  CHECK(prepare_vm(without.opts)->grace_period_s == 0);
}

TEST_CASE("a missing kernel or initrd file names the flag and the path", "[cmd][launcher]") {
  setup s;
  s.opts.kernel = (s.dir.path() / "nope").string();
  auto msg = s.fails();
  CHECK(contains(msg, "--kernel"));
  CHECK(contains(msg, s.opts.kernel));
  CHECK(contains(msg, "no such file"));
  setup t;
  t.opts.initrd = (t.dir.path() / "nope.img").string();
  CHECK(contains(t.fails(), "--initrd " + t.opts.initrd + ": no such file"));
}

TEST_CASE("a missing volume image names the volume", "[cmd][launcher]") {
  setup s;
  s.opts.volumes["root"] = {(s.dir.path() / "root.img").string()};
  CHECK(contains(s.fails(), "--volume root"));
}

TEST_CASE("a missing or unreadable VMI file names the file", "[cmd][launcher]") {
  setup s;
  s.opts.vmi_file = s.dir.path() / "absent.json";
  CHECK(contains(s.fails(), "absent.json"));
  setup t("bad.json", "{not json");
  CHECK(contains(t.fails(), "bad.json"));
}

TEST_CASE("an invalid VMI lists the offending fields", "[cmd][launcher]") {
  std::string no_memory = kernel_vmi_json;
  auto pos = no_memory.find(R"("resources": {"requests": {"memory": "96Mi"}},)");
  REQUIRE(pos != std::string::npos);
  no_memory.erase(pos, std::string(R"("resources": {"requests": {"memory": "96Mi"}},)").size());
  setup s("vmi.json", no_memory);
  auto msg = s.fails();
  INFO(msg);
  CHECK(contains(msg, "vmi.json"));
  CHECK(contains(msg, "spec.domain.resources.requests.memory: Required value"));

  std::string bad_field = kernel_vmi_json;
  pos = bad_field.find(R"("96Mi")");
  bad_field.replace(pos, 6, R"("lots")");
  setup t("vmi.json", bad_field);
  msg = t.fails();
  INFO(msg);
  CHECK(contains(msg, "spec.domain.resources.requests[memory]: Invalid value: \"lots\""));
}

TEST_CASE("a kind other than VirtualMachineInstance is refused", "[cmd][launcher]") {
  const char* vm = R"({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
    "metadata": {"name": "x", "namespace": "test"},
    "spec": {"running": false, "template": {"spec": {"domain": {"resources": {"requests": {"memory": "64Mi"}},
      "devices": {}}}}}})";
  setup s("vm.json", vm);
  auto msg = s.fails();
  CHECK(contains(msg, "VirtualMachine"));
  CHECK(contains(msg, "vm.json"));
}

TEST_CASE("two objects in the file are refused", "[cmd][launcher]") {
  std::string two = std::string(kernel_vmi_yaml) + "---\n" + kernel_vmi_yaml;
  setup s("two.yaml", two);
  CHECK(contains(s.fails(), "expected one VirtualMachineInstance, found 2 objects"));
}

TEST_CASE("an interface without a tap is refused, naming the interface", "[cmd][launcher]") {
  setup s;
  s.opts.interfaces.clear();
  auto vm = prepare_vm(s.opts);
  REQUIRE_FALSE(vm);
  CHECK(contains(vm.error().message, "test/tiny"));
  CHECK(contains(vm.error().message, "spec.domain.devices.interfaces[default]: no tap"));
}

