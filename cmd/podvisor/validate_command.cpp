// `podvisor validate`: runs manifests through the same admission pipeline the API server
// uses (parse → decode → KubeVirt defaults → validation) and reports every error with
// its field path. Useful before `kubectl apply`, and in CI for manifests users keep.

#include <cstdio>
#include <string>

#include "cmd/podvisor/commands.hpp"
#include "kube/api/kubevirt/admission.hpp"
#include "kube/api/manifest.hpp"

namespace podvisor::cli {

namespace {

constexpr const char* validate_usage = R"(Usage: podvisor validate -f FILE [-f FILE...] [-o text|json]

Checks VirtualMachine, VirtualMachineInstance and VirtualMachineInstanceMigration
manifests (YAML or JSON, several documents per file allowed) exactly as the API server
admits them: decoding, KubeVirt's defaults, then validation. Every error is printed with
its field path. Exit code 0 when all objects are valid, 1 when any is not, 2 on bad usage.

Flags:
  -f, --filename FILE   a manifest file ("-" reads standard input); repeatable
  -o, --output FORMAT   text (default): a line per object; json: the defaulted objects
  -h, --help            this help
)";

bool read_stdin(std::string& out) {
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
    out.append(buf, n);
    if (out.size() > kube::api::manifest_limits{}.max_bytes)
      return false;
  }
  return true;
}

} // namespace

int run_validate(const std::vector<std::string_view>& args) {
  std::vector<std::string> files;
  std::string output = "text";
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    auto value = [&](std::string_view flag) -> std::optional<std::string> {
      if (a.size() > flag.size() + 1 && a.substr(0, flag.size()) == flag && a[flag.size()] == '=')
        return std::string(a.substr(flag.size() + 1));
      if (a == flag) {
        if (i + 1 >= args.size())
          return std::nullopt;
        return std::string(args[++i]);
      }
      return std::nullopt;
    };
    if (a == "-h" || a == "--help") {
      std::fputs(validate_usage, stdout);
      return 0;
    }
    if (a == "-f" || a == "--filename" || a.starts_with("--filename=")) {
      auto v = value(a.starts_with("--") ? "--filename" : "-f");
      if (!v) {
        std::fprintf(stderr, "podvisor validate: %.*s needs a file name\n", static_cast<int>(a.size()), a.data());
        return 2;
      }
      files.push_back(*v);
      continue;
    }
    if (a == "-o" || a == "--output" || a.starts_with("--output=")) {
      auto v = value(a.starts_with("--") ? "--output" : "-o");
      if (!v || (*v != "text" && *v != "json")) {
        std::fputs("podvisor validate: --output must be text or json\n", stderr);
        return 2;
      }
      output = *v;
      continue;
    }
    std::fprintf(stderr, "podvisor validate: unexpected argument \"%.*s\"; see --help\n",
                 static_cast<int>(a.size()), a.data());
    return 2;
  }
  if (files.empty()) {
    std::fputs("podvisor validate: no manifest given; use -f FILE (see --help)\n", stderr);
    return 2;
  }

  bool all_valid = true;
  auto defaulted = kube::api::json::array();
  for (const auto& file : files) {
    std::vector<kube::api::json> docs;
    std::string error;
    bool loaded;
    if (file == "-") {
      std::string text;
      loaded = read_stdin(text);
      if (!loaded)
        error = "standard input is larger than the manifest size limit";
      else
        loaded = kube::api::load_manifests(text, docs, error);
    } else {
      loaded = kube::api::load_manifest_file(file, docs, error);
    }
    if (!loaded) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(), error.c_str());
      all_valid = false;
      continue;
    }
    if (docs.empty()) {
      std::fprintf(stderr, "%s: no objects in file\n", file.c_str());
      all_valid = false;
      continue;
    }
    for (const auto& doc : docs) {
      auto result = kube::api::admit(doc);
      if (!result.ok()) {
        all_valid = false;
        std::fprintf(stderr, "%s: %s\n", file.c_str(), result.summary().c_str());
        for (const auto& e : result.errors)
          std::fprintf(stderr, "  %s\n", e.message().c_str());
        continue;
      }
      if (output == "json")
        defaulted.push_back(result.object);
      else
        std::printf("%s: %s\n", file.c_str(), result.summary().c_str());
    }
  }
  if (output == "json") {
    auto out = defaulted.size() == 1 ? defaulted[0] : defaulted;
    std::printf("%s\n", out.dump(2).c_str());
  }
  return all_valid ? 0 : 1;
}

} // namespace podvisor::cli
