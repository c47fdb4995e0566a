#include "actors/controller/launcher_pod.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>

#include "kube/api/quantity.hpp"

namespace podvisor::actors::controller {

namespace {

using nlohmann::json;
using podvisor::kube::api::quantity;
using podvisor::kube::api::quantity_format;

constexpr std::int64_t mib = 1024 * 1024;

/// The string at `path` of nested objects, or "".
std::string string_at(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* p : path) {
    if (!cur->is_object())
      return {};
    auto it = cur->find(p);
    if (it == cur->end())
      return {};
    cur = &*it;
  }
  return cur->is_string() ? cur->get<std::string>() : std::string{};
}

/// The value at `path`, or null.
const json* value_at(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* p : path) {
    if (!cur->is_object())
      return nullptr;
    auto it = cur->find(p);
    if (it == cur->end())
      return nullptr;
    cur = &*it;
  }
  return cur;
}

std::optional<quantity> quantity_at(const json& j, std::initializer_list<const char*> path) {
  const json* v = value_at(j, path);
  if (v == nullptr)
    return std::nullopt;
  if (v->is_string())
    return quantity::parse(v->get<std::string>());
  if (v->is_number_integer())
    return quantity::from_int(v->get<std::int64_t>(), quantity_format::decimal_si);
  return std::nullopt;
}

std::string bytes_text(std::int64_t bytes) {
  return quantity::from_int(bytes, quantity_format::binary_si).to_string();
}

/// A path inside an image: absolute, no `..`, no empty segments beyond the first.
bool plain_image_path(const std::string& path) {
  if (path.empty() || path.front() != '/' || path.find('\0') != std::string::npos)
    return false;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    auto seg = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (seg.empty() || seg == "." || seg == "..")
      return false;
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return true;
}

} // namespace

expected<std::string> image_directory(const std::string& image_dir, const std::string& image) {
  auto bad = [&](const char* why) {
    return error{errc::invalid_argument, "container image \"" + image + "\" " + why};
  };
  if (image.empty())
    return bad("is empty");
  if (image.size() > 255)
    return bad("is longer than 255 characters");
  for (char ch : image)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_' || ch == ':' ||
          ch == '/' || ch == '@'))
      return bad("has characters an image reference cannot have");
  if (!plain_image_path("/" + image))
    return bad("is not an image reference (empty segment, `.` or `..`)");
  if (image_dir.empty())
    return error{errc::unsupported, "container image \"" + image +
                                        "\": this cluster has no image directory (podvisor-controller --image-dir)"};
  std::string dir = image_dir;
  while (dir.size() > 1 && dir.back() == '/')
    dir.pop_back();
  return dir + "/" + image;
}

