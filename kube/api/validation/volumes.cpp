// Volume rules of a VMI spec (KubeVirt's validateVolumes, validateContainerDisks and the
// volume half of validateVirtualMachineInstanceSpecVolumeDisks).

#include <map>
#include <set>
#include <string>
#include <utility>

#include "kube/api/validation/names.hpp"
#include "kube/api/validation/spec_rules.hpp"

namespace podvisor::kube::api::detail {

namespace {

// KubeVirt keeps inline cloud-init data small because the whole object travels to every
// watcher on every change; larger data belongs in a secret (secretRef).
constexpr std::size_t cloud_init_data_max_bytes = 2048;

// The JSON names of the sources set on `v`, in the order the type declares them.
std::vector<std::string_view> sources_of(const vmi_volume& v) {
  std::vector<std::string_view> out;
  auto add = [&](bool set, std::string_view name) {
    if (set)
      out.push_back(name);
  };
  add(v.host_disk.has_value(), "hostDisk");
  add(v.persistent_volume_claim.has_value(), "persistentVolumeClaim");
  add(v.cloud_init_no_cloud.has_value(), "cloudInitNoCloud");
  add(v.cloud_init_config_drive.has_value(), "cloudInitConfigDrive");
  add(v.sysprep.has_value(), "sysprep");
  add(v.container_disk.has_value(), "containerDisk");
  add(v.ephemeral.has_value(), "ephemeral");
  add(v.empty_disk.has_value(), "emptyDisk");
  add(v.data_volume.has_value(), "dataVolume");
  add(v.config_map.has_value(), "configMap");
  add(v.secret.has_value(), "secret");
  add(v.downward_api.has_value(), "downwardAPI");
  add(v.service_account.has_value(), "serviceAccount");
  add(v.downward_metrics.has_value(), "downwardMetrics");
  add(v.memory_dump.has_value(), "memoryDump");
  add(v.container_path.has_value(), "containerPath");
  return out;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

// The decoded size of standard, padded base64 (Go's base64.StdEncoding, which skips CR and
// LF), or nothing when `text` is not valid base64.
std::optional<std::size_t> base64_decoded_size(std::string_view text) {
  std::size_t chars = 0;
  std::size_t padding = 0;
  for (char c : text) {
    if (c == '\r' || c == '\n')
      continue;
    if (c == '=') {
      ++padding;
    } else if (padding > 0 || base64_value(c) < 0) {
      return std::nullopt; // data after padding, or not in the alphabet
    }
    ++chars;
  }
  if (chars % 4 != 0 || padding > 2)
    return std::nullopt;
  return chars / 4 * 3 - padding;
}

void validate_cloud_init(const cloud_init_source& ci, const field_path& at, field_errors& errors) {
  // Each of user data and network data may come from one place only.
  auto one_source = [&](std::initializer_list<std::pair<std::string_view, bool>> candidates,
                        std::string_view names) {
    std::size_t n = 0;
    for (auto [name, set] : candidates) {
      if (!set)
        continue;
      if (n++ > 0)
        errors.push_back(field_forbidden(at.child(name), "only one of " + std::string(names) + " may be set"));
    }
    return n;
  };
  auto user_sources = one_source({{"secretRef", ci.secret_ref && !ci.secret_ref->name.empty()},
                                  {"userDataBase64", !ci.user_data_base64.empty()},
                                  {"userData", !ci.user_data.empty()}},
                                 "secretRef, userDataBase64 and userData");
  auto network_sources =
    one_source({{"networkDataSecretRef", ci.network_data_secret_ref && !ci.network_data_secret_ref->name.empty()},
                {"networkDataBase64", !ci.network_data_base64.empty()},
                {"networkData", !ci.network_data.empty()}},
               "networkDataSecretRef, networkDataBase64 and networkData");
  if (user_sources == 0 && network_sources == 0)
    errors.push_back(field_required(
      at, "at least one of userData, userDataBase64, secretRef, networkData, networkDataBase64 or "
          "networkDataSecretRef must be set"));

  auto check_size = [&](std::string_view name, std::string_view inline_text, std::string_view base64) {
    if (!inline_text.empty() && inline_text.size() > cloud_init_data_max_bytes)
      errors.push_back(field_too_long(at.child(name), cloud_init_data_max_bytes));
    if (base64.empty())
      return;
    auto b64_name = std::string(name) + "Base64";
    auto size = base64_decoded_size(base64);
    if (!size)
      errors.push_back(field_invalid(at.child(b64_name), render_value(json(std::string(base64))),
                                     "must be valid base64"));
    else if (*size > cloud_init_data_max_bytes)
      errors.push_back(field_too_long(at.child(b64_name), cloud_init_data_max_bytes));
  };
  check_size("userData", ci.user_data, ci.user_data_base64);
  check_size("networkData", ci.network_data, ci.network_data_base64);
}

void validate_host_disk(const host_disk_source& hd, const field_path& at, field_errors& errors) {
  if (hd.path.empty())
    errors.push_back(field_required(at.child("path")));
  else
    validate_image_path(hd.path, at.child("path"), errors);
  if (hd.type.empty())
    errors.push_back(field_required(at.child("type")));
  // Unknown spellings are reported by the generic enum rule.
  if (hd.capacity.sign() < 0)
    errors.push_back(field_invalid(at.child("capacity"), quote(hd.capacity.to_string()),
                                   "must be greater than or equal to 0"));
  else if (!hd.capacity.is_zero() && hd.type == host_disk_type::disk)
    // An existing image has the size it has.
    errors.push_back(field_forbidden(at.child("capacity"), "may only be set when type is DiskOrCreate"));
}

void require_name(std::string_view value, const field_path& at, field_errors& errors) {
  if (value.empty())
    errors.push_back(field_required(at));
}

void validate_source(const vmi_volume& v, const field_path& at, field_errors& errors) {
  if (v.container_disk) {
    require_name(v.container_disk->image, at.child("containerDisk", "image"), errors);
    if (!v.container_disk->path.empty())
      validate_image_path(v.container_disk->path, at.child("containerDisk", "path"), errors);
  }
  if (v.persistent_volume_claim)
    require_name(v.persistent_volume_claim->claim_name, at.child("persistentVolumeClaim", "claimName"), errors);
  if (v.memory_dump)
    require_name(v.memory_dump->claim_name, at.child("memoryDump", "claimName"), errors);
  if (v.ephemeral) {
    if (!v.ephemeral->persistent_volume_claim)
      errors.push_back(field_required(at.child("ephemeral", "persistentVolumeClaim")));
    else
      require_name(v.ephemeral->persistent_volume_claim->claim_name,
                   at.child("ephemeral", "persistentVolumeClaim", "claimName"), errors);
  }
  if (v.data_volume)
    require_name(v.data_volume->name, at.child("dataVolume", "name"), errors);
  if (v.config_map)
    require_name(v.config_map->name, at.child("configMap", "name"), errors);
  if (v.secret)
    require_name(v.secret->secret_name, at.child("secret", "secretName"), errors);
  if (v.service_account)
    require_name(v.service_account->service_account_name,
                 at.child("serviceAccount", "serviceAccountName"), errors);
  if (v.empty_disk && v.empty_disk->capacity.sign() <= 0)
    errors.push_back(field_invalid(at.child("emptyDisk", "capacity"),
                                   quote(v.empty_disk->capacity.to_string()), "must be greater than 0"));
  if (v.host_disk)
    validate_host_disk(*v.host_disk, at.child("hostDisk"), errors);
  if (v.cloud_init_no_cloud)
    validate_cloud_init(*v.cloud_init_no_cloud, at.child("cloudInitNoCloud"), errors);
  if (v.cloud_init_config_drive)
    validate_cloud_init(*v.cloud_init_config_drive, at.child("cloudInitConfigDrive"), errors);
  if (v.sysprep) {
    bool secret = v.sysprep->secret.has_value();
    bool config_map = v.sysprep->config_map.has_value();
    if (!secret && !config_map)
      errors.push_back(field_required(at.child("sysprep"), "one of secret or configMap must be set"));
    else if (secret && config_map)
      errors.push_back(field_forbidden(at.child("sysprep", "configMap"), "may not be set together with secret"));
  }
  if (v.container_path) {
    if (v.container_path->path.empty())
      errors.push_back(field_required(at.child("containerPath", "path")));
    else
      validate_image_path(v.container_path->path, at.child("containerPath", "path"), errors);
  }
}

} // namespace

void validate_image_path(std::string_view path, const field_path& at, field_errors& errors) {
  if (path == "/") {
    errors.push_back(field_invalid(at, quote(path), "must not point to root"));
    return;
  }
  // What filepath.Join("/", path) would leave unchanged: absolute, no empty, "." or ".."
  // components; one trailing slash is tolerated.
  std::string_view rest = path;
  if (rest.size() > 1 && rest.back() == '/')
    rest.remove_suffix(1);
  bool clean = !rest.empty() && rest.front() == '/';
  while (clean && !rest.empty()) {
    rest.remove_prefix(1); // the '/'
    auto next = rest.find('/');
    auto part = rest.substr(0, next);
    clean = !part.empty() && part != "." && part != "..";
    rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next);
  }
  if (!clean)
    errors.push_back(field_invalid(at, quote(path), "must be an absolute path without relative components"));
}

void validate_volumes(const std::vector<vmi_volume>& volumes, const domain_devices& devices,
                      const field_path& spec, field_errors& errors) {
  std::set<std::string_view> consumers; // disks and filesystems
  for (const auto& d : devices.disks)
    consumers.insert(d.name);
  for (const auto& fs : devices.filesystems)
    consumers.insert(fs.name);

  auto volumes_path = spec.child("volumes");
  std::set<std::string_view> seen;
  // Sources KubeVirt allows at most once per VMI.
  std::map<std::string_view, bool> singletons = {
    {"serviceAccount", false}, {"downwardMetrics", false}, {"memoryDump", false}};

  for (std::size_t i = 0; i < volumes.size(); ++i) {
    const auto& v = volumes[i];
    auto at = volumes_path.index(i);

    bool named = !v.name.empty();
    if (!named)
      errors.push_back(field_required(at.child("name")));
    else
      add_invalid_each(errors, at.child("name"), v.name, is_dns1123_label(v.name));
    bool duplicate = named && !seen.insert(v.name).second;
    if (duplicate)
      errors.push_back(field_duplicate(at.child("name"), quote(v.name)));

    auto sources = sources_of(v);
    if (sources.empty())
      errors.push_back(field_required(at, "must specify a volume source"));
    for (std::size_t s = 1; s < sources.size(); ++s)
      errors.push_back(field_forbidden(at.child(sources[s]), "may not specify more than 1 volume source"));
    for (auto source : sources) {
      auto it = singletons.find(source);
      if (it == singletons.end())
        continue;
      if (it->second)
        errors.push_back(field_forbidden(at.child(source),
                                         "at most one " + std::string(source) + " volume may be set"));
      it->second = true;
    }

    validate_source(v, at, errors);

    // A memory dump target is written by the host and never shown to the guest.
    if (named && !duplicate && !v.memory_dump && !consumers.contains(v.name))
      errors.push_back(field_invalid(at.child("name"), quote(v.name),
                                     "must be used by a disk or filesystem of the same name"));
  }
}

} // namespace podvisor::kube::api::detail
