#include "kube/api/validation/vm.hpp"

#include "kube/api/validation/enums.hpp"
#include "kube/api/validation/meta.hpp"
#include "kube/api/validation/vmi.hpp"

namespace podvisor::kube::api {

field_errors validate(const virtual_machine& vm) {
  auto errors = validate_object_meta(vm.metadata);
  field_path spec{"spec"};

  // KubeVirt's own message, at the field it blames.
  if (vm.spec.running && vm.spec.run_strategy_)
    errors.push_back(field_invalid(spec.child("running"), *vm.spec.running ? "true" : "false",
                                   "Running and RunStrategy are mutually exclusive. Note that "
                                   "Running is deprecated, please use RunStrategy instead"));
  if (vm.spec.run_strategy_)
    check_enum(*vm.spec.run_strategy_, spec.child("runStrategy"), errors);
  if (vm.spec.update_volumes_strategy_)
    check_enum(*vm.spec.update_volumes_strategy_, spec.child("updateVolumesStrategy"), errors);

  if (!vm.spec.template_) {
    errors.push_back(field_required(spec.child("template")));
    return errors;
  }
  // The template's metadata becomes the VMI's, whose name and namespace come from the VM.
  auto tmpl = spec.child("template");
  const auto& meta = vm.spec.template_->metadata;
  validate_labels(meta.labels, tmpl.child("metadata", "labels"), errors);
  validate_annotations(meta.annotations, tmpl.child("metadata", "annotations"), errors);
  append_errors(errors, validate_vmi_spec(vm.spec.template_->spec, tmpl.child("spec")));
  return errors;
}

} // namespace podvisor::kube::api
