#include "kube/apiserver/patch/patch_type.hpp"

#include <algorithm>
#include <cctype>

namespace podvisor::kube::apiserver {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

} // namespace

std::vector<patch_type> accepted_patch_types(const patch_kind& kind) {
  // installer.go lists json, merge, strategic, apply for built-in kinds; the CRD handler
  // lists json, merge, apply.
  if (kind.builtin)
    return {patch_type::json_patch, patch_type::merge_patch, patch_type::strategic_merge_patch,
            patch_type::apply_patch};
  return {patch_type::json_patch, patch_type::merge_patch, patch_type::apply_patch};
}

std::string unsupported_media_type_message(const patch_kind& kind) {
  std::string out = "the body of the request was in an unknown format - accepted media types include: ";
  bool first = true;
  for (auto type : accepted_patch_types(kind)) {
    if (!first)
      out += ", ";
    first = false;
    out += api::to_string(type);
  }
  return out;
}

patch_result<patch_type> parse_patch_type(std::string_view content_type, const patch_kind& kind) {
  auto semicolon = content_type.find(';');
  auto media = trim(content_type.substr(0, semicolon));
  for (auto type : accepted_patch_types(kind))
    if (iequals(media, api::to_string(type)))
      return type;
  return patch_error{patch_errc::unsupported_media_type, unsupported_media_type_message(kind)};
}

} // namespace podvisor::kube::apiserver
