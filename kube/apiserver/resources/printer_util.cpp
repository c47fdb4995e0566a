#include "kube/apiserver/resources/printer_util.hpp"

#include "kube/apiserver/resources/humanize.hpp"
#include "kube/apiserver/resources/jsonpath.hpp"

namespace podvisor::kube::apiserver::print {

namespace {
const json null_value;
const json empty_array = json::array();
} // namespace

const json& at(const json& obj, std::string_view key) {
  if (!obj.is_object())
    return null_value;
  auto it = obj.find(key);
  return it == obj.end() ? null_value : *it;
}

const json& array_at(const json& obj, std::string_view key) {
  const json& v = at(obj, key);
  return v.is_array() ? v : empty_array;
}

std::string string_at(const json& obj, std::string_view dotted) {
  const json* v = lookup(obj, dotted);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

std::int64_t int_at(const json& obj, std::string_view key) {
  const json& v = at(obj, key);
  return v.is_number_integer() ? v.get<std::int64_t>() : 0;
}

bool bool_at(const json& obj, std::string_view key) {
  const json& v = at(obj, key);
  return v.is_boolean() && v.get<bool>();
}

std::string age(const json& obj, const print_context& ctx) {
  return age_since(at(at(obj, "metadata"), "creationTimestamp"), ctx.now);
}

std::string condition_status(const json& conditions, std::string_view type) {
  if (!conditions.is_array())
    return {};
  for (const auto& c : conditions)
    if (string_at(c, "type") == type)
      return string_at(c, "status");
  return {};
}

std::string none_if_empty(std::string s, const char* placeholder) {
  return s.empty() ? std::string(placeholder) : s;
}

printer_column age_column() {
  return column("Age", "string", "Time since the object was created.");
}

printer_column column(std::string name, std::string type, std::string description, int priority,
                      std::string json_path) {
  printer_column c;
  c.name = std::move(name);
  c.type = std::move(type);
  c.description = std::move(description);
  c.priority = priority;
  c.json_path = std::move(json_path);
  return c;
}

} // namespace podvisor::kube::apiserver::print
