#include "kube/api/field_error.hpp"

#include <cstdio>

namespace podvisor::kube::api {

std::string_view to_string(field_error_type type) {
  switch (type) {
    case field_error_type::required: return "Required value";
    case field_error_type::invalid: return "Invalid value";
    case field_error_type::unsupported: return "Unsupported value";
    case field_error_type::duplicate: return "Duplicate value";
    case field_error_type::not_found: return "Not found";
    case field_error_type::forbidden: return "Forbidden";
    case field_error_type::too_long: return "Too long";
    case field_error_type::type_invalid: return "Invalid value";
  }
  return "Invalid value";
}

std::string quote(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out.push_back('"');
  for (unsigned char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string field_error::message() const {
  std::string out = field;
  out += ": ";
  out += to_string(type);
  // Required and Forbidden carry no value; the others print it when known, the way
  // field.Error does (`Invalid value: "x": detail`).
  bool has_value_slot = type != field_error_type::required && type != field_error_type::forbidden
                        && type != field_error_type::too_long;
  if (has_value_slot && !value.empty()) {
    out += ": ";
    out += value;
  }
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

std::string join_messages(const field_errors& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty())
      out += ", ";
    out += e.message();
  }
  return out;
}

} // namespace podvisor::kube::api