namespace {

/// The array at `path`, or an empty one.
const json& value_or_empty(const json& j, std::initializer_list<const char*> path) {
  static const json empty = json::array();
  const json* v = value_at(j, path);
  return v != nullptr && v->is_array() ? *v : empty;
}

/// "raw" or "qcow2" from an image file's name.
std::string image_format(const std::string& path) {
  return path.ends_with(".qcow2") ? "qcow2" : "raw";
}

/// Adds to the pod what the VMI volume `volume` needs and returns the launcher's
/// `--volume` value for it (NAME=PATH,FORMAT), or "" for kinds the launcher prepares
/// itself or not at all (cloudInit, configMap/secret disks: the converter says so).
expected<std::string> map_volume(const json& volume, const launcher_pod_config& config, json& volumes, json& mounts) {
  const std::string name = volume.value("name", "");
  if (name.empty())
    return std::string{};
  const std::string pod_volume = "vol-" + name;
  if (const json* cd = value_at(volume, {"containerDisk"}); cd != nullptr && cd->is_object()) {
    auto dir = image_directory(config.image_dir, cd->value("image", ""));
    if (!dir)
      return error{dir.error().code, "volume " + name + ": containerDisk: " + dir.error().message};
    const std::string path = cd->value("path", std::string{default_container_disk_path});
    if (!plain_image_path(path))
      return error{errc::invalid_argument,
                   "volume " + name + ": containerDisk.path \"" + path + "\" is not an absolute path inside the image"};
    volumes.push_back({{"name", pod_volume}, {"hostPath", {{"path", *dir}, {"type", "Directory"}}}});
    mounts.push_back({{"name", pod_volume}, {"mountPath", *dir}, {"readOnly", true}});
    return name + "=" + *dir + path + "," + image_format(path);
  }
  if (const json* hd = value_at(volume, {"hostDisk"}); hd != nullptr && hd->is_object()) {
    const std::string path = hd->value("path", "");
    if (!plain_image_path(path))
      return error{errc::invalid_argument, "volume " + name + ": hostDisk.path \"" + path + "\" is not an absolute path"};
    if (hd->value("type", "Disk") != "Disk")
      return error{errc::unsupported, "volume " + name + ": hostDisk type " + hd->value("type", "") +
                                          ": only Disk (an existing image) is supported; the launcher does not create images yet"};
    volumes.push_back({{"name", pod_volume}, {"hostPath", {{"path", path}, {"type", "File"}}}});
    mounts.push_back({{"name", pod_volume}, {"mountPath", path}});
    return name + "=" + path + "," + image_format(path);
  }
  std::string claim;
  if (const json* pvc = value_at(volume, {"persistentVolumeClaim"}); pvc != nullptr && pvc->is_object())
    claim = pvc->value("claimName", "");
  else if (const json* dv = value_at(volume, {"dataVolume"}); dv != nullptr && dv->is_object())
    claim = dv->value("name", "");
  else
    return std::string{};
  if (claim.empty())
    return error{errc::invalid_argument, "volume " + name + ": no claim name"};
  // KubeVirt's layout: a filesystem claim holds disk.img, mounted per volume under the
  // private directory.
  const std::string dir = config.work_dir + "/vmi-disks/" + name;
  volumes.push_back({{"name", pod_volume}, {"persistentVolumeClaim", {{"claimName", claim}}}});
  mounts.push_back({{"name", pod_volume}, {"mountPath", dir}});
  return name + "=" + dir + "/disk.img,raw";
}

} // namespace

std::int64_t memory_overhead(std::int64_t guest_memory_bytes, std::int64_t vcpus, bool kvm) {
  std::int64_t overhead = 150 * mib + 8 * mib * std::max<std::int64_t>(vcpus, 1);
  overhead += (std::max<std::int64_t>(guest_memory_bytes, 0) + 511) / 512;
  if (!kvm)
    overhead += 128 * mib;
  return overhead;
}

expected<std::int64_t> guest_memory(const nlohmann::json& vmi) {
  // memory.guest first (what the guest sees), else the memory request.
  const bool has_guest = value_at(vmi, {"spec", "domain", "memory", "guest"}) != nullptr;
  if (has_guest || value_at(vmi, {"spec", "domain", "resources", "requests", "memory"}) != nullptr) {
    auto q = has_guest ? quantity_at(vmi, {"spec", "domain", "memory", "guest"})
                       : quantity_at(vmi, {"spec", "domain", "resources", "requests", "memory"});
    if (!q || q->sign() <= 0)
      return error{errc::invalid_argument, "the VMI's guest memory is not a positive quantity"};
    return q->value();
  }
  return error{errc::invalid_argument,
               "the VMI has no guest memory (spec.domain.memory.guest or spec.domain.resources.requests.memory)"};
}

std::int64_t vcpu_count(const nlohmann::json& vmi) {
  auto part = [&](const char* name) -> std::int64_t {
    const json* v = value_at(vmi, {"spec", "domain", "cpu", name});
    if (v == nullptr || !v->is_number_integer() || v->get<std::int64_t>() < 1)
      return 1;
    return v->get<std::int64_t>();
  };
  return part("sockets") * part("cores") * part("threads");
}

std::string launcher_pod_name(const nlohmann::json& vmi) {
  // kube's generateName alphabet (no vowels, no look-alikes), FNV-1a over the uid.
  static constexpr std::string_view alphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : string_at(vmi, {"metadata", "uid"})) {
    h ^= c;
    h *= 1099511628211ull;
  }
  std::string suffix;
  for (int i = 0; i < 5; ++i) {
    suffix += alphabet[h % alphabet.size()];
    h /= alphabet.size();
  }
  std::string name = string_at(vmi, {"metadata", "name"});
  constexpr std::size_t max_len = 63;
  const std::string prefix = "virt-launcher-";
  std::size_t room = max_len - prefix.size() - 1 - suffix.size();
  if (name.size() > room)
    name.resize(room);
  while (!name.empty() && (name.back() == '-' || name.back() == '.'))
    name.pop_back();
  return prefix + name + "-" + suffix;
}

