#pragma once
// coordination.k8s.io/v1 Lease: a lock with a holder and an expiry, used for leader
// election between controller replicas and for node heartbeats.

#include <cstdint>
#include <optional>
#include <string>

#include "kube/api/codec.hpp"
#include "kube/api/kinds.hpp"
#include "kube/api/meta.hpp"
#include "kube/api/micro_timestamp.hpp"

namespace podvisor::kube::api {

/// coordination/v1 LeaseSpec. Every field is a pointer in Go: an absent holder means the
/// lease is free, which differs from a holder named "".
struct lease_spec {
  std::optional<std::string> holder_identity;
  std::optional<std::int32_t> lease_duration_seconds;
  std::optional<micro_timestamp> acquire_time;
  std::optional<micro_timestamp> renew_time;
  std::optional<std::int32_t> lease_transitions;
  unknown_fields unknown; // strategy, preferredHolder
  bool operator==(const lease_spec&) const = default;
};

template <class F>
void describe(F& f, lease_spec& x) {
  f("holderIdentity", x.holder_identity, {.doc = "Identity of the current holder."});
  f("leaseDurationSeconds", x.lease_duration_seconds,
    {.doc = "Seconds after renewTime at which other candidates may take the lease."});
  f("acquireTime", x.acquire_time, {.doc = "When the current holder acquired the lease."});
  f("renewTime", x.renew_time, {.doc = "When the current holder last renewed the lease."});
  f("leaseTransitions", x.lease_transitions, {.doc = "How often the lease changed holders."});
}

/// coordination.k8s.io/v1 Lease.
struct lease {
  std::string api_version = "coordination.k8s.io/v1";
  std::string kind = "Lease";
  object_meta metadata;
  lease_spec spec;
  unknown_fields unknown;
  bool operator==(const lease&) const = default;
};

template <class F>
void describe(F& f, lease& x) {
  f("apiVersion", x.api_version,
    {.required = true, .doc = "Versioned schema of this object: coordination.k8s.io/v1."});
  f("kind", x.kind, {.required = true, .doc = "Kind of this object: Lease."});
  f("metadata", x.metadata, {.doc = "Standard object metadata."});
  f("spec", x.spec, {.doc = "Holder and timing of the lease."});
}

template <>
struct kind_info<lease> {
  static constexpr kind_descriptor value{.group = "coordination.k8s.io",
                                         .version = "v1",
                                         .kind = "Lease",
                                         .list_kind = "LeaseList",
                                         .plural = "leases",
                                         .singular = "lease",
                                         .short_names = {},
                                         .namespaced = true,
                                         .has_status = false,
                                         .api_version_ = "coordination.k8s.io/v1"};
};

} // namespace podvisor::kube::api
