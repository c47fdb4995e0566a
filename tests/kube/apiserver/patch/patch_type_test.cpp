#include "kube/apiserver/patch/patch_type.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube;
using namespace podvisor::kube::apiserver;

namespace {

const patch_kind pod{"", "v1", "Pod", true};
const patch_kind vmi{"kubevirt.io", "v1", "VirtualMachineInstance", false};

} // namespace

TEST_CASE("patch types and error codes round-trip through their string tables", "[kube][apiserver][patch]") {
  for (const auto& entry : api::enum_table<patch_type>::entries)
    CHECK(api::parse_enum<patch_type>(api::to_string(entry.value)) == entry.value);
  for (const auto& entry : api::enum_table<patch_errc>::entries) {
    CHECK(api::parse_enum<patch_errc>(api::to_string(entry.value)) == entry.value);
    CHECK(http_status(entry.value) >= 400);
    CHECK(http_status(entry.value) < 500);
  }
  CHECK(patch_error{patch_errc::invalid, "x"}.http_code() == 422);
  CHECK(patch_error{patch_errc::unsupported_media_type, "x"}.reason() == "UnsupportedMediaType");
}

TEST_CASE("patch kinds name themselves like the API server", "[kube][apiserver][patch]") {
  CHECK(pod.api_version() == "v1");
  CHECK(pod.qualified_kind() == "Pod");
  CHECK(vmi.api_version() == "kubevirt.io/v1");
  CHECK(vmi.qualified_kind() == "VirtualMachineInstance.kubevirt.io");
}

TEST_CASE("Content-Type headers map to patch types", "[kube][apiserver][patch]") {
  struct row {
    std::string_view header;
    patch_type type;
  };
  const row rows[] = {
    {"application/merge-patch+json", patch_type::merge_patch},
    {"application/merge-patch+json; charset=utf-8", patch_type::merge_patch},
    {"application/merge-patch+json;charset=UTF-8", patch_type::merge_patch},
    {" application/json-patch+json ", patch_type::json_patch},
    {"Application/JSON-Patch+JSON", patch_type::json_patch},
    {"application/strategic-merge-patch+json", patch_type::strategic_merge_patch},
    {"application/apply-patch+yaml", patch_type::apply_patch},
    {"application/apply-patch+yaml; charset=utf-8", patch_type::apply_patch},
  };
  for (const auto& r : rows) {
    INFO(r.header);
    auto t = parse_patch_type(r.header, pod);
    REQUIRE(t);
    CHECK(*t == r.type);
  }
}

TEST_CASE("unknown media types and strategic merge on custom kinds are 415", "[kube][apiserver][patch]") {
  auto custom = parse_patch_type("application/strategic-merge-patch+json", vmi);
  REQUIRE_FALSE(custom);
  CHECK(custom.error().code == patch_errc::unsupported_media_type);
  CHECK(custom.error().http_code() == 415);
  // Exactly the text the reference measured against kube-apiserver.
  CHECK(custom.error().message
        == "the body of the request was in an unknown format - accepted media types include: "
           "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");

  for (std::string_view header : {"application/json", "", "text/plain", "application/apply-patch+cbor",
                                  "application/merge-patch+jsonx", ";application/merge-patch+json"}) {
    INFO(header);
    auto t = parse_patch_type(header, pod);
    REQUIRE_FALSE(t);
    CHECK(t.error().message
          == "the body of the request was in an unknown format - accepted media types include: "
             "application/json-patch+json, application/merge-patch+json, "
             "application/strategic-merge-patch+json, application/apply-patch+yaml");
  }
  CHECK(accepted_patch_types(vmi).size() == 3);
  CHECK(accepted_patch_types(pod).size() == 4);
}
