// The schema of the CustomResourceDefinition kind, written by hand because CRD objects
// have no C++ type here: enough for `kubectl explain crd.spec.versions` and for create
// and apply to find the kind; the parts this server does not interpret (the CRD's own
// OpenAPI schema, conversion, status) are open objects.

#include "kube/apiserver/resources/crd.hpp"

namespace podvisor::kube::apiserver {

namespace {

json str(const char* description) {
  return {{"type", "string"}, {"description", description}};
}

json boolean(const char* description) {
  return {{"type", "boolean"}, {"description", description}};
}

json string_array(const char* description) {
  return {{"type", "array"}, {"items", {{"type", "string"}}}, {"description", description}};
}

json open_object(const char* description) {
  return {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}, {"description", description}};
}

// An object schema; array items pass no description (explain prints the field's own).
json object(const char* description, json properties, json required = json::array()) {
  json out = {{"type", "object"}, {"properties", std::move(properties)}};
  if (*description != '\0')
    out["description"] = description;
  if (!required.empty())
    out["required"] = std::move(required);
  return out;
}

json names_schema(const char* description) {
  return object(description,
                {{"plural", str("Plural name, the URL segment: /apis/<group>/<version>/<plural>. Lowercase.")},
                 {"singular", str("Singular name; defaults to the lowercased kind.")},
                 {"kind", str("CamelCase kind of the objects.")},
                 {"listKind", str("Kind of lists of the objects; defaults to <kind>List.")},
                 {"shortNames", string_array("Short names kubectl accepts, like vmi for virtualmachineinstances.")},
                 {"categories", string_array("Groups of resources this one belongs to; \"all\" joins kubectl get all.")}},
                json::array({"plural", "kind"}));
}

json version_schema() {
  json column = object("",
                       {{"name", str("Column header.")},
                        {"type", str("integer, number, string, boolean or date.")},
                        {"format", str("Optional format hint such as name.")},
                        {"description", str("What the column shows.")},
                        {"priority", {{"type", "integer"}, {"format", "int32"},
                                      {"description", "0 shows always; higher only with -o wide."}}},
                        {"jsonPath", str("JSONPath into each object giving the cell value.")}},
                       json::array({"name", "type", "jsonPath"}));
  return object(
    "",
    {{"name", str("Version name, as in /apis/<group>/<version>.")},
     {"served", boolean("Whether this version is served.")},
     {"storage", boolean("Whether objects are stored in this version; exactly one version sets it.")},
     {"deprecated", boolean("Whether clients get a deprecation warning.")},
     {"deprecationWarning", str("The warning sent to clients of a deprecated version.")},
     {"schema", object("Validation schema of the version.",
                       {{"openAPIV3Schema", open_object("OpenAPI v3 schema of the objects.")}})},
     {"subresources", object("Subresources of the version.",
                             {{"status", open_object("An empty object enables the /status subresource.")},
                              {"scale", open_object("The /scale subresource (not served by Podvisor).")}})},
     {"additionalPrinterColumns", {{"type", "array"}, {"items", std::move(column)},
                                   {"description", "Extra columns of kubectl get."}}},
     {"selectableFields", {{"type", "array"},
                           {"items", object("", {{"jsonPath", str("Path of the field.")}})},
                           {"description", "Fields usable in field selectors besides metadata.name and namespace."}}}},
    json::array({"name", "served", "storage"}));
}

} // namespace

json crd_schema() {
  json spec = object(
    "What the new resource is called and how it is served.",
    {{"group", str("API group of the resource, a domain name such as example.com.")},
     {"names", names_schema("Names of the resource and its kind.")},
     {"scope", str("Namespaced or Cluster.")},
     {"versions", {{"type", "array"}, {"items", version_schema()}, {"description", "Versions served."}}},
     {"conversion", open_object("How objects are converted between versions (only None is supported).")},
     {"preserveUnknownFields", boolean("Deprecated; must be false.")}},
    json::array({"group", "names", "scope", "versions"}));
  json status = object("State of the definition, written by the server.",
                       {{"conditions", {{"type", "array"}, {"items", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}},
                                        {"description", "NamesAccepted and Established."}}},
                        {"acceptedNames", names_schema("The names actually being served.")},
                        {"storedVersions", string_array("Versions objects have ever been stored in.")}});
  return {{"type", "object"},
          {"description", "CustomResourceDefinition adds a new kind of resource to the API."},
          {"properties",
           {{"apiVersion", str("Versioned schema of this object: apiextensions.k8s.io/v1.")},
            {"kind", str("Kind of this object: CustomResourceDefinition.")},
            {"metadata", {{"type", "object"}, {"description", "Standard object metadata."}}},
            {"spec", std::move(spec)},
            {"status", std::move(status)}}},
          {"required", json::array({"spec"})}};
}

} // namespace podvisor::kube::apiserver
