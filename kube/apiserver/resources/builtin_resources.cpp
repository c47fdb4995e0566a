#include "kube/apiserver/resources/builtin_resources.hpp"

#include "kube/api/core/config.hpp"
#include "kube/api/core/event.hpp"
#include "kube/api/core/lease.hpp"
#include "kube/api/core/namespace.hpp"
#include "kube/api/core/node.hpp"
#include "kube/api/core/pod.hpp"
#include "kube/api/core/pvc.hpp"
#include "kube/api/kinds.hpp"
#include "kube/api/kubevirt/migration.hpp"
#include "kube/api/kubevirt/vm.hpp"
#include "kube/api/kubevirt/vmi.hpp"
#include "kube/apiserver/resources/crd.hpp"
#include "kube/apiserver/resources/printers.hpp"

namespace podvisor::kube::apiserver {

namespace {

const std::vector<verb> status_verbs = {verb::get, verb::patch, verb::update};

resource_entry entry_of(const api::kind_descriptor& k) {
  resource_entry e;
  e.group = std::string(k.group);
  e.version = std::string(k.version);
  e.kind = std::string(k.kind);
  e.list_kind = std::string(k.list_kind);
  e.plural = std::string(k.plural);
  e.singular = std::string(k.singular);
  for (auto name : k.short_names)
    if (!name.empty())
      e.short_names.emplace_back(name);
  e.namespaced = k.namespaced;
  e.verbs.assign(all_verbs.begin(), all_verbs.end());
  if (k.has_status)
    e.subresources.push_back({"status", e.group, e.version, e.kind, status_verbs});
  // Built-in Kubernetes kinds take strategic merge patches; kubevirt.io kinds are CRDs
  // on a real cluster, which refuse them with 415.
  e.strategic_merge_patch = k.group.empty() || k.group == "coordination.k8s.io";
  return e;
}

template <class T>
resource_entry make(std::string schema_name, std::string description, table_printer printer) {
  auto e = entry_of(api::kind_info<T>::value);
  e.schema = api::schema<T>();
  e.schema["description"] = description;
  e.schema_name = std::move(schema_name);
  e.description = std::move(description);
  e.printer = std::move(printer);
  return e;
}

resource_entry crd_entry() {
  resource_entry e;
  e.group = "apiextensions.k8s.io";
  e.version = "v1";
  e.kind = "CustomResourceDefinition";
  e.list_kind = "CustomResourceDefinitionList";
  e.plural = "customresourcedefinitions";
  e.singular = "customresourcedefinition";
  e.short_names = {"crd", "crds"};
  e.categories = {"api-extensions"};
  e.namespaced = false;
  e.verbs.assign(all_verbs.begin(), all_verbs.end());
  e.subresources.push_back({"status", e.group, e.version, e.kind, status_verbs});
  e.schema = crd_schema();
  e.schema_name = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition";
  e.description = e.schema["description"].get<std::string>();
  e.printer = crd_printer();
  return e;
}

} // namespace

std::vector<resource_entry> builtin_resources() {
  std::vector<resource_entry> out;

  auto ns = make<api::namespace_>("io.k8s.api.core.v1.Namespace",
                                  "Namespace gives a scope to names; namespaced objects live in exactly one.",
                                  namespace_printer());
  ns.verbs = {verb::create, verb::delete_, verb::get, verb::list, verb::patch, verb::update, verb::watch};
  ns.field_labels = {{"status.phase", "status.phase"}};
  out.push_back(std::move(ns));

  auto pod = make<api::pod>("io.k8s.api.core.v1.Pod", "Pod is a group of containers scheduled together onto one node.",
                            pod_printer());
  pod.categories = {"all"};
  pod.subresources.push_back({"binding", "", "v1", "Binding", {verb::create}});
  pod.field_labels = {{"spec.nodeName", "spec.nodeName"},
                      {"spec.restartPolicy", "spec.restartPolicy"},
                      {"spec.schedulerName", "spec.schedulerName"},
                      {"spec.serviceAccountName", "spec.serviceAccountName"},
                      {"status.phase", "status.phase"},
                      {"status.podIP", "status.podIP"},
                      {"status.nominatedNodeName", "status.nominatedNodeName"}};
  out.push_back(std::move(pod));

  auto node = make<api::node>("io.k8s.api.core.v1.Node", "Node is a machine that runs pods.", node_printer());
  node.field_labels = {{"spec.unschedulable", "spec.unschedulable"}};
  out.push_back(std::move(node));

  auto ev = make<api::event>("io.k8s.api.core.v1.Event", "Event reports something that happened to an object.",
                             event_printer());
  ev.field_labels = {{"involvedObject.kind", "involvedObject.kind"},
                     {"involvedObject.namespace", "involvedObject.namespace"},
                     {"involvedObject.name", "involvedObject.name"},
                     {"involvedObject.uid", "involvedObject.uid"},
                     {"involvedObject.apiVersion", "involvedObject.apiVersion"},
                     {"involvedObject.resourceVersion", "involvedObject.resourceVersion"},
                     {"involvedObject.fieldPath", "involvedObject.fieldPath"},
                     {"reason", "reason"},
                     {"reportingComponent", "reportingComponent"},
                     {"source", "source.component"},
                     {"type", "type"}};
  out.push_back(std::move(ev));

  out.push_back(make<api::config_map>("io.k8s.api.core.v1.ConfigMap",
                                      "ConfigMap holds configuration data as key-value pairs.", config_map_printer()));
  auto secret = make<api::secret>("io.k8s.api.core.v1.Secret",
                                  "Secret holds confidential data such as passwords, tokens and keys.",
                                  secret_printer());
  secret.field_labels = {{"type", "type"}};
  out.push_back(std::move(secret));
  out.push_back(make<api::persistent_volume_claim>("io.k8s.api.core.v1.PersistentVolumeClaim",
                                                   "PersistentVolumeClaim requests a persistent volume for pods.",
                                                   pvc_printer()));
  out.push_back(make<api::lease>("io.k8s.api.coordination.v1.Lease",
                                 "Lease is a lock held by one holder for a while (leader election, heartbeats).",
                                 lease_printer()));
  out.push_back(crd_entry());

  auto kubevirt = [](resource_entry e) {
    e.categories = {"all"};
    return e;
  };
  out.push_back(kubevirt(make<api::virtual_machine>(
    "io.kubevirt.v1.VirtualMachine",
    "VirtualMachine keeps a VirtualMachineInstance running, stopped or restarted as its run strategy says.",
    vm_printer())));
  out.push_back(kubevirt(make<api::virtual_machine_instance>(
    "io.kubevirt.v1.VirtualMachineInstance", "VirtualMachineInstance is a running virtual machine.", vmi_printer())));
  out.push_back(kubevirt(make<api::virtual_machine_instance_migration>(
    "io.kubevirt.v1.VirtualMachineInstanceMigration",
    "VirtualMachineInstanceMigration moves a running VirtualMachineInstance to another node.", vmim_printer())));
  return out;
}

} // namespace podvisor::kube::apiserver
