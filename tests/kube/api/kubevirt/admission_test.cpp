#include "kube/api/kubevirt/admission.hpp"
#include "kube/api/manifest.hpp"

#include <filesystem>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::api;

namespace {
std::vector<json> load(const std::filesystem::path& path) {
  std::vector<json> docs;
  std::string error;
  REQUIRE(load_manifest_file(path, docs, error));
  return docs;
}
} // namespace

TEST_CASE("admission: every example manifest is admitted, and admission is idempotent", "[kube][api][kubevirt][admission]") {
  std::size_t admitted = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(PODVISOR_SOURCE_DIR) / "examples")) {
    for (const auto& doc : load(entry.path())) {
      auto result = admit(doc);
      INFO(entry.path() << ": " << join_messages(result.errors));
      REQUIRE(result.ok());
      auto again = admit(result.object);
      REQUIRE(again.ok());
      CHECK(again.object == result.object);
      ++admitted;
    }
  }
  CHECK(admitted == 3);
}

TEST_CASE("admission: an invalid VMI reports every field error and no object", "[kube][api][kubevirt][admission]") {
  auto vmi = json::parse(R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
    "metadata":{"name":"bad","namespace":"default"},
    "spec":{"domain":{"devices":{"disks":[{"name":"d0","disk":{"bus":"ide"}}]}}}})");
  auto result = admit(vmi);
  CHECK(result.failure == admission_failure::invalid);
  CHECK(result.object.is_null());
  auto all = join_messages(result.errors);
  CHECK(all.find(R"(spec.domain.devices.disks[0].disk.bus: Unsupported value: "ide")") != std::string::npos);
  CHECK(all.find("spec.domain.devices.disks[0].name") != std::string::npos);
  CHECK(result.summary().find("is invalid") != std::string::npos);
}

TEST_CASE("admission: wrong JSON types are malformed, not defaulted", "[kube][api][kubevirt][admission]") {
  auto vmi = json::parse(R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
    "metadata":{"name":"t"},"spec":{"domain":{"cpu":{"cores":"two"},"devices":{}}}})");
  auto result = admit(vmi);
  CHECK(result.failure == admission_failure::malformed);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].field == "spec.domain.cpu.cores");
}

TEST_CASE("admission: kinds it does not serve are refused clearly", "[kube][api][kubevirt][admission]") {
  CHECK(admit(json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}})")).failure
        == admission_failure::unsupported);
  auto missing = admit(json::parse(R"({"metadata":{"name":"p"}})"));
  CHECK(missing.failure == admission_failure::unsupported);
  CHECK(join_messages(missing.errors) == "apiVersion: Required value, kind: Required value");
  CHECK(admit(json::array()).failure == admission_failure::malformed);
  CHECK_FALSE(is_admitted_kind(json::parse(R"({"apiVersion":"kubevirt.io/v2","kind":"VirtualMachine"})")));
  CHECK(is_admitted_kind(json::parse(R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine"})")));
}
