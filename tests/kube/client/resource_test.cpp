// resource_ref paths and the resources:: table.

#include <catch2/catch_test_macros.hpp>

#include "kube/client/resource.hpp"

using namespace podvisor::kube::client;

TEST_CASE("collection and object paths for core, grouped and cluster-scoped kinds", "[kube][client]") {
  CHECK(collection_path(resources::pods(), "default") == "/api/v1/namespaces/default/pods");
  CHECK(collection_path(resources::pods(), "") == "/api/v1/pods");
  CHECK(object_path(resources::pods(), "default", "web-1") == "/api/v1/namespaces/default/pods/web-1");
  CHECK(object_path(resources::pods(), "default", "web-1", "status")
        == "/api/v1/namespaces/default/pods/web-1/status");
  CHECK(object_path(resources::virtual_machine_instances(), "ns", "x")
        == "/apis/kubevirt.io/v1/namespaces/ns/virtualmachineinstances/x");
  CHECK(collection_path(resources::leases(), "kube-node-lease")
        == "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases");
  // Cluster-scoped kinds never get a namespace segment, even when one is passed.
  CHECK(object_path(resources::nodes(), "default", "node01") == "/api/v1/nodes/node01");
  CHECK(object_path(resources::namespaces(), "", "team-a") == "/api/v1/namespaces/team-a");
  CHECK(object_path(resources::nodes(), "", "node01", "status") == "/api/v1/nodes/node01/status");
}

TEST_CASE("path segments are percent-encoded", "[kube][client]") {
  CHECK(object_path(resources::config_maps(), "a b", "x/y?z#%") == "/api/v1/namespaces/a%20b/configmaps/x%2Fy%3Fz%23%25");
  CHECK(object_path(resources::secrets(), "ns", "dots.and-dashes_~") == "/api/v1/namespaces/ns/secrets/dots.and-dashes_~");
  CHECK(object_path(resources::secrets(), "ns", "é") == "/api/v1/namespaces/ns/secrets/%C3%A9");
}

TEST_CASE("the resources table", "[kube][client]") {
  struct row {
    resource_ref r;
    const char* api_version;
    const char* plural;
    const char* kind;
    bool namespaced;
  };
  const row rows[] = {
    {resources::pods(), "v1", "pods", "Pod", true},
    {resources::nodes(), "v1", "nodes", "Node", false},
    {resources::namespaces(), "v1", "namespaces", "Namespace", false},
    {resources::events(), "v1", "events", "Event", true},
    {resources::config_maps(), "v1", "configmaps", "ConfigMap", true},
    {resources::secrets(), "v1", "secrets", "Secret", true},
    {resources::persistent_volume_claims(), "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true},
    {resources::leases(), "coordination.k8s.io/v1", "leases", "Lease", true},
    {resources::virtual_machines(), "kubevirt.io/v1", "virtualmachines", "VirtualMachine", true},
    {resources::virtual_machine_instances(), "kubevirt.io/v1", "virtualmachineinstances", "VirtualMachineInstance",
     true},
    {resources::virtual_machine_instance_migrations(), "kubevirt.io/v1", "virtualmachineinstancemigrations",
     "VirtualMachineInstanceMigration", true},
  };
  for (const auto& r : rows) {
    INFO(r.plural);
    CHECK(r.r.api_version() == r.api_version);
    CHECK(r.r.plural == r.plural);
    CHECK(r.r.kind == r.kind);
    CHECK(r.r.namespaced == r.namespaced);
  }
}