expected<nlohmann::json> build_launcher_pod(const nlohmann::json& vmi, const launcher_pod_config& config) {
  const std::string name = string_at(vmi, {"metadata", "name"});
  const std::string ns = string_at(vmi, {"metadata", "namespace"});
  const std::string uid = string_at(vmi, {"metadata", "uid"});
  if (name.empty() || ns.empty() || uid.empty())
    return error{errc::invalid_argument, "the VMI has no name, namespace or uid"};
  auto guest = guest_memory(vmi);
  if (!guest)
    return guest.error();
  const std::int64_t vcpus = vcpu_count(vmi);
  const std::int64_t overhead = memory_overhead(*guest, vcpus, config.kvm);

  // Resources: memory = guest + overhead; cpu from the VMI or vCPUs / 10.
  json requests = json::object();
  json limits = json::object();
  requests["memory"] = bytes_text(*guest + overhead);
  if (auto cpu = quantity_at(vmi, {"spec", "domain", "resources", "requests", "cpu"}); cpu && cpu->sign() > 0)
    requests["cpu"] = cpu->to_string();
  else
    requests["cpu"] = quantity::from_milli(vcpus * 100, quantity_format::decimal_si).to_string();
  if (auto cpu = quantity_at(vmi, {"spec", "domain", "resources", "limits", "cpu"}); cpu && cpu->sign() > 0)
    limits["cpu"] = cpu->to_string();
  if (auto mem = quantity_at(vmi, {"spec", "domain", "resources", "limits", "memory"}); mem && mem->sign() > 0)
    limits["memory"] = bytes_text(mem->value() + overhead);
  if (config.kvm) {
    requests[kvm_resource] = "1";
    limits[kvm_resource] = "1";
  }

  // What the launcher reads: the VMI without its status and server-side bookkeeping.
  json vmi_for_launcher = {{"apiVersion", vmi.value("apiVersion", "kubevirt.io/v1")},
                           {"kind", vmi.value("kind", "VirtualMachineInstance")},
                           {"metadata", {{"name", name}, {"namespace", ns}, {"uid", uid}}},
                           {"spec", vmi.value("spec", json::object())}};
  for (const char* field : {"labels", "annotations"})
    if (const json* v = value_at(vmi, {"metadata", field}); v != nullptr && v->is_object())
      vmi_for_launcher["metadata"][field] = *v;

  const std::string accel = config.kvm ? "kvm" : "tcg";
  const std::string script = std::string{"printf %s \"$PODVISOR_VMI_JSON\" > \"$PODVISOR_WORK_DIR/vmi.json\" && "} +
                             "exec \"$0\" --vmi \"$PODVISOR_WORK_DIR/vmi.json\" --work-dir \"$PODVISOR_WORK_DIR\" " +
                             "--accel " + accel + " \"$@\"";
  json command = {"/bin/sh", "-c", script, config.launcher_binary};
  json volumes = {{{"name", "private"}, {"emptyDir", json::object()}}};
  json mounts = {{{"name", "private"}, {"mountPath", config.work_dir}}};
  if (!config.agent_dir.empty()) {
    std::string dir = config.agent_dir;
    while (dir.size() > 1 && dir.back() == '/')
      dir.pop_back();
    dir += "/" + uid;
    volumes.push_back({{"name", "agent"}, {"hostPath", {{"path", dir}, {"type", "DirectoryOrCreate"}}}});
    mounts.push_back({{"name", "agent"}, {"mountPath", dir}});
    for (const auto& arg : {std::string{"--control-socket"}, dir + "/control.sock", std::string{"--await-start"},
                            std::to_string(config.await_start_seconds)})
      command.push_back(arg);
  }
  if (const json* boot = value_at(vmi, {"spec", "domain", "firmware", "kernelBoot", "container"});
      boot != nullptr && boot->is_object()) {
    auto dir = image_directory(config.image_dir, boot->value("image", ""));
    if (!dir)
      return error{dir.error().code, "kernelBoot: " + dir.error().message};
    volumes.push_back({{"name", "kernel-boot"}, {"hostPath", {{"path", *dir}, {"type", "Directory"}}}});
    mounts.push_back({{"name", "kernel-boot"}, {"mountPath", *dir}, {"readOnly", true}});
    for (const char* field : {"kernelPath", "initrdPath"}) {
      const std::string path = boot->value(field, "");
      if (path.empty())
        continue;
      if (!plain_image_path(path))
        return error{errc::invalid_argument,
                     std::string{"kernelBoot.container."} + field + " \"" + path + "\" is not an absolute path inside the image"};
      command.push_back(std::string{field} == "kernelPath" ? "--kernel" : "--initrd");
      command.push_back(*dir + path);
    }
  }
  // The VMI's disk images: where the launcher finds each one inside the pod.
  for (const auto& volume : value_or_empty(vmi, {"spec", "volumes"})) {
    auto mapped = map_volume(volume, config, volumes, mounts);
    if (!mapped)
      return mapped.error();
    if (!mapped->empty()) {
      command.push_back("--volume");
      command.push_back(*mapped);
    }
  }
  if (!config.capabilities_cache.empty()) {
    const std::string& cache = config.capabilities_cache;
    volumes.push_back({{"name", "capabilities-cache"}, {"hostPath", {{"path", cache}, {"type", "DirectoryOrCreate"}}}});
    mounts.push_back({{"name", "capabilities-cache"}, {"mountPath", cache}});
    command.push_back("--capabilities-cache");
    command.push_back(cache);
  }
  json container = {
    {"name", compute_container},
    {"image", "podvisor-launcher"},
    {"command", command},
    {"env",
     {{{"name", "PODVISOR_VMI_JSON"}, {"value", vmi_for_launcher.dump()}},
      {{"name", "PODVISOR_WORK_DIR"}, {"value", config.work_dir}}}},
    {"resources", {{"requests", requests}}},
    {"volumeMounts", mounts},
  };
  if (!limits.empty())
    container["resources"]["limits"] = limits;

  // Labels: KubeVirt's links, plus the VMI's own labels (as virt-controller copies them).
  json labels = json::object();
  if (const json* l = value_at(vmi, {"metadata", "labels"}); l != nullptr && l->is_object())
    labels = *l;
  labels[app_label] = app_label_launcher;
  labels[created_by_label] = uid;
  labels[vm_name_label] = name;
  json annotations = {{domain_annotation, name}};
  if (!config.kvm)
    annotations[software_emulation_annotation] = "true";

  json spec = {
    {"containers", {container}},
    {"restartPolicy", "Never"},
    {"volumes", volumes},
  };
  const json* grace = value_at(vmi, {"spec", "terminationGracePeriodSeconds"});
  spec["terminationGracePeriodSeconds"] = grace != nullptr && grace->is_number_integer() ? grace->get<std::int64_t>()
                                                                                         : std::int64_t{30};
  for (const char* field : {"nodeSelector", "affinity", "schedulerName", "priorityClassName", "hostname", "subdomain"})
    if (const json* v = value_at(vmi, {"spec", field}); v != nullptr && !v->is_null())
      spec[field] = *v;
  // With an agent, only nodes whose agent is alive (KubeVirt's kubevirt.io/schedulable):
  // the launcher would otherwise wait for a `start` nobody sends.
  if (!config.agent_dir.empty()) {
    if (!spec.contains("nodeSelector") || !spec["nodeSelector"].is_object())
      spec["nodeSelector"] = json::object();
    spec["nodeSelector"][schedulable_label] = "true";
  }
  json tolerations = json::array();
  if (const json* t = value_at(vmi, {"spec", "tolerations"}); t != nullptr && t->is_array())
    tolerations = *t;
  if (!config.kvm)
    tolerations.push_back({{"key", kvm_resource}, {"operator", "Exists"}, {"effect", "NoSchedule"}});
  if (!tolerations.empty())
    spec["tolerations"] = tolerations;

  return json{
    {"apiVersion", "v1"},
    {"kind", "Pod"},
    {"metadata",
     {{"name", launcher_pod_name(vmi)},
      {"namespace", ns},
      {"labels", labels},
      {"annotations", annotations},
      {"ownerReferences",
       {{{"apiVersion", vmi.value("apiVersion", "kubevirt.io/v1")},
         {"kind", "VirtualMachineInstance"},
         {"name", name},
         {"uid", uid},
         {"controller", true},
         {"blockOwnerDeletion", true}}}}}},
    {"spec", spec},
  };
}

} // namespace podvisor::actors::controller
