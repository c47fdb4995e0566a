#pragma once
// A Kubernetes object as actors pass it around: an immutable, shared JSON document.
//
// Why a shared pointer: an informer hands the same object to its cache, to every
// subscriber and to every reader of the cache; copying a parsed VMI (thousands of JSON
// nodes) per recipient would cost more than the rest of the informer together. CAF 0.17
// messages are copy-on-write, so a message holding a kube_object costs one reference
// count per copy. Immutability makes sharing across threads safe without locks: nobody
// mutates a kube_object, a writer builds a new document and wraps it.
//
// Why it still has a real `inspect` (and is not marked unsafe): its wire form is the JSON
// text, so messages that carry objects can cross a network link if one day they need to,
// and the type can sit in the type-ID block like any other message type.

#include <memory>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <nlohmann/json_fwd.hpp>

namespace podvisor::protocols {

/// An immutable Kubernetes object (or nothing: a default-constructed kube_object is
/// null, which messages use for "no object", e.g. the old state of an added event).
class kube_object {
public:
  /// The null object.
  kube_object() = default;
  /// Takes ownership of a parsed document.
  explicit kube_object(nlohmann::json document);
  /// Shares an existing document.
  explicit kube_object(std::shared_ptr<const nlohmann::json> document) : doc_(std::move(document)) {}

  /// True when an object is held.
  explicit operator bool() const { return doc_ != nullptr; }
  bool is_null() const { return doc_ == nullptr; }

  /// The document; must not be called on the null object.
  const nlohmann::json& json() const;
  const nlohmann::json& operator*() const { return json(); }
  const nlohmann::json* operator->() const { return &json(); }
  /// The shared document (null for the null object).
  const std::shared_ptr<const nlohmann::json>& shared() const { return doc_; }

  /// metadata.namespace, metadata.name, metadata.uid, metadata.resourceVersion
  /// ("" when absent or not a string; "" for the null object).
  std::string_view namespace_() const;
  std::string_view name() const;
  std::string_view uid() const;
  std::string_view resource_version() const;

  /// The cache key client-go's MetaNamespaceKeyFunc gives: "namespace/name", or "name"
  /// for cluster-scoped objects.
  std::string key() const;

  /// Same document (pointer identity, what an informer's resync uses), or both null.
  friend bool operator==(const kube_object& a, const kube_object& b) { return a.doc_ == b.doc_; }

  /// The wire form: compact JSON text; "" for the null object.
  std::string to_text() const;
  /// Parses the wire form (an empty text gives the null object); a parse error leaves
  /// this unchanged and returns a caf::error (the deserializer reports it).
  caf::error assign_text(const std::string& text);

private:
  std::shared_ptr<const nlohmann::json> doc_;
};

/// The key of a namespace and name, as `kube_object::key` builds it.
std::string object_key(std::string_view namespace_, std::string_view name);

/// CAF inspection: the object travels as its JSON text.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kube_object& x) {
  std::string text;
  if constexpr (Inspector::reads_state)
    text = x.to_text();
  auto load = [&]() -> caf::error { return x.assign_text(text); };
  return f(caf::meta::type_name("podvisor::protocols::kube_object"), text, caf::meta::load_callback(load));
}

} // namespace podvisor::protocols
