#pragma once
// Shared helpers of the resources tests: a built-in registry, fixed instants, samples.

#include <chrono>
#include <memory>
#include <string>

#include "kube/api/timestamp.hpp"
#include "kube/apiserver/resources/builtin_resources.hpp"
#include "kube/apiserver/resources/registry.hpp"

namespace podvisor::kube::apiserver::testing {

/// An instant from RFC 3339 text (tests only pass valid text).
inline std::chrono::system_clock::time_point at(const char* rfc3339) {
  return api::parse_timestamp(rfc3339).value().time;
}

/// A snapshot of the built-in registry (built once: generating the schemas takes a moment).
inline const registry_snapshot& builtins() {
  static const registry_snapshot snapshot = resource_registry{builtin_resources()}.snapshot();
  return snapshot;
}

/// The built-in entry for group/version/plural; fails the test through a null deref
/// guard in the caller (REQUIRE it).
inline std::shared_ptr<const resource_entry> builtin(const char* group, const char* version, const char* plural) {
  return builtins().find(group, version, plural);
}

/// A CRD object for foos.example.com with one served version and optional columns.
inline json sample_crd(json columns = json::array()) {
  json version = {{"name", "v1"},
                  {"served", true},
                  {"storage", true},
                  {"schema", {{"openAPIV3Schema",
                               {{"type", "object"},
                                {"description", "A foo."},
                                {"properties", {{"spec", {{"type", "object"},
                                                          {"properties", {{"color", {{"type", "string"}}}}}}}}}}}}},
                  {"subresources", {{"status", json::object()}}}};
  if (!columns.empty())
    version["additionalPrinterColumns"] = std::move(columns);
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", "foos.example.com"}}},
          {"spec",
           {{"group", "example.com"},
            {"names", {{"plural", "foos"}, {"singular", "foo"}, {"kind", "Foo"}, {"shortNames", {"fo"}}}},
            {"scope", "Namespaced"},
            {"versions", json::array({std::move(version)})}}}};
}

} // namespace podvisor::kube::apiserver::testing
