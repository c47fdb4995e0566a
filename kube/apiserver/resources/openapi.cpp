#include "kube/apiserver/resources/openapi.hpp"

#include <cstdio>

#include "kube/api/core/event.hpp"
#include "kube/api/meta.hpp"

namespace podvisor::kube::apiserver {

namespace {

constexpr std::string_view list_meta_name = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

// FNV-1a, 64 bit: the hash only has to change when the document does.
std::string content_hash(std::string_view body) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llX", static_cast<unsigned long long>(h));
  return out;
}

json str(const char* description) {
  return {{"type", "string"}, {"description", description}};
}

json meta_ref(const char* description) {
  return {{"allOf", json::array({schema_ref(object_meta_schema_name)})},
          {"default", json::object()},
          {"description", description}};
}

json list_schema(const resource_entry& e) {
  return {{"type", "object"},
          {"description", e.list_kind + " is a list of " + e.kind + " objects."},
          {"properties",
           {{"apiVersion", str("Versioned schema of this object.")},
            {"kind", str("Kind of this object.")},
            {"metadata", {{"allOf", json::array({schema_ref(list_meta_name)})},
                          {"default", json::object()},
                          {"description", "Standard list metadata."}}},
            {"items", {{"type", "array"}, {"items", schema_ref(e.schema_name)}, {"description", "The objects."}}}}},
          {"required", json::array({"items"})},
          {"x-kubernetes-group-version-kind",
           json::array({{{"group", e.group}, {"kind", e.list_kind}, {"version", e.version}}})}};
}

// Schemas every document shares: object and list metadata, the Status of errors and
// deletions, DeleteOptions and the opaque Patch body.
void add_meta_schemas(json& schemas) {
  schemas[std::string(object_meta_schema_name)] = api::schema<api::object_meta>();
  schemas[std::string(object_meta_schema_name)]["description"] =
    "Metadata every persisted object has: name, namespace, labels, owners, versions.";
  auto lm = api::schema<api::list_meta>();
  lm["description"] = "Metadata of a list: the resourceVersion it was read at.";
  schemas[std::string(list_meta_name)] = std::move(lm);
  schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Status"] = {
    {"type", "object"},
    {"description", "Status is the result of an operation that returns no object, and of every error."},
    {"properties",
     {{"apiVersion", str("Versioned schema of this object.")},
      {"kind", str("Kind of this object.")},
      {"status", str("Success or Failure.")},
      {"message", str("Human-readable description.")},
      {"reason", str("Machine-readable CamelCase reason, e.g. NotFound.")},
      {"details", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true},
                   {"description", "The object concerned and field causes."}}},
      {"code", {{"type", "integer"}, {"format", "int32"}, {"description", "HTTP status code."}}}}}};
  schemas["io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"] = {
    {"type", "object"},
    {"description", "Options of a deletion."},
    {"properties",
     {{"apiVersion", str("Versioned schema of this object.")},
      {"kind", str("Kind of this object.")},
      {"gracePeriodSeconds", {{"type", "integer"}, {"format", "int64"},
                              {"description", "Seconds before the object is removed."}}},
      {"propagationPolicy", str("Orphan, Background or Foreground: what happens to dependents.")},
      {"dryRun", {{"type", "array"}, {"items", {{"type", "string"}}}, {"description", "All: do not persist."}}},
      {"preconditions", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true},
                         {"description", "uid and resourceVersion the object must still have."}}}}}};
  schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Patch"] = {
    {"type", "object"}, {"description", "A patch in one of the accepted patch formats."}};
}

json binding_schema() {
  return {{"type", "object"},
          {"description", "Binding assigns a pod to a node; the scheduler creates it."},
          {"properties",
           {{"apiVersion", str("Versioned schema of this object: v1.")},
            {"kind", str("Kind of this object: Binding.")},
            {"metadata", meta_ref("Standard object metadata; name and namespace are the pod's.")},
            {"target", api::schema<api::object_reference>()}}},
          {"required", json::array({"target"})},
          {"x-kubernetes-group-version-kind", json::array({{{"group", ""}, {"kind", "Binding"}, {"version", "v1"}}})}};
}

std::string doc_path(const group_version& gv) {
  return gv.group.empty() ? "api/" + gv.version : "apis/" + gv.group + "/" + gv.version;
}

} // namespace

json schema_ref(std::string_view name) {
  return {{"$ref", "#/components/schemas/" + std::string(name)}};
}

json published_kind_schema(const resource_entry& e) {
  json s = e.schema;
  if (!s.contains("type"))
    s["type"] = "object";
  if (!s.contains("properties") || !s["properties"].is_object())
    s["properties"] = json::object();
  if (!e.description.empty())
    s["description"] = e.description;
  s["properties"]["metadata"] = meta_ref("Standard object metadata.");
  // kubectl explain finds a kind's schema by this extension (an array, as Kubernetes has
  // kinds served under several group-versions).
  s["x-kubernetes-group-version-kind"] = json::array({{{"group", e.group}, {"kind", e.kind}, {"version", e.version}}});
  return s;
}

json openapi_document_for(const registry_snapshot& snapshot, std::string_view group, std::string_view version) {
  auto entries = snapshot.in(group, version);
  if (entries.empty())
    return nullptr;
  json schemas = json::object();
  add_meta_schemas(schemas);
  for (const auto& e : entries) {
    schemas[e->schema_name] = published_kind_schema(*e);
    schemas[e->schema_name + "List"] = list_schema(*e);
    for (const auto& s : e->subresources)
      if (s.kind == "Binding" && s.group.empty())
        schemas["io.k8s.api.core.v1.Binding"] = binding_schema();
  }
  return {{"openapi", "3.0.0"},
          {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
          {"paths", openapi_paths(entries)},
          {"components", {{"schemas", std::move(schemas)}}}};
}

openapi_index build_openapi(const registry_snapshot& snapshot) {
  openapi_index index;
  index.generation = snapshot.generation;
  for (const auto& gv : snapshot.group_versions()) {
    openapi_document d;
    d.path = doc_path(gv);
    d.document = openapi_document_for(snapshot, gv.group, gv.version);
    d.body = d.document.dump();
    d.hash = content_hash(d.body);
    index.documents.push_back(std::move(d));
  }
  return index;
}

json openapi_index::root() const {
  json paths = json::object();
  for (const auto& d : documents)
    paths[d.path] = {{"serverRelativeURL", "/openapi/v3/" + d.path + "?hash=" + d.hash}};
  return {{"paths", std::move(paths)}};
}

const openapi_document* openapi_index::find(std::string_view path) const {
  if (!path.empty() && path.front() == '/')
    path.remove_prefix(1);
  for (const auto& d : documents)
    if (d.path == path)
      return &d;
  return nullptr;
}

} // namespace podvisor::kube::apiserver
