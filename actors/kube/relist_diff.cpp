#include "actors/kube/relist_diff.hpp"

#include <algorithm>
#include <unordered_map>

namespace podvisor::actors::kube {

using protocols::kube_object;

std::vector<object_change> relist_diff(const informer_cache::object_map& cached,
                                       const std::vector<kube_object>& listed) {
  // Last occurrence per key, keeping the list's order of first appearance.
  std::unordered_map<std::string, std::size_t> position;
  std::vector<std::pair<std::string, kube_object>> items;
  items.reserve(listed.size());
  for (const auto& object : listed) {
    if (!object || object.name().empty())
      continue;
    auto key = object.key();
    auto [it, inserted] = position.try_emplace(key, items.size());
    if (inserted)
      items.emplace_back(std::move(key), object);
    else
      items[it->second].second = object;
  }

  std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return resource_version_less(a.second.resource_version(), b.second.resource_version());
  });

  std::vector<object_change> changes;
  for (auto& [key, object] : items) {
    auto it = cached.find(key);
    if (it == cached.end()) {
      changes.push_back({key, {}, object, false});
      continue;
    }
    const kube_object& old = it->second;
    if (old.resource_version() == object.resource_version())
      continue;
    if (!old.uid().empty() && !object.uid().empty() && old.uid() != object.uid()) {
      changes.push_back({key, old, {}, true});
      changes.push_back({key, {}, object, false});
      continue;
    }
    changes.push_back({key, old, object, false});
  }

  std::vector<object_change> deletions;
  for (const auto& [key, object] : cached)
    if (position.find(key) == position.end())
      deletions.push_back({key, object, {}, true});
  std::sort(deletions.begin(), deletions.end(),
            [](const object_change& a, const object_change& b) { return a.key < b.key; });
  changes.insert(changes.end(), std::make_move_iterator(deletions.begin()),
                 std::make_move_iterator(deletions.end()));
  return changes;
}

} // namespace podvisor::actors::kube
