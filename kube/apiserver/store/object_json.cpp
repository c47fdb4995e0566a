#include "kube/apiserver/store/object_json.hpp"

#include "kube/api/json_text.hpp"

namespace podvisor::kube::apiserver {

store_result<bool> check_key(const object_key& key) {
  auto bad = [](std::string what) { return store_error{store_errc::invalid, std::move(what)}; };
  if (key.resource.empty())
    return bad("resource must not be empty");
  if (key.name.empty())
    return bad("name must not be empty");
  for (const auto* part : {&key.resource, &key.namespace_, &key.name})
    if (part->find('\0') != std::string::npos)
      return bad("key must not contain NUL bytes");
  return true;
}

store_result<bool> check_object(const nlohmann::json& doc, const object_key& key) {
  auto bad = [](std::string what) { return store_error{store_errc::invalid, std::move(what)}; };
  if (!doc.is_object())
    return bad("object must be a JSON object");
  auto meta = doc.find("metadata");
  if (meta == doc.end() || !meta->is_object())
    return bad("metadata must be a JSON object");
  const nlohmann::json& fields = *meta;
  auto name = fields.find("name");
  if (name == fields.end() || !name->is_string() || name->get_ref<const std::string&>() != key.name)
    return bad("metadata.name must be \"" + key.name + "\"");
  auto ns = fields.find("namespace");
  if (ns != fields.end() && (!ns->is_string() || ns->get_ref<const std::string&>() != key.namespace_))
    return bad(key.namespace_.empty()
                 ? std::string("metadata.namespace must be empty for a cluster-scoped object")
                 : "metadata.namespace must be \"" + key.namespace_ + "\"");
  return true;
}

store_result<nlohmann::json> parse_object(std::string_view text, const object_key& key) {
  nlohmann::json doc;
  std::string why;
  if (!api::parse_json(text, doc, why))
    return store_error{store_errc::invalid, why};
  if (auto ok = check_object(doc, key); !ok)
    return ok.error();
  return doc;
}

nlohmann::json parse_stored(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

std::string stamp_object(nlohmann::json& doc, std::uint64_t rv) {
  doc["metadata"]["resourceVersion"] = format_resource_version(rv);
  // The parser only admits valid UTF-8, so `replace` never fires; it just guarantees that
  // dump() cannot throw.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string object_uid(const nlohmann::json& doc) {
  // References rather than iterator->: GCC's -Wnull-dereference cannot see that a found
  // iterator points somewhere.
  auto meta = doc.find("metadata");
  if (meta == doc.end() || !meta->is_object())
    return {};
  const nlohmann::json& fields = *meta;
  auto uid = fields.find("uid");
  if (uid == fields.end() || !uid->is_string())
    return {};
  return uid->get<std::string>();
}

} // namespace podvisor::kube::apiserver
