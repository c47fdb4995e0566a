#include "kube/api/kubevirt/features.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/kubevirt/kubevirt_testing.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::kubevirt_testing;

TEST_CASE("Hyper-V features round-trip field by field", "[kube][api][kubevirt][features]") {
  auto in = json::parse(R"({"acpi":{"enabled":false},"apic":{"endOfInterrupt":true},"smm":{},
    "kvm":{"hidden":true},"pvspinlock":{"enabled":false},"hypervPassthrough":{"enabled":false},
    "hyperv":{"relaxed":{},"vapic":{"enabled":true},"spinlocks":{"spinlocks":8191},"vpindex":{},
      "runtime":{},"synic":{},"synictimer":{"direct":{"enabled":true}},"reset":{},
      "vendorid":{"vendorid":"KubeVirt"},"frequencies":{},"reenlightenment":{},
      "tlbflush":{"extended":{}},"ipi":{},"evmcs":{"enabled":false}}})");
  auto f = round_trip<domain_features>(in);
  CHECK(f.acpi.enabled == false);
  CHECK(f.apic->end_of_interrupt);
  CHECK(f.kvm->hidden);
  REQUIRE(f.hyperv);
  CHECK(f.hyperv->spinlocks->spinlocks == 8191u);
  CHECK(f.hyperv->synictimer->direct->enabled == true);
  CHECK(f.hyperv->vendorid->vendorid == "KubeVirt");
  CHECK(f.hyperv->tlbflush->extended.has_value());
  CHECK(f.hyperv->evmcs->enabled == false);
}

TEST_CASE("an unset ACPI switch is not written", "[kube][api][kubevirt][features]") {
  domain_features f;
  f.smm.emplace();
  CHECK(encode(f) == json::parse(R"({"smm":{}})"));
}
