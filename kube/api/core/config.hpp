#pragma once
// core/v1 ConfigMap and Secret: key/value data that pods consume as files or environment.

#include <map>
#include <optional>
#include <string>

#include "kube/api/codec.hpp"
#include "kube/api/kinds.hpp"
#include "kube/api/meta.hpp"

namespace podvisor::kube::api {

/// core/v1 ConfigMap.
struct config_map {
  std::string api_version = "v1";
  std::string kind = "ConfigMap";
  object_meta metadata;
  std::optional<bool> immutable;
  std::map<std::string, std::string> data;
  /// Base64 text as on the wire; decoding is left to whoever writes the bytes out.
  std::map<std::string, std::string> binary_data;
  unknown_fields unknown;
  bool operator==(const config_map&) const = default;
};

template <class F>
void describe(F& f, config_map& x) {
  f("apiVersion", x.api_version, {.required = true, .doc = "Versioned schema of this object: v1."});
  f("kind", x.kind, {.required = true, .doc = "Kind of this object: ConfigMap."});
  f("metadata", x.metadata, {.doc = "Standard object metadata."});
  f("immutable", x.immutable, {.doc = "If true, data and binaryData can no longer be changed."});
  f("data", x.data, {.doc = "UTF-8 values by key."});
  f("binaryData", x.binary_data, {.doc = "Base64-encoded binary values by key; keys must not repeat those of data."});
}

template <>
struct kind_info<config_map> {
  static constexpr kind_descriptor value{.group = "",
                                         .version = "v1",
                                         .kind = "ConfigMap",
                                         .list_kind = "ConfigMapList",
                                         .plural = "configmaps",
                                         .singular = "configmap",
                                         .short_names = {"cm"},
                                         .namespaced = true,
                                         .has_status = false,
                                         .api_version_ = "v1"};
};

/// core/v1 Secret.
struct secret {
  std::string api_version = "v1";
  std::string kind = "Secret";
  object_meta metadata;
  std::optional<bool> immutable;
  /// Base64 text as on the wire (Go's []byte); kept encoded so a round trip is exact.
  std::map<std::string, std::string> data;
  /// Write-only convenience input; the API server merges it into data.
  std::map<std::string, std::string> string_data;
  /// Opaque, kubernetes.io/tls, ... — open-ended (users define their own), so a string.
  std::string type;
  unknown_fields unknown;
  bool operator==(const secret&) const = default;
};

template <class F>
void describe(F& f, secret& x) {
  f("apiVersion", x.api_version, {.required = true, .doc = "Versioned schema of this object: v1."});
  f("kind", x.kind, {.required = true, .doc = "Kind of this object: Secret."});
  f("metadata", x.metadata, {.doc = "Standard object metadata."});
  f("immutable", x.immutable, {.doc = "If true, data can no longer be changed."});
  f("data", x.data, {.doc = "Base64-encoded values by key."});
  f("stringData", x.string_data, {.doc = "Plain-text values merged into data on write; never returned."});
  f("type", x.type, {.doc = "Type of the secret, for programmatic handling (Opaque by default)."});
}

template <>
struct kind_info<secret> {
  static constexpr kind_descriptor value{.group = "",
                                         .version = "v1",
                                         .kind = "Secret",
                                         .list_kind = "SecretList",
                                         .plural = "secrets",
                                         .singular = "secret",
                                         .short_names = {},
                                         .namespaced = true,
                                         .has_status = false,
                                         .api_version_ = "v1"};
};

} // namespace podvisor::kube::api
