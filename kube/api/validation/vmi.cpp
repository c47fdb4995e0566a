#include "kube/api/validation/vmi.hpp"

#include <set>

#include "kube/api/validation/enums.hpp"
#include "kube/api/validation/meta.hpp"
#include "kube/api/validation/names.hpp"
#include "kube/api/validation/spec_rules.hpp"

namespace podvisor::kube::api {

namespace {

void validate_probe(const vm_probe& probe, bool has_pod_network, const field_path& at,
                    field_errors& errors) {
  std::size_t handlers = 0;
  for (auto [name, set] : {std::pair{"exec", probe.exec.has_value()},
                           std::pair{"guestAgentPing", probe.guest_agent_ping.has_value()},
                           std::pair{"httpGet", probe.http_get.has_value()},
                           std::pair{"tcpSocket", probe.tcp_socket.has_value()}}) {
    if (!set)
      continue;
    if (handlers++ > 0)
      errors.push_back(field_forbidden(at.child(name), "may not specify more than 1 handler type"));
  }
  if (handlers == 0)
    errors.push_back(field_required(at, "must specify a handler type"));
  // HTTP and TCP probes reach the guest through the pod's address.
  if (!has_pod_network) {
    if (probe.http_get)
      errors.push_back(field_forbidden(at.child("httpGet"), "is only allowed if the pod network is attached"));
    if (probe.tcp_socket)
      errors.push_back(field_forbidden(at.child("tcpSocket"), "is only allowed if the pod network is attached"));
  }
}

// The generic enum rule, minus fields a specific rule already reported (a specific
// message such as "TCP or UDP only" beats the generic list of the enum's spellings).
void add_enum_errors(const vmi_spec& spec, const field_path& path, field_errors& errors) {
  field_errors generic;
  check_enums(spec, path, generic);
  std::set<std::string> reported;
  for (const auto& e : errors)
    reported.insert(e.field);
  for (auto& e : generic)
    if (!reported.contains(e.field))
      errors.push_back(std::move(e));
}

} // namespace

field_errors validate_vmi_spec(const vmi_spec& spec, const field_path& path) {
  field_errors errors;
  if (!spec.hostname.empty())
    add_invalid_each(errors, path.child("hostname"), spec.hostname, is_dns1123_label(spec.hostname));
  if (!spec.subdomain.empty())
    add_invalid_each(errors, path.child("subdomain"), spec.subdomain, is_dns1123_subdomain(spec.subdomain));
  if (spec.termination_grace_period_seconds && *spec.termination_grace_period_seconds < 0)
    errors.push_back(field_invalid(path.child("terminationGracePeriodSeconds"),
                                   render_int(*spec.termination_grace_period_seconds),
                                   "must be greater than or equal to 0"));

  detail::validate_domain(spec.domain, spec.volumes, path, errors);
  detail::validate_disks(spec.domain.devices, spec.volumes, path, errors);
  detail::validate_volumes(spec.volumes, spec.domain.devices, path, errors);
  detail::validate_networking(spec.domain.devices, spec.networks, path, errors);
  detail::validate_boot_order(spec.domain.devices, path, errors);

  bool has_pod_network = false;
  for (const auto& n : spec.networks)
    has_pod_network = has_pod_network || n.pod.has_value();
  if (spec.liveness_probe)
    validate_probe(*spec.liveness_probe, has_pod_network, path.child("livenessProbe"), errors);
  if (spec.readiness_probe)
    validate_probe(*spec.readiness_probe, has_pod_network, path.child("readinessProbe"), errors);
  // A paused guest cannot answer a liveness probe; it would be killed at once.
  if (spec.start_strategy_ && *spec.start_strategy_ == start_strategy::paused && spec.liveness_probe)
    errors.push_back(field_forbidden(path.child("livenessProbe"), "may not be set when startStrategy is Paused"));

  add_enum_errors(spec, path, errors);
  return errors;
}

field_errors validate(const virtual_machine_instance& vmi) {
  auto errors = validate_object_meta(vmi.metadata);
  append_errors(errors, validate_vmi_spec(vmi.spec, field_path{"spec"}));

  // KubeVirt's mandatory field (checked on VMIs only: a VM template may get its memory
  // from an instance type).
  const auto& domain = vmi.spec.domain;
  auto request = domain.resources.requests.find("memory");
  bool requested = request != domain.resources.requests.end() && !request->second.is_zero();
  bool sized = domain.memory && (domain.memory->guest || domain.memory->hugepages);
  if (!requested && !sized)
    errors.push_back(field_required(field_path{"spec"}.child("domain", "resources", "requests", "memory"),
                                    "no memory requested: set spec.domain.memory.guest, "
                                    "spec.domain.memory.hugepages.pageSize or "
                                    "spec.domain.resources.requests.memory"));
  return errors;
}

} // namespace podvisor::kube::api
