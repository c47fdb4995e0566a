#include "kube/client/resource.hpp"

#include "kube/client/url.hpp"

namespace podvisor::kube::client {

namespace resources {

namespace {
resource_ref make(std::string group, std::string plural, std::string kind, bool namespaced) {
  return resource_ref{std::move(group), "v1", std::move(plural), std::move(kind), namespaced};
}
} // namespace

resource_ref pods() { return make("", "pods", "Pod", true); }
resource_ref nodes() { return make("", "nodes", "Node", false); }
resource_ref namespaces() { return make("", "namespaces", "Namespace", false); }
resource_ref events() { return make("", "events", "Event", true); }
resource_ref config_maps() { return make("", "configmaps", "ConfigMap", true); }
resource_ref secrets() { return make("", "secrets", "Secret", true); }
resource_ref persistent_volume_claims() { return make("", "persistentvolumeclaims", "PersistentVolumeClaim", true); }
resource_ref leases() { return make("coordination.k8s.io", "leases", "Lease", true); }
resource_ref virtual_machines() { return make("kubevirt.io", "virtualmachines", "VirtualMachine", true); }
resource_ref virtual_machine_instances() {
  return make("kubevirt.io", "virtualmachineinstances", "VirtualMachineInstance", true);
}
resource_ref virtual_machine_instance_migrations() {
  return make("kubevirt.io", "virtualmachineinstancemigrations", "VirtualMachineInstanceMigration", true);
}

} // namespace resources

std::string collection_path(const resource_ref& r, std::string_view namespace_) {
  std::string out = r.group.empty() ? "/api/" + percent_encode(r.version)
                                    : "/apis/" + percent_encode(r.group) + "/" + percent_encode(r.version);
  if (r.namespaced && !namespace_.empty())
    out += "/namespaces/" + percent_encode(namespace_);
  out += "/" + percent_encode(r.plural);
  return out;
}

std::string object_path(const resource_ref& r, std::string_view namespace_, std::string_view name,
                        std::string_view subresource) {
  auto out = collection_path(r, namespace_) + "/" + percent_encode(name);
  if (!subresource.empty())
    out += "/" + percent_encode(subresource);
  return out;
}

} // namespace podvisor::kube::client
