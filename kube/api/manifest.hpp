#pragma once
// Loading Kubernetes manifests (what `kubectl apply -f` reads): JSON, or YAML with any
// number of "---"-separated documents, into JSON documents ready for the codec.
//
// YAML scalars mean what they mean to Kubernetes, which reads YAML through
// sigs.k8s.io/yaml (go-yaml v2, YAML 1.1): unquoted yes/no/on/off/y/n are booleans,
// ~/null/empty are null, 0x1F and 0o17 are integers, quoted scalars are always strings,
// keys always become strings. See yaml_scalar.hpp for the exact rules.
//
// Hostile input gets an error, never a crash or an unbounded allocation: the text size,
// the nesting depth and the size after alias expansion ("billion laughs") are capped.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace podvisor::kube::api {

/// Caps applied while loading. The defaults suit any real manifest.
struct manifest_limits {
  /// Larger texts and files are refused outright.
  std::size_t max_bytes = 8 * 1024 * 1024;
  /// Deepest allowed nesting of mappings and sequences.
  std::size_t max_depth = 100;
  /// Nodes (scalars and collections) in all documents together, counted after aliases
  /// are expanded.
  std::size_t max_nodes = 1'000'000;
  /// Bytes of scalar and key text in all documents together, after alias expansion.
  std::size_t max_text_bytes = 32 * 1024 * 1024;
};

/// Why loading failed, and where.
struct manifest_error {
  /// 1-based position of the document in the stream; 0 when the error is not in one.
  std::size_t document = 0;
  /// 1-based line and column in the text; 0 when unknown.
  std::size_t line = 0;
  std::size_t column = 0;
  std::string message;
  /// The file the text came from, when loaded from a file.
  std::string source;

  /// "deploy.yaml: document 2, line 7, column 3: <message>" (absent parts left out).
  std::string to_string() const;
};

/// Parses `text` (JSON, or YAML with one or more documents) and appends every non-empty
/// document to `out` (documents that are empty or just `null` are skipped, as kubectl
/// skips them). Returns false with `error` set on the first problem; documents before the
/// failing one are kept in `out`. Never throws.
bool load_manifests(std::string_view text, std::vector<nlohmann::json>& out,
                    manifest_error& error, const manifest_limits& limits = {});

/// As above, with the error rendered by manifest_error::to_string().
bool load_manifests(std::string_view text, std::vector<nlohmann::json>& out, std::string& error);

/// Reads `path` and loads it as above. A missing, unreadable or too large file (over
/// `limits.max_bytes`) is an error naming the file.
bool load_manifest_file(const std::filesystem::path& path, std::vector<nlohmann::json>& out,
                        manifest_error& error, const manifest_limits& limits = {});

/// As above, with the error rendered by manifest_error::to_string().
bool load_manifest_file(const std::filesystem::path& path, std::vector<nlohmann::json>& out,
                        std::string& error);

} // namespace podvisor::kube::api
