#include "kube/apiserver/resources/crd.hpp"

#include <algorithm>
#include <set>

#include "kube/api/timestamp.hpp"
#include "kube/apiserver/resources/jsonpath.hpp"
#include "kube/apiserver/resources/printer_util.hpp"
#include "kube/apiserver/resources/printers.hpp"

namespace podvisor::kube::apiserver {

using api::field_error;
using api::field_error_type;
using api::quote;
using print::at;
using print::string_at;

namespace {

bool is_lower_label(std::string_view s) {
  // DNS-1035 label: lowercase alphanumerics and '-', starting with a letter.
  if (s.empty() || s.size() > 63 || s.front() < 'a' || s.front() > 'z' || s.back() == '-')
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool is_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.find('.') == std::string_view::npos)
    return false;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto dot = s.find('.', start);
    auto part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    bool ok = !part.empty() && part.front() != '-' && part.back() != '-'
              && std::all_of(part.begin(), part.end(),
                             [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
    if (!ok)
      return false;
    if (dot == std::string_view::npos)
      break;
    start = dot + 1;
  }
  return true;
}

std::string to_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void required(api::field_errors& errors, std::string field) {
  errors.push_back({field_error_type::required, std::move(field), "", ""});
}

void invalid(api::field_errors& errors, std::string field, const std::string& value, std::string why) {
  errors.push_back({field_error_type::invalid, std::move(field), quote(value), std::move(why)});
}

std::vector<std::string> strings_at(const json& obj, std::string_view key, const std::string& path,
                                    api::field_errors& errors) {
  std::vector<std::string> out;
  const json& v = at(obj, key);
  if (v.is_null())
    return out;
  if (!v.is_array()) {
    errors.push_back({field_error_type::type_invalid, path, "", "must be of type array"});
    return out;
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i].is_string() && is_lower_label(v[i].get<std::string>()))
      out.push_back(v[i].get<std::string>());
    else
      invalid(errors, path + "[" + std::to_string(i) + "]", v[i].is_string() ? v[i].get<std::string>() : v[i].dump(),
              "must be a lowercase DNS-1035 label");
  }
  return out;
}

std::vector<printer_column> columns_of(const json& version, const std::string& path, api::field_errors& errors) {
  std::vector<printer_column> out;
  const json& cols = at(version, "additionalPrinterColumns");
  if (!cols.is_array())
    return out;
  static const std::set<std::string> types = {"integer", "number", "string", "boolean", "date"};
  for (std::size_t i = 0; i < cols.size(); ++i) {
    auto col_path = path + ".additionalPrinterColumns[" + std::to_string(i) + "]";
    printer_column c;
    c.name = string_at(cols[i], "name");
    c.type = string_at(cols[i], "type");
    c.format = string_at(cols[i], "format");
    c.description = string_at(cols[i], "description");
    c.priority = static_cast<int>(print::int_at(cols[i], "priority"));
    c.json_path = string_at(cols[i], "jsonPath");
    if (c.name.empty())
      required(errors, col_path + ".name");
    if (!types.contains(c.type))
      errors.push_back({field_error_type::unsupported, col_path + ".type", quote(c.type),
                        R"(supported values: "boolean", "date", "integer", "number", "string")"});
    std::string why;
    if (c.json_path.empty())
      required(errors, col_path + ".jsonPath");
    else if (!json_path::parse(c.json_path, why))
      invalid(errors, col_path + ".jsonPath", c.json_path, why);
    out.push_back(std::move(c));
  }
  return out;
}

// The version's schema with apiVersion, kind and metadata present, as the apiextensions
// server publishes it whatever the CRD author wrote.
json schema_of(const json& version) {
  const json& s = at(at(version, "schema"), "openAPIV3Schema");
  json out = s.is_object() ? s : json{{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
  if (!out.contains("type"))
    out["type"] = "object";
  if (!out.contains("properties") || !out["properties"].is_object())
    out["properties"] = json::object();
  auto& props = out["properties"];
  props["apiVersion"] = {{"type", "string"}, {"description", "Versioned schema of this object."}};
  props["kind"] = {{"type", "string"}, {"description", "Kind of this object."}};
  props["metadata"] = {{"type", "object"}, {"description", "Standard object metadata."}};
  return out;
}

} // namespace

std::string custom_schema_name(std::string_view group, std::string_view version, std::string_view kind) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto dot = group.find('.', start);
    parts.push_back(group.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos)
      break;
    start = dot + 1;
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it)
    out.append(*it).append(".");
  out.append(version).append(".").append(kind);
  return out;
}

