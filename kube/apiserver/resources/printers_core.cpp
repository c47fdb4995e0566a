// Printers for the core/v1 and coordination.k8s.io kinds, cell for cell as the
// Kubernetes API server renders them (pkg/printers/internalversion), in the wide form.

#include <algorithm>
#include <set>
#include <string>

#include "kube/api/timestamp.hpp"
#include "kube/apiserver/resources/humanize.hpp"
#include "kube/apiserver/resources/printer_util.hpp"
#include "kube/apiserver/resources/printers.hpp"

namespace podvisor::kube::apiserver {

using namespace print;

namespace {

std::string node_address(const json& node, std::string_view type) {
  for (const auto& a : array_at(at(node, "status"), "addresses"))
    if (string_at(a, "type") == type)
      return string_at(a, "address");
  return "<none>";
}

std::vector<json> node_cells(const json& node, const print_context& ctx) {
  const json& status = at(node, "status");
  auto ready = condition_status(array_at(status, "conditions"), "Ready");
  std::string state = ready.empty() ? "Unknown" : ready == "True" ? "Ready" : "NotReady";
  if (bool_at(at(node, "spec"), "unschedulable"))
    state += ",SchedulingDisabled";
  // Roles come from node-role.kubernetes.io/<role> keys and the kubernetes.io/role value.
  std::set<std::string> roles;
  const json& labels = at(at(node, "metadata"), "labels");
  if (labels.is_object()) {
    constexpr std::string_view prefix = "node-role.kubernetes.io/";
    for (auto it = labels.begin(); it != labels.end(); ++it) {
      const std::string& key = it.key();
      if (key.starts_with(prefix) && key.size() > prefix.size())
        roles.insert(key.substr(prefix.size()));
      else if (key == "kubernetes.io/role" && it->is_string() && !it->get<std::string>().empty())
        roles.insert(it->get<std::string>());
    }
  }
  std::string role_text;
  for (const auto& r : roles)
    role_text += (role_text.empty() ? "" : ",") + r;
  const json& info = at(status, "nodeInfo");
  return {string_at(node, "metadata.name"),
          state,
          none_if_empty(role_text),
          age(node, ctx),
          string_at(info, "kubeletVersion"),
          node_address(node, "InternalIP"),
          node_address(node, "ExternalIP"),
          none_if_empty(string_at(info, "osImage"), "<unknown>"),
          none_if_empty(string_at(info, "kernelVersion"), "<unknown>"),
          none_if_empty(string_at(info, "containerRuntimeVersion"), "<unknown>")};
}

std::vector<json> namespace_cells(const json& ns, const print_context& ctx) {
  return {string_at(ns, "metadata.name"), string_at(ns, "status.phase"), age(ns, ctx)};
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trim(const std::string& s) {
  auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos)
    return {};
  auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

std::vector<json> event_cells(const json& ev, const print_context& ctx) {
  auto first_seen = at(ev, "firstTimestamp").is_string() ? age_since(at(ev, "firstTimestamp"), ctx.now)
                                                         : age_since(at(ev, "eventTime"), ctx.now);
  auto last_seen = at(ev, "lastTimestamp").is_string() ? age_since(at(ev, "lastTimestamp"), ctx.now) : first_seen;
  auto count = int_at(ev, "count");
  const json& series = at(ev, "series");
  if (series.is_object()) {
    last_seen = age_since(at(series, "lastObservedTime"), ctx.now);
    count = int_at(series, "count");
  } else if (count == 0) {
    count = 1; // singleton events of the events.k8s.io API carry no count
  }
  const json& involved = at(ev, "involvedObject");
  auto target = lower(string_at(involved, "kind"));
  if (!string_at(involved, "name").empty())
    target += "/" + string_at(involved, "name");
  auto component = string_at(ev, "source.component");
  if (component.empty())
    component = string_at(ev, "reportingController");
  auto host = string_at(ev, "source.host");
  if (host.empty())
    host = string_at(ev, "reportingInstance");
  auto source = host.empty() ? component : component + ", " + host;
  return {last_seen, string_at(ev, "type"), string_at(ev, "reason"), target,
          string_at(involved, "fieldPath"), source, trim(string_at(ev, "message")),
          first_seen, count, string_at(ev, "metadata.name")};
}

std::int64_t member_count(const json& obj, std::string_view key) {
  const json& v = at(obj, key);
  return v.is_object() ? static_cast<std::int64_t>(v.size()) : 0;
}

std::vector<json> config_map_cells(const json& cm, const print_context& ctx) {
  return {string_at(cm, "metadata.name"), member_count(cm, "data") + member_count(cm, "binaryData"), age(cm, ctx)};
}

std::vector<json> secret_cells(const json& s, const print_context& ctx) {
  return {string_at(s, "metadata.name"), string_at(s, "type"), member_count(s, "data"), age(s, ctx)};
}

// helper.GetAccessModesAsString: a fixed order, duplicates dropped.
std::string access_modes(const json& modes) {
  auto has = [&](std::string_view mode) {
    return std::any_of(modes.begin(), modes.end(), [&](const json& m) { return m.is_string() && m == mode; });
  };
  std::string out;
  for (auto [mode, abbrev] : {std::pair{"ReadWriteOnce", "RWO"}, std::pair{"ReadOnlyMany", "ROX"},
                              std::pair{"ReadWriteMany", "RWX"}, std::pair{"ReadWriteOncePod", "RWOP"}})
    if (modes.is_array() && has(mode))
      out += (out.empty() ? "" : ",") + std::string(abbrev);
  return out;
}

std::vector<json> pvc_cells(const json& pvc, const print_context& ctx) {
  const json& spec = at(pvc, "spec");
  const json& status = at(pvc, "status");
  auto phase = string_at(status, "phase");
  if (at(at(pvc, "metadata"), "deletionTimestamp").is_string())
    phase = "Terminating";
  auto volume = string_at(spec, "volumeName");
  std::string capacity;
  std::string modes;
  if (!volume.empty()) {
    const json& storage = at(at(status, "capacity"), "storage");
    capacity = storage.is_string() ? storage.get<std::string>() : std::string("0");
    modes = access_modes(at(status, "accessModes"));
  }
  // The beta annotation wins over spec.storageClassName, as in helper.GetPersistentVolumeClaimClass.
  const json& annotations = at(at(pvc, "metadata"), "annotations");
  const json& beta_class = at(annotations, "volume.beta.kubernetes.io/storage-class");
  auto storage_class = beta_class.is_string() ? beta_class.get<std::string>() : string_at(spec, "storageClassName");
  return {string_at(pvc, "metadata.name"),
          phase,
          volume,
          capacity,
          modes,
          storage_class,
          none_if_empty(string_at(spec, "volumeAttributesClassName"), "<unset>"),
          age(pvc, ctx),
          none_if_empty(string_at(spec, "volumeMode"), "<unset>")};
}

std::vector<json> lease_cells(const json& lease, const print_context& ctx) {
  return {string_at(lease, "metadata.name"), string_at(lease, "spec.holderIdentity"), age(lease, ctx)};
}

std::vector<json> crd_cells(const json& crd, const print_context&) {
  // The default table convertor prints the creation time itself, not an age.
  auto created = api::parse_timestamp(string_at(crd, "metadata.creationTimestamp"));
  return {string_at(crd, "metadata.name"), created ? api::format_timestamp(*created) : "0001-01-01T00:00:00Z"};
}

std::vector<json> default_cells(const json& obj, const print_context& ctx) {
  return {string_at(obj, "metadata.name"), age(obj, ctx)};
}

} // namespace

printer_column name_column() {
  auto c = column("Name", "string", "Name of the object, unique within its namespace.", 0, ".metadata.name");
  c.format = "name";
  return c;
}

table_printer node_printer() {
  return {{name_column(), column("Status", "string", "Ready condition and schedulability of the node."),
           column("Roles", "string", "Roles from node-role.kubernetes.io/ labels."), age_column(),
           column("Version", "string", "Kubelet version."),
           column("Internal-IP", "string", "First internal address.", 1),
           column("External-IP", "string", "First external address.", 1),
           column("OS-Image", "string", "Operating system image.", 1),
           column("Kernel-Version", "string", "Kernel version.", 1),
           column("Container-Runtime", "string", "Container runtime version.", 1)},
          node_cells};
}

table_printer namespace_printer() {
  return {{name_column(), column("Status", "string", "Phase of the namespace."), age_column()}, namespace_cells};
}

table_printer event_printer() {
  auto name = name_column();
  name.priority = 1;
  return {{column("Last Seen", "string", "Time since the event was last seen."),
           column("Type", "string", "Normal or Warning."), column("Reason", "string", "Why the event happened."),
           column("Object", "string", "The object the event is about."),
           column("Subobject", "string", "Part of the object the event is about.", 1),
           column("Source", "string", "Component that reported the event.", 1),
           column("Message", "string", "Human-readable description."),
           column("First Seen", "string", "Time since the event was first seen.", 1),
           column("Count", "string", "How often the event happened.", 1), name},
          event_cells};
}

table_printer config_map_printer() {
  return {{name_column(), column("Data", "string", "Number of data entries."), age_column()}, config_map_cells};
}

table_printer secret_printer() {
  return {{name_column(), column("Type", "string", "Type of the secret."),
           column("Data", "string", "Number of data entries."), age_column()},
          secret_cells};
}

table_printer pvc_printer() {
  return {{name_column(), column("Status", "string", "Phase of the claim."),
           column("Volume", "string", "Volume bound to the claim."),
           column("Capacity", "string", "Capacity of the bound volume."),
           column("Access Modes", "string", "Access modes of the bound volume."),
           column("StorageClass", "string", "Storage class of the claim."),
           column("VolumeAttributesClass", "string", "Volume attributes class of the claim."), age_column(),
           column("VolumeMode", "string", "Filesystem or Block.", 1)},
          pvc_cells};
}

table_printer lease_printer() {
  return {{name_column(), column("Holder", "string", "Identity of the current holder."), age_column()}, lease_cells};
}

table_printer crd_printer() {
  return {{name_column(), column("Created At", "date", "When the definition was created.")}, crd_cells};
}

table_printer default_printer() {
  return {{name_column(), age_column()}, default_cells};
}

} // namespace podvisor::kube::apiserver
