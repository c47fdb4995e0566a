#include "kube/api/codec.hpp"

namespace podvisor::kube::api::detail {

namespace {
// Error messages quote the offending value; an absurdly large one is cut here.
constexpr std::size_t max_rendered_string = 128;
} // namespace

std::string_view json_type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    case json::value_t::string: return "string";
    case json::value_t::boolean: return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    default: return "value";
  }
}

std::string render_value(const json& j) {
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s.size() > max_rendered_string)
      return quote(std::string_view(s).substr(0, max_rendered_string)) + "...";
    return quote(s);
  }
  if (j.is_number() || j.is_boolean() || j.is_null())
    return j.dump();
  return quote(json_type_name(j));
}

} // namespace podvisor::kube::api::detail
