// libFuzzer harness: manifest text (YAML or JSON) → documents → admission (decode,
// KubeVirt defaults, validation) → encode. Any input must come back as documents or a
// clear error; a crash, leak, hang or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kube/api/kubevirt/admission.hpp"
#include "kube/api/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<nlohmann::json> docs;
  std::string error;
  if (!podvisor::kube::api::load_manifests(text, docs, error))
    return 0;
  for (const auto& doc : docs) {
    auto result = podvisor::kube::api::admit(doc);
    for (const auto& e : result.errors)
      (void)e.message();
    (void)result.summary();
    if (result.ok()) {
      // An admitted object must be admitted again unchanged: defaults are idempotent.
      auto again = podvisor::kube::api::admit(result.object);
      if (!again.ok() || again.object != result.object)
        __builtin_trap();
      (void)result.object.dump();
    }
  }
  return 0;
}
