// Domain rules of a VMI spec: resources, CPU topology, memory sizes and firmware (KubeVirt's
// validateMemory*, validateCPU*, validateHugepages*, validateGuestMemoryLimit,
// validateFirmware*, validateKernelBoot, validateFirmwareACPI), plus upper bounds KubeVirt
// leaves to QEMU.

#include <map>
#include <string>

#include "kube/api/validation/spec_rules.hpp"

namespace podvisor::kube::api::detail {

namespace {

// KubeVirt refuses memory requests below 1M (decimal): no guest boots in less. (Function
// statics, so that nothing depends on another file's static initialization order.)
const quantity& min_memory() {
  static const quantity q = quantity::from_int(1'000'000, quantity_format::decimal_si);
  return q;
}
// Far above any host we run on: a value beyond it is a typo ("16Pi" for "16Gi"), and
// catching it here beats a launcher that fails to allocate.
const quantity& max_memory() {
  static const quantity q = quantity::from_int(std::int64_t{16} << 40, quantity_format::binary_si);
  return q;
}
constexpr std::uint64_t max_vcpus = 512;

std::string render(const quantity& q) { return quote(q.to_string()); }

const quantity* find(const resource_list& list, const std::string& key) {
  auto it = list.find(key);
  return it == list.end() ? nullptr : &it->second;
}

void check_memory_bounds(const quantity& q, const field_path& at, bool enforce_minimum,
                         field_errors& errors) {
  if (q.sign() < 0)
    errors.push_back(field_invalid(at, render(q), "must be greater than or equal to 0"));
  else if (enforce_minimum && !q.is_zero() && q < min_memory())
    errors.push_back(field_invalid(at, render(q), "must be greater than or equal to 1M"));
  else if (q > max_memory())
    errors.push_back(field_invalid(at, render(q), "must be less than or equal to 16Ti"));
}

void validate_resources(const domain_resources& res, const field_path& at, field_errors& errors) {
  auto check_list = [&](const resource_list& list, std::string_view list_name, bool is_request) {
    for (const auto& [key, q] : list) {
      // cpu and memory are written as KubeVirt does (requests.memory); other resource
      // names contain dots and slashes, so they get Kubernetes' key form (requests[a/b]).
      auto p = key == "cpu" || key == "memory" ? at.child(list_name, key) : at.child(list_name).key(key);
      if (key == "memory")
        check_memory_bounds(q, p, is_request, errors);
      else if (q.sign() < 0)
        errors.push_back(field_invalid(p, render(q), "must be greater than or equal to 0"));
    }
  };
  check_list(res.requests, "requests", true);
  check_list(res.limits, "limits", false);
  // A request above its limit cannot be satisfied (worded as Kubernetes does for pods).
  for (const std::string name : {"cpu", "memory"}) {
    const auto* request = find(res.requests, name);
    const auto* limit = find(res.limits, name);
    if (request && limit && limit->sign() > 0 && *request > *limit)
      errors.push_back(field_invalid(at.child("requests", name), render(*request),
                                     "must be less than or equal to " + name + " limit of "
                                       + limit->to_string()));
  }
}

void validate_memory(const domain_memory& mem, const domain_resources& res,
                     const field_path& domain, field_errors& errors) {
  auto at = domain.child("memory");
  if (mem.guest) {
    check_memory_bounds(*mem.guest, at.child("guest"), true, errors);
    const auto* limit = find(res.limits, "memory");
    if (limit && limit->sign() > 0 && *mem.guest > *limit)
      errors.push_back(field_invalid(at.child("guest"), render(*mem.guest),
                                     "must be less than or equal to memory limit of " + limit->to_string()));
    if (mem.max_guest && *mem.guest > *mem.max_guest)
      errors.push_back(field_invalid(at.child("guest"), render(*mem.guest),
                                     "must be less than or equal to maxGuest of " + mem.max_guest->to_string()));
  }
  if (mem.max_guest)
    check_memory_bounds(*mem.max_guest, at.child("maxGuest"), true, errors);
  if (!mem.hugepages)
    return;
  auto page_path = at.child("hugepages", "pageSize");
  const auto& text = mem.hugepages->page_size;
  if (text.empty()) {
    errors.push_back(field_required(page_path));
    return;
  }
  auto page = quantity::parse(text);
  if (!page) {
    errors.push_back(field_invalid(page_path, quote(text), std::string(quantity::format_error)));
    return;
  }
  if (page->sign() <= 0) {
    errors.push_back(field_invalid(page_path, quote(text), "must be greater than 0"));
    return;
  }
  // Guest memory is carved out of whole pages.
  const auto* request = find(res.requests, "memory");
  if (request == nullptr || request->sign() <= 0)
    return;
  auto request_path = domain.child("resources", "requests", "memory");
  if (*request < *page)
    errors.push_back(field_invalid(request_path, render(*request),
                                   "must be greater than or equal to the hugepage size of " + page->to_string()));
  else if (request->value() % page->value() != 0)
    errors.push_back(field_invalid(request_path, render(*request),
                                   "must be a multiple of the hugepage size of " + page->to_string()));
}

void validate_cpu(const domain_cpu& cpu, const domain_spec& domain, const field_path& at,
                  field_errors& errors) {
  // Zero means "not set" (one) for each dimension of the topology.
  auto dim = [](std::uint32_t v) { return static_cast<std::uint64_t>(v == 0 ? 1 : v); };
  auto vcpus = dim(cpu.sockets) * dim(cpu.cores) * dim(cpu.threads);
  if (vcpus > max_vcpus)
    errors.push_back(field_invalid(at, std::to_string(vcpus),
                                   "the number of vCPUs (sockets * cores * threads) must be less than or equal to "
                                     + std::to_string(max_vcpus)));
  if (cpu.max_sockets != 0 && cpu.sockets > cpu.max_sockets)
    errors.push_back(field_invalid(at.child("sockets"), render_int(cpu.sockets),
                                   "must be less than or equal to maxSockets of " + std::to_string(cpu.max_sockets)));
  for (std::size_t i = 0; i < cpu.features.size(); ++i)
    if (cpu.features[i].name.empty())
      errors.push_back(field_required(at.child("features").index(i).child("name")));
  if (!cpu.dedicated_cpu_placement) {
    if (cpu.isolate_emulator_thread)
      errors.push_back(field_forbidden(at.child("isolateEmulatorThread"),
                                       "may only be set together with dedicatedCpuPlacement"));
    if (cpu.realtime)
      errors.push_back(field_forbidden(at.child("realtime"), "may only be set together with dedicatedCpuPlacement"));
    if (cpu.numa && cpu.numa->guest_mapping_passthrough)
      errors.push_back(field_forbidden(at.child("numa", "guestMappingPassthrough"),
                                       "may only be set together with dedicatedCpuPlacement"));
  }
  if (cpu.numa && cpu.numa->guest_mapping_passthrough && !(domain.memory && domain.memory->hugepages))
    errors.push_back(field_forbidden(at.child("numa", "guestMappingPassthrough"),
                                     "requires memory.hugepages to be set"));
}

void validate_kernel_boot(const firmware_kernel_boot& kb, const field_path& at, field_errors& errors) {
  if (!kb.container) {
    if (!kb.kernel_args.empty())
      errors.push_back(field_forbidden(at.child("kernelArgs"), "may only be set together with container"));
    return;
  }
  auto c = at.child("container");
  if (kb.container->image.empty())
    errors.push_back(field_required(c.child("image")));
  if (kb.container->kernel_path.empty() && kb.container->initrd_path.empty())
    errors.push_back(field_required(c, "at least one of kernelPath or initrdPath must be set"));
  if (!kb.container->kernel_path.empty())
    validate_image_path(kb.container->kernel_path, c.child("kernelPath"), errors);
  if (!kb.container->initrd_path.empty())
    validate_image_path(kb.container->initrd_path, c.child("initrdPath"), errors);
}

void validate_acpi(const firmware_acpi& acpi, const std::vector<vmi_volume>& volumes,
                   const field_path& at, field_errors& errors) {
  if (acpi.slic_name_ref.empty() && acpi.msdm_name_ref.empty()) {
    errors.push_back(field_required(at, "at least one of slicNameRef or msdmNameRef must be set"));
    return;
  }
  for (auto [name, ref] : {std::pair<std::string_view, const std::string*>{"slicNameRef", &acpi.slic_name_ref},
                           std::pair<std::string_view, const std::string*>{"msdmNameRef", &acpi.msdm_name_ref}}) {
    if (ref->empty())
      continue;
    const vmi_volume* volume = nullptr;
    for (const auto& v : volumes)
      if (v.name == *ref)
        volume = &v;
    if (volume == nullptr)
      errors.push_back(field_not_found(at.child(name), quote(*ref)));
    else if (!volume->secret)
      errors.push_back(field_invalid(at.child(name), quote(*ref), "must refer to a secret volume"));
  }
}

void validate_firmware(const domain_firmware& fw, const std::vector<vmi_volume>& volumes,
                       const field_path& at, field_errors& errors) {
  if (fw.bootloader && fw.bootloader->bios && fw.bootloader->efi)
    errors.push_back(field_forbidden(at.child("bootloader", "efi"), "may not be set together with bios"));
  validate_serial(fw.serial, at.child("serial"), errors);
  if (fw.kernel_boot)
    validate_kernel_boot(*fw.kernel_boot, at.child("kernelBoot"), errors);
  if (fw.acpi)
    validate_acpi(*fw.acpi, volumes, at.child("acpi"), errors);
}

} // namespace

void validate_domain(const domain_spec& domain, const std::vector<vmi_volume>& volumes,
                     const field_path& spec, field_errors& errors) {
  auto at = spec.child("domain");
  validate_resources(domain.resources, at.child("resources"), errors);
  if (domain.memory)
    validate_memory(*domain.memory, domain.resources, at, errors);
  if (domain.cpu)
    validate_cpu(*domain.cpu, domain, at.child("cpu"), errors);
  if (domain.firmware)
    validate_firmware(*domain.firmware, volumes, at.child("firmware"), errors);
}

} // namespace podvisor::kube::api::detail
