#include "kube/apiserver/store/object.hpp"

#include <charconv>

namespace podvisor::kube::apiserver {

std::string format_resource_version(std::uint64_t rv) {
  return std::to_string(rv);
}

std::optional<std::uint64_t> parse_resource_version(std::string_view text) {
  if (text.empty())
    return 0;
  std::uint64_t value = 0;
  // from_chars takes no sign, space or base prefix for unsigned types; it must consume all.
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

std::string index_key(const object_key& key) {
  std::string out;
  out.reserve(key.resource.size() + key.namespace_.size() + key.name.size() + 2);
  out += key.resource;
  out += '\0';
  out += key.namespace_;
  out += '\0';
  out += key.name;
  return out;
}

std::string index_prefix(std::string_view resource, const std::optional<std::string_view>& namespace_) {
  std::string out(resource);
  out += '\0';
  if (namespace_) {
    out += *namespace_;
    out += '\0';
  }
  return out;
}

object_key key_from_index(std::string_view index) {
  object_key key;
  auto first = index.find('\0');
  auto second = first == std::string_view::npos ? first : index.find('\0', first + 1);
  if (second == std::string_view::npos) {
    key.name = std::string(index); // not produced by index_key; keep the text visible
    return key;
  }
  key.resource = std::string(index.substr(0, first));
  key.namespace_ = std::string(index.substr(first + 1, second - first - 1));
  key.name = std::string(index.substr(second + 1));
  return key;
}

} // namespace podvisor::kube::apiserver
