#pragma once
// core/v1 Namespace: the scope of namespaced names. Cluster-scoped itself.

#include <array>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/kinds.hpp"
#include "kube/api/meta.hpp"

namespace podvisor::kube::api {

/// core/v1 NamespacePhase.
enum class namespace_phase { active, terminating };

template <>
struct enum_table<namespace_phase> {
  static constexpr std::array entries = {
    enum_entry{namespace_phase::active, "Active"},
    enum_entry{namespace_phase::terminating, "Terminating"},
  };
};

/// core/v1 NamespaceSpec.
struct namespace_spec {
  /// Unlike metadata.finalizers, these gate the removal of the namespace's contents
  /// ("kubernetes" is the built-in one).
  std::vector<std::string> finalizers;
  unknown_fields unknown;
  bool operator==(const namespace_spec&) const = default;
};

template <class F>
void describe(F& f, namespace_spec& x) {
  f("finalizers", x.finalizers, {.doc = "Must be empty before the namespace is removed from storage."});
}

/// core/v1 NamespaceStatus.
struct namespace_status {
  enum_field<namespace_phase> phase;
  unknown_fields unknown; // conditions
  bool operator==(const namespace_status&) const = default;
};

template <class F>
void describe(F& f, namespace_status& x) {
  f("phase", x.phase, {.doc = "Active, or Terminating once deletion has begun."});
}

/// core/v1 Namespace. Named with a trailing underscore because `namespace` is a keyword.
struct namespace_ {
  std::string api_version = "v1";
  std::string kind = "Namespace";
  object_meta metadata;
  namespace_spec spec;
  namespace_status status;
  unknown_fields unknown;
  bool operator==(const namespace_&) const = default;
};

template <class F>
void describe(F& f, namespace_& x) {
  f("apiVersion", x.api_version, {.required = true, .doc = "Versioned schema of this object: v1."});
  f("kind", x.kind, {.required = true, .doc = "Kind of this object: Namespace."});
  f("metadata", x.metadata, {.doc = "Standard object metadata."});
  f("spec", x.spec, {.doc = "Desired behaviour of the namespace."});
  f("status", x.status, {.doc = "Observed state of the namespace."});
}

template <>
struct kind_info<namespace_> {
  static constexpr kind_descriptor value{.group = "",
                                         .version = "v1",
                                         .kind = "Namespace",
                                         .list_kind = "NamespaceList",
                                         .plural = "namespaces",
                                         .singular = "namespace",
                                         .short_names = {"ns"},
                                         .namespaced = false,
                                         .has_status = true,
                                         .api_version_ = "v1"};
};

} // namespace podvisor::kube::api
