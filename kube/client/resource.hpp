#pragma once
// Which REST collection an object lives in: group, version, plural and scope, and the
// URL paths built from them.

#include <string>
#include <string_view>

namespace podvisor::kube::client {

/// A served resource.
struct resource_ref {
  std::string group{};   ///< "" for the core group
  std::string version = "v1";
  std::string plural{};  ///< "pods"
  std::string kind{};    ///< "Pod"
  bool namespaced = true;

  /// "v1" or "kubevirt.io/v1".
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
};

/// The resources Podvisor's components use.
namespace resources {
resource_ref pods();
resource_ref nodes();
resource_ref namespaces();
resource_ref events();
resource_ref config_maps();
resource_ref secrets();
resource_ref persistent_volume_claims();
resource_ref leases();
resource_ref virtual_machines();
resource_ref virtual_machine_instances();
resource_ref virtual_machine_instance_migrations();
} // namespace resources

/// "/api/v1/namespaces/NS/pods" (NS empty or the resource cluster-scoped: no namespace
/// segment). Names are percent-encoded.
std::string collection_path(const resource_ref& r, std::string_view namespace_);
/// collection_path + "/NAME" [+ "/SUBRESOURCE"].
std::string object_path(const resource_ref& r, std::string_view namespace_, std::string_view name,
                        std::string_view subresource = {});

} // namespace podvisor::kube::client
