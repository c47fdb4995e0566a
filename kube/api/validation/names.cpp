#include "kube/api/validation/names.hpp"

namespace podvisor::kube::api {

namespace {

// The patterns apimachinery quotes in its messages; the matching itself is hand-written
// below (these grammars are tiny and std::regex is slow and throws).
constexpr std::string_view dns1123_label_fmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view dns1123_subdomain_fmt =
  "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view label_key_fmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view label_value_fmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

constexpr std::string_view dns1123_label_err =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
  "must start and end with an alphanumeric character";
constexpr std::string_view dns1123_subdomain_err =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
  "'.', and must start and end with an alphanumeric character";
constexpr std::string_view label_key_err =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
  "alphanumeric character";
constexpr std::string_view label_value_err =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
  "'.', and must start and end with an alphanumeric character";

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

// MaxLenError: util/validation says "characters", the newer content package "bytes".
std::string max_len_error(std::size_t n, std::string_view unit) {
  return "must be no more than " + std::to_string(n) + " " + std::string(unit);
}

// RegexError, including its quirk of a comma before every " or " ("'a',  or 'b', ").
std::string regex_error(std::string_view msg, std::string_view fmt,
                        std::initializer_list<std::string_view> examples) {
  std::string out(msg);
  if (examples.size() == 0) {
    out += " (regex used for validation is '";
    out += fmt;
    out += "')";
    return out;
  }
  out += " (e.g. ";
  bool first = true;
  for (auto example : examples) {
    if (!first)
      out += " or ";
    first = false;
    out += '\'';
    out += example;
    out += "', ";
  }
  out += "regex used for validation is '";
  out += fmt;
  out += "')";
  return out;
}

// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
bool matches_label_key_name(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back()))
    return false;
  for (char c : s)
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

} // namespace

bool matches_dns1123_label(std::string_view s) {
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back()))
    return false;
  for (char c : s)
    if (!is_lower_alnum(c) && c != '-')
      return false;
  return true;
}

bool matches_dns1123_subdomain(std::string_view s) {
  std::size_t start = 0;
  while (true) {
    auto dot = s.find('.', start);
    auto part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!matches_dns1123_label(part))
      return false;
    if (dot == std::string_view::npos)
      return true;
    start = dot + 1;
  }
}

std::vector<std::string> is_dns1123_label(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > dns1123_label_max_length)
    errs.push_back(max_len_error(dns1123_label_max_length, "characters"));
  if (!matches_dns1123_label(value)) {
    // A valid subdomain that is not a valid label can only be wrong because of its dots.
    if (matches_dns1123_subdomain(value))
      errs.emplace_back("must not contain dots");
    else
      errs.push_back(regex_error(dns1123_label_err, dns1123_label_fmt, {"my-name", "123-abc"}));
  }
  return errs;
}

namespace {

std::vector<std::string> subdomain_errors(std::string_view value, std::string_view unit) {
  std::vector<std::string> errs;
  if (value.size() > dns1123_subdomain_max_length)
    errs.push_back(max_len_error(dns1123_subdomain_max_length, unit));
  if (!matches_dns1123_subdomain(value))
    errs.push_back(regex_error(dns1123_subdomain_err, dns1123_subdomain_fmt, {"example.com"}));
  return errs;
}

} // namespace

std::vector<std::string> is_dns1123_subdomain(std::string_view value) {
  return subdomain_errors(value, "characters");
}

std::vector<std::string> is_qualified_name(std::string_view value) {
  std::vector<std::string> errs;
  std::string_view name;
  auto slash = value.find('/');
  if (slash == std::string_view::npos) {
    name = value;
  } else if (value.find('/', slash + 1) != std::string_view::npos) {
    errs.push_back("a valid label key "
                   + regex_error(label_key_err, label_key_fmt, {"MyName", "my.name", "123-abc"})
                   + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  } else {
    auto prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.emplace_back("prefix part must be non-empty");
    } else {
      for (auto& msg : subdomain_errors(prefix, "bytes"))
        errs.push_back("prefix part " + msg);
    }
  }
  if (name.empty())
    errs.emplace_back("name part must be non-empty");
  else if (name.size() > label_key_name_max_length)
    errs.push_back("name part " + max_len_error(label_key_name_max_length, "bytes"));
  if (!matches_label_key_name(name))
    errs.push_back("name part "
                   + regex_error(label_key_err, label_key_fmt, {"MyName", "my.name", "123-abc"}));
  return errs;
}

std::vector<std::string> is_label_value(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > label_value_max_length)
    errs.push_back(max_len_error(label_value_max_length, "bytes"));
  if (!value.empty() && !matches_label_key_name(value))
    errs.push_back(
      regex_error(label_value_err, label_value_fmt, {"MyValue", "my_value", "12345"}));
  return errs;
}

std::vector<std::string> is_port_name(std::string_view port) {
  std::vector<std::string> errs;
  if (port.size() > 15)
    errs.push_back(max_len_error(15, "characters"));
  bool charset_ok = !port.empty();
  bool has_letter = false;
  for (char c : port) {
    if (!is_lower_alnum(c) && c != '-')
      charset_ok = false;
    if (c >= 'a' && c <= 'z')
      has_letter = true;
  }
  if (!charset_ok)
    errs.emplace_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!has_letter)
    errs.emplace_back("must contain at least one letter (a-z)");
  if (port.find("--") != std::string_view::npos)
    errs.emplace_back("must not contain consecutive hyphens");
  if (!port.empty() && (port.front() == '-' || port.back() == '-'))
    errs.emplace_back("must not begin or end with a hyphen");
  return errs;
}

void add_invalid_each(field_errors& errors, const field_path& path, std::string_view value,
                      const std::vector<std::string>& messages) {
  for (const auto& msg : messages)
    errors.push_back(field_invalid(path, quote(value), msg));
}

void validate_dns1123_label(std::string_view value, const field_path& path, field_errors& errors) {
  if (value.empty()) {
    errors.push_back(field_required(path));
    return;
  }
  add_invalid_each(errors, path, value, is_dns1123_label(value));
}

void validate_dns1123_subdomain(std::string_view value, const field_path& path,
                                field_errors& errors) {
  if (value.empty()) {
    errors.push_back(field_required(path));
    return;
  }
  add_invalid_each(errors, path, value, is_dns1123_subdomain(value));
}

} // namespace podvisor::kube::api
