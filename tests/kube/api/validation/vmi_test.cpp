// validate(virtual_machine_instance): metadata, spec-level rules (kube/api/validation/vmi.cpp)
// and all rules together.

#include <catch2/catch_test_macros.hpp>

#include "kube/api/validation/vmi.hpp"
#include "tests/kube/api/validation/fixtures.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::testing;

namespace {

const std::string subdomain_regex_msg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
  "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
  "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

} // namespace

TEST_CASE("VMI metadata is validated", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.metadata.name = "Test_VMI";
  vmi.metadata.namespace_.clear();
  CHECK(messages_of(validate(vmi))
        == messages{R"(metadata.name: Invalid value: "Test_VMI": )" + subdomain_regex_msg,
                    "metadata.namespace: Required value"});
}

TEST_CASE("hostname is an RFC 1123 label, subdomain a subdomain", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.hostname = "my.host";
  vmi.spec.subdomain = "Sub";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.hostname: Invalid value: "my.host": must not contain dots)",
                    R"(spec.subdomain: Invalid value: "Sub": )" + subdomain_regex_msg});
  vmi.spec.hostname = "my-host";
  vmi.spec.subdomain = "sub.example";
  CHECK(validate(vmi).empty());
}

TEST_CASE("terminationGracePeriodSeconds is not negative", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.termination_grace_period_seconds = -1;
  CHECK(messages_of(validate(vmi))
        == messages{"spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0"});
  vmi.spec.termination_grace_period_seconds = 0;
  CHECK(validate(vmi).empty());
}

TEST_CASE("a VMI must request memory somehow", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.resources.requests.erase("memory");
  vmi.spec.domain.memory->guest.reset();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.resources.requests.memory: Required value: no memory requested: set "
                    "spec.domain.memory.guest, spec.domain.memory.hugepages.pageSize or "
                    "spec.domain.resources.requests.memory"});
  vmi.spec.domain.memory->guest = q("512Mi");
  CHECK(validate(vmi).empty());
}

TEST_CASE("probes have one handler; HTTP and TCP need the pod network", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.liveness_probe.emplace();
  vmi.spec.readiness_probe.emplace();
  vmi.spec.readiness_probe->exec = json::object();
  vmi.spec.readiness_probe->http_get = json::object();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.livenessProbe: Required value: must specify a handler type",
                    "spec.readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type"});

  vmi = valid_vmi();
  vmi.spec.readiness_probe.emplace().tcp_socket = json::object();
  CHECK(validate(vmi).empty());
  vmi.spec.networks[0].pod.reset();
  vmi.spec.networks[0].multus = multus_network{.network_name = "alt", .default_ = true, .unknown = {}};
  vmi.spec.domain.devices.interfaces[0].masquerade.reset();
  vmi.spec.domain.devices.interfaces[0].bridge.emplace();
  vmi.spec.domain.devices.interfaces[0].ports.clear();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.readinessProbe.tcpSocket: Forbidden: is only allowed if the pod network is attached"});
}

TEST_CASE("a paused start cannot have a liveness probe", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.start_strategy_ = enum_field<start_strategy>{start_strategy::paused};
  CHECK(validate(vmi).empty());
  vmi.spec.liveness_probe.emplace().guest_agent_ping = json::object();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.livenessProbe: Forbidden: may not be set when startStrategy is Paused"});
}

TEST_CASE("unknown enum values anywhere in the spec are unsupported", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.eviction_strategy_.emplace().set_raw("Sometimes");
  vmi.spec.start_strategy_.emplace().set_raw("Running");
  vmi.spec.dns_policy_.set_raw("Cluster");
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.evictionStrategy: Unsupported value: "Sometimes": supported values: "External", "LiveMigrate", "LiveMigrateIfPossible", "None")",
                    R"(spec.startStrategy: Unsupported value: "Running": supported values: "Paused")",
                    R"(spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None")"});
}

TEST_CASE("status is not validated", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.status.phase.set_raw("Exploded");
  CHECK(validate(vmi).empty());
}

TEST_CASE("a VMI with many problems gets all of them at once", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.metadata.name.clear();
  vmi.spec.termination_grace_period_seconds = -30;
  vmi.spec.domain.resources.requests["cpu"] = q("4");
  vmi.spec.domain.devices.disks[0].disk_->bus.set_raw("ide");
  vmi.spec.domain.devices.disks[1].name = "missing";
  vmi.spec.domain.devices.interfaces[0].mac_address = "not-a-mac";
  vmi.spec.networks[1].name = "net3";
  vmi.spec.volumes[2].persistent_volume_claim->claim_name.clear();
  CHECK(messages_of(validate(vmi))
        == messages{
          "metadata.name: Required value: name or generateName is required",
          "spec.terminationGracePeriodSeconds: Invalid value: -30: must be greater than or equal to 0",
          R"(spec.domain.resources.requests.cpu: Invalid value: "4": must be less than or equal to cpu limit of 1)",
          R"(spec.domain.devices.disks[1].name: Not found: "missing")",
          R"(spec.volumes[1].name: Invalid value: "cloudinit": must be used by a disk or filesystem of the same name)",
          "spec.volumes[2].persistentVolumeClaim.claimName: Required value",
          R"(spec.domain.devices.interfaces[0].macAddress: Invalid value: "not-a-mac": must be a MAC address of six hexadecimal pairs separated by ':' or '-' (e.g. '02:00:00:00:00:01'))",
          R"(spec.domain.devices.interfaces[1].name: Not found: "net2")",
          R"(spec.networks[1].name: Invalid value: "net3": must be used by an interface of the same name)",
          R"(spec.domain.devices.disks[0].disk.bus: Unsupported value: "ide": supported values: "sata", "scsi", "usb", "virtio")"});
}
