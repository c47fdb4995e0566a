#include "actors/kube/object_transform.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace podvisor::actors::kube {

bool apply_transform(const object_transform& transform, nlohmann::json& object) noexcept {
  if (!transform)
    return true;
  try {
    transform(object);
    return true;
  } catch (...) {
    return false;
  }
}

nlohmann::json* member(nlohmann::json& object, std::string_view name) {
  if (!object.is_object())
    return nullptr;
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

void erase_members(nlohmann::json& object, std::initializer_list<std::string_view> names) {
  if (!object.is_object())
    return;
  for (auto name : names)
    if (auto it = object.find(name); it != object.end())
      object.erase(it);
}

void keep_members(nlohmann::json& object, std::initializer_list<std::string_view> names) {
  if (!object.is_object())
    return;
  for (auto it = object.begin(); it != object.end();) {
    if (std::find(names.begin(), names.end(), std::string_view{it.key()}) == names.end())
      it = object.erase(it);
    else
      ++it;
  }
}

void for_each_element(nlohmann::json& object, std::string_view name, const std::function<void(nlohmann::json&)>& fn) {
  auto* array = member(object, name);
  if (array == nullptr || !array->is_array())
    return;
  for (auto& element : *array)
    fn(element);
}

void strip_managed_fields(nlohmann::json& object) {
  if (auto* meta = member(object, "metadata"))
    erase_members(*meta, {"managedFields"});
}

void strip_bookkeeping(nlohmann::json& object) {
  strip_managed_fields(object);
  if (auto* meta = member(object, "metadata"))
    if (auto* annotations = member(*meta, "annotations"))
      erase_members(*annotations, {"kubectl.kubernetes.io/last-applied-configuration"});
}

} // namespace podvisor::actors::kube
