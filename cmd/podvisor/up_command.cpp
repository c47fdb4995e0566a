// `podvisor up`: runs whatever exists of Podvisor on this machine. It must never pretend:
// until the embedded cluster (API server, scheduler, pod runtime, agents) lands, it says
// so, and does the part that exists — admitting the example manifests with the same
// rules the API server applies (decode, KubeVirt defaults, validation).

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cmd/podvisor/commands.hpp"
#include "kube/api/kubevirt/admission.hpp"
#include "kube/api/manifest.hpp"
#include "podvisor/version.hpp"

namespace podvisor::cli {

namespace {

constexpr const char* up_usage = R"(Usage: podvisor up [--examples DIR]

Runs Podvisor on this machine. Today only the API layer exists: this admits every
manifest in the examples directory (default: ./examples) with the API server's rules
and reports plainly that the embedded cluster is not available yet.
)";

} // namespace

int run_up(const std::vector<std::string_view>& args) {
  std::filesystem::path examples = "examples";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-h" || args[i] == "--help") {
      std::fputs(up_usage, stdout);
      return 0;
    }
    if (args[i] == "--examples" && i + 1 < args.size()) {
      examples = std::string(args[++i]);
      continue;
    }
    std::fprintf(stderr, "podvisor up: unexpected argument \"%.*s\"; see --help\n",
                 static_cast<int>(args[i].size()), args[i].data());
    return 2;
  }

  std::printf("podvisor %s\n\n", podvisor::version_string);
  std::printf("Embedded cluster: NOT AVAILABLE YET.\n"
              "  The API server, scheduler, pod runtime, node agents and launchers come with the\n"
              "  next issues; nothing is started and no VM runs.\n\n");

  std::error_code ec;
  if (!std::filesystem::is_directory(examples, ec)) {
    std::fprintf(stderr, "podvisor up: examples directory %s not found (run from the repository root or pass --examples DIR)\n",
                 examples.c_str());
    return 1;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(examples, ec)) {
    auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json"))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::printf("What exists: the kubevirt.io/v1 API. Admitting %s/ as the API server will:\n", examples.c_str());
  bool all_valid = true;
  for (const auto& file : files) {
    std::vector<kube::api::json> docs;
    std::string error;
    if (!kube::api::load_manifest_file(file, docs, error)) {
      std::printf("  %s: %s\n", file.c_str(), error.c_str());
      all_valid = false;
      continue;
    }
    for (const auto& doc : docs) {
      auto result = kube::api::admit(doc);
      std::printf("  %s: %s\n", file.c_str(), result.summary().c_str());
      for (const auto& e : result.errors)
        std::printf("    %s\n", e.message().c_str());
      all_valid = all_valid && result.ok();
    }
  }
  std::printf("\nTry: build/bin/podvisor validate -f examples/vm.yaml -o json\n");
  return all_valid ? 0 : 1;
}

} // namespace podvisor::cli
