#include "introspect/prometheus_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace podvisor::introspect {

namespace {

bool is_name(std::string_view name, bool colon_allowed) {
  if (name.empty())
    return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_allowed && c == ':')
              || (i > 0 && c >= '0' && c <= '9');
    if (!ok)
      return false;
  }
  return true;
}

std::string escape_help(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

} // namespace

bool is_metric_name(std::string_view name) {
  return is_name(name, true);
}

bool is_label_name(std::string_view name) {
  // Names starting with "__" are reserved for Prometheus' own use.
  return is_name(name, false) && name.substr(0, 2) != "__";
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_sample_value(double value) {
  if (std::isnan(value))
    return "NaN";
  if (std::isinf(value))
    return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Integral values below 2^53 print exactly without an exponent (counters, bytes).
  if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  // The shortest form that reads back as the same double.
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value)
      break;
  }
  return buf;
}

error prometheus_text::family(std::string_view name, metric_type type, std::string_view help) {
  if (!is_metric_name(name))
    return {errc::invalid_argument, "invalid metric name \"" + std::string(name) + "\""};
  if (std::find(declared_.begin(), declared_.end(), name) != declared_.end())
    return {errc::invalid_argument, "metric family \"" + std::string(name) + "\" declared twice"};
  declared_.emplace_back(name);
  current_ = std::string(name);
  text_ += "# HELP " + current_ + " " + escape_help(help) + "\n";
  text_ += "# TYPE " + current_ + (type == metric_type::counter ? " counter\n" : " gauge\n");
  return {};
}

error prometheus_text::sample(const std::vector<label>& labels, double value) {
  if (current_.empty())
    return {errc::invalid_argument, "a sample needs a metric family first"};
  std::string line = current_;
  if (!labels.empty()) {
    line += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const auto& [name, val] = labels[i];
      if (!is_label_name(name))
        return {errc::invalid_argument, "invalid label name \"" + name + "\" in " + current_};
      for (std::size_t j = 0; j < i; ++j)
        if (labels[j].first == name)
          return {errc::invalid_argument, "label \"" + name + "\" repeated in " + current_};
      if (i > 0)
        line += ',';
      line += name + "=\"" + escape_label_value(val) + "\"";
    }
    line += '}';
  }
  text_ += line + " " + format_sample_value(value) + "\n";
  return {};
}

} // namespace podvisor::introspect
