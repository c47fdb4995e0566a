#include "protocols/kube_object.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "protocols/error.hpp"

namespace podvisor::protocols {

namespace {

std::string_view metadata_string(const std::shared_ptr<const nlohmann::json>& doc, const char* field) {
  if (!doc || !doc->is_object())
    return {};
  auto meta = doc->find("metadata");
  if (meta == doc->end() || !meta->is_object())
    return {};
  auto value = meta->find(field);
  if (value == meta->end() || !value->is_string())
    return {};
  return value->get_ref<const std::string&>();
}

} // namespace

kube_object::kube_object(nlohmann::json document)
    : doc_(std::make_shared<const nlohmann::json>(std::move(document))) {}

const nlohmann::json& kube_object::json() const {
  PODVISOR_CHECK(doc_ != nullptr, "kube_object::json() on the null object");
  return *doc_;
}

std::string_view kube_object::namespace_() const {
  return metadata_string(doc_, "namespace");
}

std::string_view kube_object::name() const {
  return metadata_string(doc_, "name");
}

std::string_view kube_object::uid() const {
  return metadata_string(doc_, "uid");
}

std::string_view kube_object::resource_version() const {
  return metadata_string(doc_, "resourceVersion");
}

std::string kube_object::key() const {
  return object_key(namespace_(), name());
}

std::string kube_object::to_text() const {
  return doc_ ? doc_->dump() : std::string{};
}

caf::error kube_object::assign_text(const std::string& text) {
  if (text.empty()) {
    doc_.reset();
    return {};
  }
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded())
    return make_error(errc::parse_error, "kube_object: the wire form is not JSON");
  doc_ = std::make_shared<const nlohmann::json>(std::move(parsed));
  return {};
}

std::string object_key(std::string_view namespace_, std::string_view name) {
  std::string key;
  key.reserve(namespace_.size() + name.size() + 1);
  if (!namespace_.empty()) {
    key.append(namespace_);
    key.push_back('/');
  }
  key.append(name);
  return key;
}

} // namespace podvisor::protocols
