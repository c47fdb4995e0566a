// Printers for kinds KubeVirt defines as CRDs, with the additionalPrinterColumns of
// KubeVirt's CRDs (virt-operator's resource generator), so `kubectl get vmi` looks the
// same against Podvisor as against a cluster running KubeVirt.

#include "kube/apiserver/resources/printer_util.hpp"
#include "kube/apiserver/resources/printers.hpp"

namespace podvisor::kube::apiserver {

using print::column;

namespace {

printer_column crd_age_column() {
  return column("Age", "date", "", 0, ".metadata.creationTimestamp");
}

} // namespace

table_printer custom_printer(std::vector<printer_column> additional_columns) {
  if (additional_columns.empty())
    additional_columns.push_back(crd_age_column());
  table_printer p;
  p.columns.push_back(name_column());
  for (auto& c : additional_columns)
    p.columns.push_back(std::move(c));
  return p;
}

table_printer vmi_printer() {
  return custom_printer({crd_age_column(), column("Phase", "string", "", 0, ".status.phase"),
                         column("IP", "string", "", 0, ".status.interfaces[0].ipAddress"),
                         column("NodeName", "string", "", 0, ".status.nodeName"),
                         column("Ready", "string", "", 0, ".status.conditions[?(@.type=='Ready')].status"),
                         column("Live-Migratable", "string", "", 1,
                                ".status.conditions[?(@.type=='LiveMigratable')].status"),
                         column("Paused", "string", "", 1, ".status.conditions[?(@.type=='Paused')].status")});
}

table_printer vm_printer() {
  return custom_printer({crd_age_column(),
                         column("Status", "string", "Printable status of the VM.", 0, ".status.printableStatus"),
                         column("Ready", "string", "", 0, ".status.conditions[?(@.type=='Ready')].status")});
}

table_printer vmim_printer() {
  return custom_printer({column("Phase", "string", "Phase of the migration.", 0, ".status.phase"),
                         column("VMI", "string", "VMI being migrated.", 0,
                                ".spec.vmiName")});
}

} // namespace podvisor::kube::apiserver
