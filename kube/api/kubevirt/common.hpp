#pragma once
// Small pieces shared by the kubevirt.io/v1 types: marker objects whose presence is their
// meaning (`rng: {}`, `masquerade: {}`), references by name, and the enabled/disabled
// feature switch used by features, timers and block sizes.

#include <optional>
#include <string>

#include "kube/api/codec.hpp"

namespace podvisor::kube::api {

/// An object with no fields of its own, written `{}`; being present is what it says
/// (a bridge binding, a random number generator). Unknown members are still kept.
struct empty_object {
  unknown_fields unknown;
  bool operator==(const empty_object&) const = default;
};

template <class F>
void describe(F&, empty_object&) {}

/// core/v1 LocalObjectReference as KubeVirt uses it: an object in the VMI's namespace,
/// named (secretRef, networkDataSecretRef, sysprep's secret or configMap).
struct name_reference {
  std::string name;
  unknown_fields unknown;
  bool operator==(const name_reference&) const = default;
};

template <class F>
void describe(F& f, name_reference& x) {
  f("name", x.name, {.doc = "Name of the object in the same namespace."});
}

/// FeatureState: switches a guest feature on or off; unset means "as the defaults say"
/// (defaulting turns a present but unset switch on).
struct feature_state {
  std::optional<bool> enabled;
  unknown_fields unknown;
  bool operator==(const feature_state&) const = default;
};

template <class F>
void describe(F& f, feature_state& x) {
  f("enabled", x.enabled, {.doc = "Whether the feature is on; defaults to true once the feature is listed."});
}

} // namespace podvisor::kube::api
