#include "protocols/event_recorder.hpp"

#include <nlohmann/json.hpp>

namespace podvisor::protocols {

namespace {

std::string string_member(const nlohmann::json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

} // namespace

object_reference reference_to(const kube_object& object, std::string api_version, std::string kind) {
  object_reference ref;
  if (object) {
    ref.api_version = string_member(*object, "apiVersion");
    ref.kind = string_member(*object, "kind");
    ref.namespace_ = std::string{object.namespace_()};
    ref.name = std::string{object.name()};
    ref.uid = std::string{object.uid()};
    ref.resource_version = std::string{object.resource_version()};
  }
  if (ref.api_version.empty())
    ref.api_version = std::move(api_version);
  if (ref.kind.empty())
    ref.kind = std::move(kind);
  return ref;
}

} // namespace podvisor::protocols
