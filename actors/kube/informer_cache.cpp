#include "actors/kube/informer_cache.hpp"

#include <algorithm>
#include <mutex>

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace podvisor::actors::kube {

using protocols::kube_object;

namespace {

const nlohmann::json* at_path(const nlohmann::json& object, std::string_view dotted) {
  const nlohmann::json* node = &object;
  while (!dotted.empty()) {
    auto dot = dotted.find('.');
    auto part = dotted.substr(0, dot);
    if (!node->is_object())
      return nullptr;
    auto it = node->find(part);
    if (it == node->end())
      return nullptr;
    node = &*it;
    dotted = dot == std::string_view::npos ? std::string_view{} : dotted.substr(dot + 1);
  }
  return node;
}

std::vector<std::string> non_empty_string(const nlohmann::json* value) {
  if (value == nullptr || !value->is_string() || value->get_ref<const std::string&>().empty())
    return {};
  return {value->get<std::string>()};
}

} // namespace

index_function field_index(std::string dotted_path) {
  return [path = std::move(dotted_path)](const nlohmann::json& object) {
    return non_empty_string(at_path(object, path));
  };
}

index_function owner_uid_index() {
  return [](const nlohmann::json& object) {
    std::vector<std::string> uids;
    const auto* owners = at_path(object, "metadata.ownerReferences");
    if (owners == nullptr || !owners->is_array())
      return uids;
    for (const auto& owner : *owners) {
      auto uid = owner.is_object() ? non_empty_string(at_path(owner, "uid")) : std::vector<std::string>{};
      uids.insert(uids.end(), uid.begin(), uid.end());
    }
    return uids;
  };
}

index_function label_index(std::string label) {
  return [label = std::move(label)](const nlohmann::json& object) {
    const auto* labels = at_path(object, "metadata.labels");
    if (labels == nullptr || !labels->is_object())
      return std::vector<std::string>{};
    auto it = labels->find(label);
    return it == labels->end() ? std::vector<std::string>{} : non_empty_string(&*it);
  };
}

bool resource_version_less(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return a.size() < b.size();
  return a < b;
}

informer_cache::informer_cache(index_set indexes) : functions_(std::move(indexes)) {
  functions_.emplace(std::string{namespace_index_name}, field_index("metadata.namespace"));
  for (const auto& [name, fn] : functions_)
    indexes_.emplace(name, index_map{});
}

kube_object informer_cache::get(std::string_view key) const {
  std::shared_lock lock{mutex_};
  auto it = objects_.find(std::string{key});
  return it == objects_.end() ? kube_object{} : it->second;
}

std::vector<kube_object> informer_cache::list() const {
  std::vector<std::pair<std::string, kube_object>> entries;
  {
    std::shared_lock lock{mutex_};
    entries.assign(objects_.begin(), objects_.end());
  }
  std::sort(entries.begin(), entries.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<kube_object> result;
  result.reserve(entries.size());
  for (auto& entry : entries)
    result.push_back(std::move(entry.second));
  return result;
}

std::vector<kube_object> informer_cache::by_index(std::string_view index, std::string_view value) const {
  std::vector<kube_object> result;
  std::shared_lock lock{mutex_};
  auto idx = indexes_.find(index);
  if (idx == indexes_.end())
    return result;
  auto keys = idx->second.find(std::string{value});
  if (keys == idx->second.end())
    return result;
  result.reserve(keys->second.size());
  for (const auto& key : keys->second) {
    auto it = objects_.find(key);
    if (it != objects_.end())
      result.push_back(it->second);
  }
  return result;
}

std::vector<std::string> informer_cache::keys_by_index(std::string_view index, std::string_view value) const {
  std::shared_lock lock{mutex_};
  auto idx = indexes_.find(index);
  if (idx == indexes_.end())
    return {};
  auto keys = idx->second.find(std::string{value});
  if (keys == idx->second.end())
    return {};
  return {keys->second.begin(), keys->second.end()};
}

bool informer_cache::has_index(std::string_view index) const {
  // The set of indexes is fixed at construction: no lock needed.
  return indexes_.find(index) != indexes_.end();
}

std::size_t informer_cache::size() const {
  std::shared_lock lock{mutex_};
  return objects_.size();
}

bool informer_cache::synced() const {
  std::shared_lock lock{mutex_};
  return synced_;
}

std::string informer_cache::resource_version() const {
  std::shared_lock lock{mutex_};
  return resource_version_;
}

kube_object informer_cache::upsert(const std::string& key, kube_object object) {
  PODVISOR_CHECK(static_cast<bool>(object), "informer_cache::upsert with the null object");
  std::unique_lock lock{mutex_};
  auto [it, inserted] = objects_.try_emplace(key);
  kube_object previous = std::move(it->second);
  if (!inserted)
    index_remove(key, *previous);
  it->second = std::move(object);
  index_add(key, *it->second);
  return previous;
}

kube_object informer_cache::remove(const std::string& key) {
  std::unique_lock lock{mutex_};
  auto it = objects_.find(key);
  if (it == objects_.end())
    return {};
  kube_object previous = std::move(it->second);
  objects_.erase(it);
  index_remove(key, *previous);
  return previous;
}

void informer_cache::set_synced() {
  std::unique_lock lock{mutex_};
  synced_ = true;
}

void informer_cache::set_resource_version(std::string rv) {
  std::unique_lock lock{mutex_};
  resource_version_ = std::move(rv);
}

void informer_cache::index_add(const std::string& key, const nlohmann::json& object) {
  for (const auto& [name, fn] : functions_) {
    auto& index = indexes_.find(name)->second;
    for (auto& value : fn(object))
      index[std::move(value)].insert(key);
  }
}

void informer_cache::index_remove(const std::string& key, const nlohmann::json& object) {
  for (const auto& [name, fn] : functions_) {
    auto& index = indexes_.find(name)->second;
    for (const auto& value : fn(object)) {
      auto it = index.find(value);
      if (it == index.end())
        continue;
      it->second.erase(key);
      if (it->second.empty())
        index.erase(it);
    }
  }
}

} // namespace podvisor::actors::kube
