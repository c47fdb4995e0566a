#include "kube/apiserver/resources/registry.hpp"

#include <algorithm>
#include <mutex>

#include "kube/apiserver/resources/crd.hpp"
#include "kube/apiserver/resources/printer_util.hpp"

namespace podvisor::kube::apiserver {

std::string resource_entry::api_version() const {
  return group.empty() ? version : group + "/" + version;
}

bool resource_entry::has_subresource(std::string_view name) const {
  return std::any_of(subresources.begin(), subresources.end(), [&](const subresource& s) { return s.name == name; });
}

bool resource_entry::allows(verb v) const {
  return std::find(verbs.begin(), verbs.end(), v) != verbs.end();
}

const field_label* resource_entry::find_field_label(std::string_view label) const {
  static const field_label name{"metadata.name", "metadata.name"};
  static const field_label ns{"metadata.namespace", "metadata.namespace"};
  if (label == name.label)
    return &name;
  if (label == ns.label)
    return &ns;
  for (const auto& f : field_labels)
    if (f.label == label)
      return &f;
  return nullptr;
}

std::vector<group_version> registry_snapshot::group_versions() const {
  std::vector<group_version> out;
  auto add = [&](const resource_entry& e) {
    group_version gv{e.group, e.version};
    if (std::find(out.begin(), out.end(), gv) == out.end())
      out.push_back(std::move(gv));
  };
  for (const auto& e : entries)
    if (e->group.empty())
      add(*e);
  for (const auto& e : entries)
    if (!e->group.empty())
      add(*e);
  return out;
}

std::vector<std::shared_ptr<const resource_entry>> registry_snapshot::in(std::string_view group,
                                                                         std::string_view version) const {
  std::vector<std::shared_ptr<const resource_entry>> out;
  for (const auto& e : entries)
    if (e->group == group && e->version == version)
      out.push_back(e);
  return out;
}

std::shared_ptr<const resource_entry> registry_snapshot::find(std::string_view group, std::string_view version,
                                                              std::string_view plural) const {
  for (const auto& e : entries)
    if (e->group == group && e->version == version && e->plural == plural)
      return e;
  return nullptr;
}

resource_registry::resource_registry(std::vector<resource_entry> builtins) {
  entries_.reserve(builtins.size());
  for (auto& e : builtins)
    entries_.push_back(std::make_shared<const resource_entry>(std::move(e)));
}

std::shared_ptr<const resource_entry> resource_registry::find(std::string_view group, std::string_view version,
                                                              std::string_view plural) const {
  std::shared_lock lock{mutex_};
  for (const auto& e : entries_)
    if (e->group == group && e->version == version && e->plural == plural)
      return e;
  return nullptr;
}

std::shared_ptr<const resource_entry> resource_registry::find_kind(std::string_view group, std::string_view version,
                                                                   std::string_view kind) const {
  std::shared_lock lock{mutex_};
  for (const auto& e : entries_)
    if (e->group == group && e->version == version && e->kind == kind)
      return e;
  return nullptr;
}

registry_snapshot resource_registry::snapshot() const {
  std::shared_lock lock{mutex_};
  return {generation_, entries_};
}

std::uint64_t resource_registry::generation() const {
  std::shared_lock lock{mutex_};
  return generation_;
}

crd_result resource_registry::apply_crd(const json& crd) {
  auto parsed = entries_from_crd(crd);
  if (!parsed.errors.empty())
    return {crd_outcome::invalid, std::move(parsed.errors)};
  auto name = print::string_at(crd, "metadata.name"); // checked: "<plural>.<group>"

  std::unique_lock lock{mutex_};
  api::field_errors conflicts;
  for (const auto& mine : parsed.entries) {
    for (const auto& other : entries_) {
      if (other->crd_name == name)
        continue; // our own previous version
      // A resource is identified by group and plural across versions, a kind by group and kind.
      if (other->group == mine.group && other->plural == mine.plural) {
        conflicts.push_back({api::field_error_type::duplicate, "spec.names.plural", api::quote(mine.plural),
                             "already served by " + (other->crd_name.empty() ? std::string("the server") : other->crd_name)});
        break;
      }
      if (other->group == mine.group && other->kind == mine.kind) {
        conflicts.push_back({api::field_error_type::duplicate, "spec.names.kind", api::quote(mine.kind),
                             "already served by " + (other->crd_name.empty() ? std::string("the server") : other->crd_name)});
        break;
      }
    }
    if (!conflicts.empty())
      break;
  }
  if (!conflicts.empty())
    return {crd_outcome::conflict, std::move(conflicts)};

  auto before = entries_.size();
  std::erase_if(entries_, [&](const auto& e) { return e->crd_name == name; });
  bool replaced = entries_.size() != before;
  for (auto& e : parsed.entries)
    entries_.push_back(std::make_shared<const resource_entry>(std::move(e)));
  ++generation_;
  return {replaced ? crd_outcome::updated : crd_outcome::registered, {}};
}

bool resource_registry::remove_crd(std::string_view crd_name) {
  if (crd_name.empty())
    return false;
  std::unique_lock lock{mutex_};
  auto removed = std::erase_if(entries_, [&](const auto& e) { return e->crd_name == crd_name; });
  if (removed == 0)
    return false;
  ++generation_;
  return true;
}

} // namespace podvisor::kube::apiserver
