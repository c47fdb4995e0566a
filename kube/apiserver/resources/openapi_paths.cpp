// The `paths` of a group-version document: for every kind the operations Kubernetes
// publishes (read/list/create/replace/patch/delete/deletecollection, the cluster-wide
// list, and the status and binding subresources). kubectl looks for the PATCH operation
// whose x-kubernetes-group-version-kind is the kind it sends and for an operation-level
// fieldValidation parameter on it; at path level it would not count.

#include <cctype>

#include "kube/apiserver/resources/openapi.hpp"

namespace podvisor::kube::apiserver {

namespace {

json param(const char* name, const char* type, const char* description) {
  return {{"name", name}, {"in", "query"}, {"description", description}, {"schema", {{"type", type}}},
          {"uniqueItems", true}};
}

json path_param(const char* name, const char* description) {
  return {{"name", name}, {"in", "path"}, {"required", true}, {"description", description},
          {"schema", {{"type", "string"}}}, {"uniqueItems", true}};
}

json write_params(bool with_force) {
  json out = json::array({param("dryRun", "string", "All: validate and default, but do not persist."),
                          param("fieldManager", "string", "Name of the actor making the change."),
                          param("fieldValidation", "string",
                                "Ignore, Warn or Strict: what to do about unknown or duplicate fields.")});
  if (with_force)
    out.push_back(param("force", "boolean", "Take over conflicting fields (server-side apply only)."));
  return out;
}

json list_params() {
  return json::array({param("allowWatchBookmarks", "boolean", "Ask for BOOKMARK events in a watch."),
                      param("continue", "string", "Continue a paged list (not used by this server)."),
                      param("fieldSelector", "string", "Select objects by fields, e.g. metadata.name=x."),
                      param("labelSelector", "string", "Select objects by labels, e.g. app=web,tier!=db."),
                      param("limit", "integer", "Maximum number of items (ignored: all are returned)."),
                      param("resourceVersion", "string", "List at or watch from this resourceVersion."),
                      param("resourceVersionMatch", "string", "How resourceVersion applies to a list."),
                      param("sendInitialEvents", "boolean", "Start a watch with the current state."),
                      param("timeoutSeconds", "integer", "End a watch after this many seconds."),
                      param("watch", "boolean", "Stream changes instead of listing.")});
}

json delete_params() {
  return json::array({param("dryRun", "string", "All: validate, but do not delete."),
                      param("gracePeriodSeconds", "integer", "Seconds before the object is removed."),
                      param("propagationPolicy", "string", "Orphan, Background or Foreground.")});
}

json content(const json& schema) {
  return {{"application/json", {{"schema", schema}}}, {"application/yaml", {{"schema", schema}}}};
}

json responses(std::initializer_list<const char*> codes, const json& schema) {
  json out = json::object();
  for (const char* code : codes)
    out[code] = {{"description", std::string(code) == "201" ? "Created" : std::string(code) == "202" ? "Accepted" : "OK"},
                 {"content", content(schema)}};
  out["401"] = {{"description", "Unauthorized"}};
  return out;
}

json body(const json& schema) {
  return {{"content", {{"*/*", {{"schema", schema}}}}}, {"required", true}};
}

json patch_body() {
  json ref = schema_ref("io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
  return {{"content",
           {{"application/json-patch+json", {{"schema", ref}}},
            {"application/merge-patch+json", {{"schema", ref}}},
            {"application/apply-patch+yaml", {{"schema", ref}}}}},
          {"required", true}};
}

// "CoreV1", "CoordinationV1", "KubevirtIoV1": Kubernetes' operationId infix.
std::string gv_word(const std::string& group, const std::string& version) {
  std::string g = group.empty() ? "core" : group;
  constexpr std::string_view k8s = ".k8s.io";
  if (g.size() > k8s.size() && g.ends_with(k8s))
    g.resize(g.size() - k8s.size());
  std::string out;
  bool upper = true;
  for (char c : g) {
    if (c == '.' || c == '-') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  std::string v = version;
  if (!v.empty())
    v[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
  return out + v;
}

class path_builder {
public:
  explicit path_builder(const resource_entry& e) : e_(e) {
    gvk_ = {{"group", e.group}, {"version", e.version}, {"kind", e.kind}};
    tag_ = (e.group.empty() ? std::string("core") : e.group) + "_" + e.version;
    infix_ = gv_word(e.group, e.version) + (e.namespaced ? "Namespaced" : "");
    ref_ = schema_ref(e.schema_name);
    list_ref_ = schema_ref(e.schema_name + "List");
  }

  void add_to(json& paths) const {
    std::string base = e_.group.empty() ? "/api/" + e_.version : "/apis/" + e_.group + "/" + e_.version;
    std::string collection = base + (e_.namespaced ? "/namespaces/{namespace}/" : "/") + e_.plural;
    std::string item = collection + "/{name}";
    json status_ref = schema_ref("io.k8s.apimachinery.pkg.apis.meta.v1.Status");

    json& c = paths[collection];
    c["parameters"] = scope_params(false);
    c["get"] = op("list", "list", "list or watch " + e_.kind + " objects", list_params(), nullptr,
                  responses({"200"}, list_ref_));
    c["post"] = op("post", "create", "create a " + e_.kind, write_params(false), body(ref_),
                   responses({"200", "201", "202"}, ref_));
    json dc_params = list_params();
    for (auto& p : delete_params())
      dc_params.push_back(p);
    c["delete"] = op("deletecollection", "deletecollection", "delete a collection of " + e_.kind, dc_params,
                     nullptr, responses({"200"}, status_ref));

    json& i = paths[item];
    i["parameters"] = scope_params(true);
    i["get"] = op("get", "read", "read the specified " + e_.kind, json::array(), nullptr, responses({"200"}, ref_));
    i["put"] = op("put", "replace", "replace the specified " + e_.kind, write_params(false), body(ref_),
                  responses({"200", "201"}, ref_));
    i["patch"] = op("patch", "patch", "partially update the specified " + e_.kind, write_params(true), patch_body(),
                    responses({"200", "201"}, ref_));
    i["delete"] = op("delete", "delete", "delete a " + e_.kind, delete_params(),
                     body(schema_ref("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions")),
                     responses({"200", "202"}, ref_));
    i["delete"]["requestBody"]["required"] = false;

    if (e_.namespaced) {
      json& all = paths[base + "/" + e_.plural];
      all["get"] = op("list", "list", "list or watch " + e_.kind + " objects of all namespaces", list_params(),
                      nullptr, responses({"200"}, list_ref_));
      all["get"]["operationId"] = "list" + gv_word(e_.group, e_.version) + e_.kind + "ForAllNamespaces";
    }

    for (const auto& s : e_.subresources) {
      json& p = paths[item + "/" + s.name];
      p["parameters"] = scope_params(true);
      auto suffix = std::string(1, static_cast<char>(std::toupper(static_cast<unsigned char>(s.name[0])))) + s.name.substr(1);
      if (s.name == "binding") {
        json binding_gvk = {{"group", s.group}, {"version", s.version}, {"kind", s.kind}};
        p["post"] = op("post", "create", "create binding of a Pod", write_params(false),
                       body(schema_ref("io.k8s.api.core.v1.Binding")),
                       responses({"200", "201", "202"}, schema_ref("io.k8s.api.core.v1.Binding")), suffix);
        p["post"]["x-kubernetes-group-version-kind"] = binding_gvk;
        continue;
      }
      p["get"] = op("get", "read", "read " + s.name + " of the specified " + e_.kind, json::array(), nullptr,
                    responses({"200"}, ref_), suffix);
      p["put"] = op("put", "replace", "replace " + s.name + " of the specified " + e_.kind, write_params(false),
                    body(ref_), responses({"200", "201"}, ref_), suffix);
      p["patch"] = op("patch", "patch", "partially update " + s.name + " of the specified " + e_.kind,
                      write_params(true), patch_body(), responses({"200", "201"}, ref_), suffix);
    }
  }

private:
  json scope_params(bool with_name) const {
    json out = json::array();
    if (with_name)
      out.push_back(path_param("name", ("name of the " + e_.kind).c_str()));
    if (e_.namespaced)
      out.push_back(path_param("namespace", "object name and auth scope, such as for teams and projects"));
    return out;
  }

  json op(const char* action, const std::string& verb_word, const std::string& description, json params,
          json request_body, json response, const std::string& suffix = {}) const {
    std::string infix = verb_word == "deletecollection" ? gv_word(e_.group, e_.version) + "Collection"
                                                          + (e_.namespaced ? "Namespaced" : "")
                                                        : infix_;
    json o = {{"tags", json::array({tag_})},
              {"description", description},
              {"operationId", (verb_word == "deletecollection" ? std::string("delete") : verb_word) + infix + e_.kind + suffix},
              {"parameters", std::move(params)},
              {"responses", std::move(response)},
              {"x-kubernetes-action", action},
              {"x-kubernetes-group-version-kind", gvk_}};
    if (!request_body.is_null())
      o["requestBody"] = std::move(request_body);
    return o;
  }

  const resource_entry& e_;
  json gvk_;
  std::string tag_;
  std::string infix_;
  json ref_;
  json list_ref_;
};

} // namespace

json openapi_paths(const std::vector<std::shared_ptr<const resource_entry>>& entries) {
  json paths = json::object();
  for (const auto& e : entries)
    path_builder{*e}.add_to(paths);
  return paths;
}

} // namespace podvisor::kube::apiserver