crd_entries entries_from_crd(const json& crd) {
  crd_entries result;
  auto& errors = result.errors;
  if (!crd.is_object()) {
    errors.push_back({field_error_type::type_invalid, "<root>", "", "must be of type object"});
    return result;
  }
  const json& spec = at(crd, "spec");
  const json& names = at(spec, "names");
  auto name = string_at(crd, "metadata.name");
  auto group = string_at(spec, "group");
  auto plural = string_at(names, "plural");
  auto kind = string_at(names, "kind");
  auto singular = string_at(names, "singular");
  auto list_kind = string_at(names, "listKind");
  auto scope = string_at(spec, "scope");

  if (group.empty())
    required(errors, "spec.group");
  else if (!is_subdomain(group))
    invalid(errors, "spec.group", group, "should be a domain with at least one dot");
  if (plural.empty())
    required(errors, "spec.names.plural");
  else if (!is_lower_label(plural))
    invalid(errors, "spec.names.plural", plural, "must be a lowercase DNS-1035 label");
  if (!singular.empty() && !is_lower_label(singular))
    invalid(errors, "spec.names.singular", singular, "must be a lowercase DNS-1035 label");
  if (kind.empty())
    required(errors, "spec.names.kind");
  else if (!is_lower_label(to_lower(kind)))
    invalid(errors, "spec.names.kind", kind, "lowercased, must be a DNS-1035 label");
  if (!plural.empty() && !group.empty() && name != plural + "." + group)
    invalid(errors, "metadata.name", name, "must be spec.names.plural+\".\"+spec.group");
  if (scope != "Namespaced" && scope != "Cluster")
    errors.push_back({field_error_type::unsupported, "spec.scope", quote(scope), R"(supported values: "Cluster", "Namespaced")"});
  auto short_names = strings_at(names, "shortNames", "spec.names.shortNames", errors);
  auto categories = strings_at(names, "categories", "spec.names.categories", errors);

  const json& versions = at(spec, "versions");
  if (!versions.is_array() || versions.empty()) {
    required(errors, "spec.versions");
    return result;
  }
  std::set<std::string> seen;
  int storage_versions = 0;
  for (std::size_t i = 0; i < versions.size(); ++i) {
    const json& v = versions[i];
    auto path = "spec.versions[" + std::to_string(i) + "]";
    auto version = string_at(v, "name");
    if (version.empty())
      required(errors, path + ".name");
    else if (!is_lower_label(version))
      invalid(errors, path + ".name", version, "must be a lowercase DNS-1035 label");
    else if (!seen.insert(version).second)
      errors.push_back({field_error_type::duplicate, path + ".name", quote(version), ""});
    if (print::bool_at(v, "storage"))
      ++storage_versions;
    auto columns = columns_of(v, path, errors);
    if (!print::bool_at(v, "served") || version.empty())
      continue;
    resource_entry e;
    e.group = group;
    e.version = version;
    e.kind = kind;
    e.list_kind = list_kind.empty() ? kind + "List" : list_kind;
    e.plural = plural;
    e.singular = singular.empty() ? to_lower(kind) : singular;
    e.short_names = short_names;
    e.categories = categories;
    e.namespaced = scope != "Cluster";
    e.verbs.assign(all_verbs.begin(), all_verbs.end());
    if (at(at(v, "subresources"), "status").is_object())
      e.subresources.push_back({"status", group, version, kind, {verb::get, verb::patch, verb::update}});
    e.crd_name = name;
    e.schema = schema_of(v);
    e.description = string_at(e.schema, "description");
    for (const auto& f : print::array_at(v, "selectableFields")) {
      auto p = string_at(f, "jsonPath");
      if (p.size() > 1 && p.front() == '.')
        e.field_labels.push_back({p.substr(1), p.substr(1)});
    }
    e.printer = custom_printer(std::move(columns));
    e.schema_name = custom_schema_name(group, version, kind);
    result.entries.push_back(std::move(e));
  }
  if (storage_versions != 1)
    invalid(errors, "spec.versions", std::to_string(storage_versions) + " storage versions",
            "must have exactly one version marked as storage version");
  if (!errors.empty())
    result.entries.clear();
  return result;
}

json crd_accepted_status(const json& crd, std::chrono::system_clock::time_point now) {
  const json& names = at(at(crd, "spec"), "names");
  const json& old_status = at(crd, "status");
  json accepted = names.is_object() ? names : json::object();
  if (!accepted.contains("singular") && accepted.contains("kind") && accepted["kind"].is_string())
    accepted["singular"] = to_lower(accepted["kind"].get<std::string>());
  if (!accepted.contains("listKind") && accepted.contains("kind") && accepted["kind"].is_string())
    accepted["listKind"] = accepted["kind"].get<std::string>() + "List";

  auto stamp = api::format_timestamp(api::timestamp{std::chrono::time_point_cast<std::chrono::seconds>(now)});
  auto condition = [&](const char* type, const char* reason, const char* message) {
    json c = {{"type", type}, {"status", "True"}, {"reason", reason}, {"message", message}, {"lastTransitionTime", stamp}};
    for (const auto& old : print::array_at(old_status, "conditions"))
      if (string_at(old, "type") == type && string_at(old, "status") == "True" && old.contains("lastTransitionTime"))
        c["lastTransitionTime"] = old["lastTransitionTime"];
    return c;
  };
  json stored = json::array();
  for (const auto& v : print::array_at(old_status, "storedVersions"))
    stored.push_back(v);
  for (const auto& v : print::array_at(at(crd, "spec"), "versions"))
    if (print::bool_at(v, "storage") && std::find(stored.begin(), stored.end(), at(v, "name")) == stored.end())
      stored.push_back(at(v, "name"));
  return {{"conditions",
           json::array({condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                        condition("Established", "InitialNamesAccepted", "the initial names have been accepted")})},
          {"acceptedNames", std::move(accepted)},
          {"storedVersions", std::move(stored)}};
}

} // namespace podvisor::kube::apiserver
