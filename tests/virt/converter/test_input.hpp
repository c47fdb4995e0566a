#pragma once
// Builds converter inputs for the table tests from a VMI spec written as JSON, so that
// each case reads like the manifest a user would write.

#include <string>
#include <string_view>

#include <catch2/catch_test_macros.hpp>

#include "kube/api/kubevirt/defaults.hpp"
#include "kube/api/kubevirt/vmi.hpp"
#include "virt/converter/converter_input.hpp"

namespace podvisor::virt::testing {

/// A VMI ns/vm with `spec` (JSON text of .spec), decoded as the API server would; with
/// `defaulted`, KubeVirt's defaults applied on top.
inline converter_input input_from(std::string_view spec, domain_type type = domain_type::qemu,
                                  bool defaulted = false) {
  auto doc = kube::api::json::object();
  doc["apiVersion"] = "kubevirt.io/v1";
  doc["kind"] = "VirtualMachineInstance";
  doc["metadata"] = {{"name", "vm"}, {"namespace", "ns"}};
  doc["spec"] = kube::api::json::parse(spec);
  auto decoded = kube::api::decode<kube::api::virtual_machine_instance>(doc);
  REQUIRE(decoded.ok());
  converter_input in;
  in.vmi = std::move(decoded.value);
  if (defaulted)
    kube::api::set_defaults(in.vmi);
  in.type = type;
  return in;
}

} // namespace podvisor::virt::testing
