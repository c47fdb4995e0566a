#include "kube/api/validation/meta.hpp"

#include <algorithm>
#include <cctype>

#include "kube/api/validation/names.hpp"

namespace podvisor::kube::api {

namespace {

// A JSON string as Go's encoding/json writes it (close enough for messages).
std::string json_string(std::string_view s) { return json(std::string(s)).dump(); }

// Go renders a struct value in field.Invalid with json.Marshal, fields in struct order.
std::string render_owner_reference(const owner_reference& ref) {
  std::string out = "{\"apiVersion\":" + json_string(ref.api_version)
                    + ",\"kind\":" + json_string(ref.kind) + ",\"name\":" + json_string(ref.name)
                    + ",\"uid\":" + json_string(ref.uid);
  if (ref.controller)
    out += std::string(",\"controller\":") + (*ref.controller ? "true" : "false");
  if (ref.block_owner_deletion)
    out += std::string(",\"blockOwnerDeletion\":") + (*ref.block_owner_deletion ? "true" : "false");
  out += '}';
  return out;
}

std::string render_string_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0)
      out += ',';
    out += json_string(items[i]);
  }
  out += ']';
  return out;
}

// schema.FromAPIVersionAndKind: "group/version" or "version"; anything with more slashes
// does not parse, leaving the version empty.
std::string version_of(std::string_view api_version) {
  auto slash = api_version.find('/');
  if (slash == std::string_view::npos)
    return std::string(api_version);
  if (api_version.find('/', slash + 1) != std::string_view::npos)
    return {};
  return std::string(api_version.substr(slash + 1));
}

// A generateName gets random characters appended, so a trailing '-' is fine: check the
// prefix as if that last character were a letter. (apimachinery's maskTrailingDash also
// drops the character before the dash, which can hide an invalid one; we do not.)
std::string mask_trailing_dash(std::string_view name) {
  std::string out(name);
  if (!out.empty() && out.back() == '-')
    out.back() = 'a';
  return out;
}

std::vector<std::string> name_errors(std::string_view name, name_rule rule) {
  return rule == name_rule::dns1123_label ? is_dns1123_label(name) : is_dns1123_subdomain(name);
}

} // namespace

void validate_labels(const std::map<std::string, std::string>& labels, const field_path& path,
                     field_errors& errors) {
  for (const auto& [key, value] : labels) {
    add_invalid_each(errors, path, key, is_qualified_name(key));
    add_invalid_each(errors, path, value, is_label_value(value));
  }
}

void validate_annotations(const std::map<std::string, std::string>& annotations,
                          const field_path& path, field_errors& errors) {
  std::size_t total = 0;
  for (const auto& [key, value] : annotations) {
    // Annotation keys are qualified names except that case does not matter.
    std::string lower = key;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    add_invalid_each(errors, path, key, is_qualified_name(lower));
    total += key.size() + value.size();
  }
  if (total > total_annotation_size_limit)
    errors.push_back(field_too_long(path, total_annotation_size_limit));
}

void validate_owner_references(const std::vector<owner_reference>& refs, const field_path& path,
                               field_errors& errors) {
  std::string first_controller;
  for (const auto& ref : refs) {
    auto version = version_of(ref.api_version);
    if (version.empty())
      errors.push_back(
        field_invalid(path.child("apiVersion"), quote(ref.api_version), "version must not be empty"));
    if (ref.kind.empty())
      errors.push_back(field_invalid(path.child("kind"), quote(ref.kind), "must not be empty"));
    if (ref.name.empty())
      errors.push_back(field_invalid(path.child("name"), quote(ref.name), "must not be empty"));
    if (ref.uid.empty())
      errors.push_back(field_invalid(path.child("uid"), quote(ref.uid), "must not be empty"));
    // Events are never owners (BannedOwners); only the core group's v1 Event.
    if (ref.api_version == "v1" && ref.kind == "Event")
      errors.push_back(field_invalid(path, render_owner_reference(ref),
                                     "/v1, Kind=Event is disallowed from being an owner"));
    if (ref.controller.value_or(false)) {
      auto current = ref.kind + "/" + ref.name;
      if (!first_controller.empty()) {
        std::string rendered = "[";
        for (std::size_t i = 0; i < refs.size(); ++i)
          rendered += (i > 0 ? "," : "") + render_owner_reference(refs[i]);
        rendered += ']';
        errors.push_back(field_invalid(path, rendered,
                                       "Only one reference can have Controller set to true. Found "
                                       "\"true\" in references for "
                                         + first_controller + " and " + current));
      } else {
        first_controller = current;
      }
    }
  }
}

void validate_finalizers(const std::vector<std::string>& finalizers, const field_path& path,
                         field_errors& errors) {
  bool orphan = false;
  bool foreground = false;
  for (const auto& f : finalizers) {
    add_invalid_each(errors, path, f, is_qualified_name(f));
    orphan = orphan || f == "orphan";
    foreground = foreground || f == "foregroundDeletion";
  }
  if (orphan && foreground)
    errors.push_back(field_invalid(path, render_string_list(finalizers),
                                   "finalizer orphan and foregroundDeletion cannot be both set"));
}

field_errors validate_object_meta(const object_meta& meta, const object_meta_options& options,
                                  const field_path& path) {
  field_errors errors;
  if (!meta.generate_name.empty())
    add_invalid_each(errors, path.child("generateName"), meta.generate_name,
                     name_errors(mask_trailing_dash(meta.generate_name), options.names));
  if (!meta.name.empty())
    add_invalid_each(errors, path.child("name"), meta.name, name_errors(meta.name, options.names));
  else if (meta.generate_name.empty())
    errors.push_back(field_required(path.child("name"), "name or generateName is required"));

  if (options.namespaced) {
    if (meta.namespace_.empty())
      errors.push_back(field_required(path.child("namespace")));
    else
      add_invalid_each(errors, path.child("namespace"), meta.namespace_,
                       is_dns1123_label(meta.namespace_));
  } else if (!meta.namespace_.empty()) {
    errors.push_back(field_forbidden(path.child("namespace"), "not allowed on this type"));
  }

  if (meta.generation < 0)
    errors.push_back(field_invalid(path.child("generation"), render_int(meta.generation),
                                   "must be greater than or equal to 0"));
  validate_labels(meta.labels, path.child("labels"), errors);
  validate_annotations(meta.annotations, path.child("annotations"), errors);
  validate_owner_references(meta.owner_references, path.child("ownerReferences"), errors);
  validate_finalizers(meta.finalizers, path.child("finalizers"), errors);
  return errors;
}

} // namespace podvisor::kube::api
