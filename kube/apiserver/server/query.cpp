#include "kube/apiserver/server/query.hpp"

#include <charconv>

namespace podvisor::kube::apiserver {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string decode_component(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

} // namespace

query_params parse_query(std::string_view raw) {
  query_params out;
  std::size_t start = 0;
  while (start < raw.size()) {
    auto end = raw.find('&', start);
    if (end == std::string_view::npos)
      end = raw.size();
    auto pair = raw.substr(start, end - start);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      auto key = decode_component(pair.substr(0, eq));
      auto value = eq == std::string_view::npos ? std::string() : decode_component(pair.substr(eq + 1));
      out.emplace(std::move(key), std::move(value));
    }
    start = end + 1;
  }
  return out;
}

std::optional<bool> parse_go_bool(std::string_view t) {
  if (t == "1" || t == "t" || t == "T" || t == "TRUE" || t == "true" || t == "True")
    return true;
  if (t == "0" || t == "f" || t == "F" || t == "FALSE" || t == "false" || t == "False")
    return false;
  return std::nullopt;
}

std::optional<bool> bool_param(const query_params& q, std::string_view key, bool fallback) {
  auto it = q.find(key);
  if (it == q.end())
    return fallback;
  // kube-apiserver treats a present-but-empty boolean ("?watch") as false.
  if (it->second.empty())
    return false;
  return parse_go_bool(it->second);
}

std::optional<std::int64_t> int_param(const query_params& q, std::string_view key, bool& malformed) {
  malformed = false;
  auto it = q.find(key);
  if (it == q.end() || it->second.empty())
    return std::nullopt;
  std::int64_t v = 0;
  const auto& s = it->second;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) {
    malformed = true;
    return std::nullopt;
  }
  return v;
}

std::string_view param(const query_params& q, std::string_view key) {
  auto it = q.find(key);
  return it == q.end() ? std::string_view() : std::string_view(it->second);
}

} // namespace podvisor::kube::apiserver
