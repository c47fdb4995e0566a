#pragma once
// The resource registry: one entry per resource the embedded API server serves, with
// everything the REST, discovery, OpenAPI and table layers need to know about it (group,
// version, kind, plural, scope, verbs, subresources, patch types, printer columns, field
// selectors, schema). Built-in entries come from the kube/api types (`kind_info<T>` and
// `schema<T>()`, see builtin_resources.cpp); CustomResourceDefinitions add entries at run
// time (crd.hpp), so discovery reflects them as soon as they are registered.
//
// Thread safety: `resource_registry` is safe to use from many threads. Entries are
// immutable once registered and handed out as `shared_ptr<const resource_entry>`, so a
// request that looked one up keeps a valid entry even if its CRD is removed meanwhile.

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/api/enum_table.hpp"
#include "kube/api/field_error.hpp"

namespace podvisor::kube::apiserver {

using json = nlohmann::json;

/// A Kubernetes API verb as discovery lists it.
enum class verb { create, delete_, deletecollection, get, list, patch, update, watch };

/// All verbs of a normal resource, in the (alphabetical) order discovery lists them.
inline constexpr std::array<verb, 8> all_verbs = {verb::create, verb::delete_, verb::deletecollection,
                                                   verb::get,    verb::list,    verb::patch,
                                                   verb::update, verb::watch};

/// One subresource of a resource ("status", "binding").
struct subresource {
  std::string name;            ///< "status"
  std::string group;           ///< group of the kind it takes and returns ("" for core)
  std::string version;         ///< "v1"
  std::string kind;            ///< "Pod" for pods/status, "Binding" for pods/binding
  std::vector<verb> verbs;     ///< {get, patch, update} for status, {create} for binding
};

/// One column of a kind's table (kubectl get). Mirrors metav1.TableColumnDefinition plus
/// the JSONPath a CRD's additionalPrinterColumns use to fill it.
struct printer_column {
  std::string name;        ///< "Age"
  std::string type;        ///< "string", "integer", "number", "boolean" or "date"
  std::string format;      ///< "name" for the name column, otherwise usually empty
  std::string description; ///< free text for API readers; kubectl does not print it
  int priority = 0;        ///< > 0: only shown with -o wide
  std::string json_path;   ///< for path-driven columns: ".status.phase"; empty otherwise
};

/// What a row printer gets besides the object: the injected "now" for ages.
struct print_context {
  std::chrono::system_clock::time_point now;
};

/// Computes the cells of one row (one per column, in column order) from an object. Used
/// for built-in kinds whose cells need logic (pod status, node roles); kinds without one
/// fill their cells from the columns' JSONPaths.
using row_printer = std::vector<json> (*)(const json& object, const print_context& ctx);

/// How a kind is printed as a table.
struct table_printer {
  /// Every column, the Name column included.
  std::vector<printer_column> columns;
  /// nullptr: each cell comes from its column's JSONPath (the CRD way).
  row_printer cells = nullptr;
};

/// A field selector label a kind supports and where its value lives in the object.
struct field_label {
  std::string label; ///< "spec.nodeName", "involvedObject.kind", "source"
  std::string path;  ///< dotted path into the object: "spec.nodeName", "source.component"
};

/// Everything the server knows about one served resource.
struct resource_entry {
  std::string group;     ///< "" for the core group
  std::string version;   ///< "v1"
  std::string kind;      ///< "VirtualMachineInstance"
  std::string list_kind; ///< "VirtualMachineInstanceList"
  std::string plural;    ///< "virtualmachineinstances" (the URL segment)
  std::string singular;  ///< "virtualmachineinstance"
  std::vector<std::string> short_names; ///< {"vmi", "vmis"}
  std::vector<std::string> categories;  ///< {"all"} lets `kubectl get all` include it
  bool namespaced = true;
  std::vector<verb> verbs;
  std::vector<subresource> subresources;
  /// application/strategic-merge-patch+json is accepted (core kinds only; CRD-style kinds
  /// answer 415 as a real server does).
  bool strategic_merge_patch = false;
  /// Name of the CustomResourceDefinition that defined this entry; empty for built-ins.
  std::string crd_name;
  /// One line for `kubectl explain <kind>`.
  std::string description;
  /// Field selectors beyond metadata.name and metadata.namespace (which every kind has).
  std::vector<field_label> field_labels;
  table_printer printer;
  /// OpenAPI v3 schema of the kind: an object with apiVersion, kind, metadata and the
  /// kind's own fields. The OpenAPI layer adds the GVK extension and the ObjectMeta $ref.
  json schema;
  /// Key under components.schemas: "io.k8s.api.core.v1.Pod", "io.kubevirt.v1.VirtualMachine".
  std::string schema_name;

  /// "v1" for the core group, else "group/version".
  std::string api_version() const;
  /// True when a subresource of that name exists.
  bool has_subresource(std::string_view name) const;
  /// True when the verb is allowed on the main resource.
  bool allows(verb v) const;
  /// The path of a field selector label (metadata.name/namespace included), or nothing.
  const field_label* find_field_label(std::string_view label) const;
};

/// A group and version served by the registry.
struct group_version {
  std::string group;
  std::string version;
  /// "v1" or "group/version".
  std::string str() const { return group.empty() ? version : group + "/" + version; }
  friend bool operator==(const group_version&, const group_version&) = default;
};

/// An immutable view of the registry at one moment: what discovery and OpenAPI render.
struct registry_snapshot {
  /// Increases whenever the set of entries changes (cache key for rendered documents).
  std::uint64_t generation = 0;
  std::vector<std::shared_ptr<const resource_entry>> entries;

  /// Served group-versions: the core group first, then the others in registration order.
  std::vector<group_version> group_versions() const;
  /// Entries of one group-version, in registration order.
  std::vector<std::shared_ptr<const resource_entry>> in(std::string_view group, std::string_view version) const;
  /// The entry serving `plural` in group/version, or nullptr.
  std::shared_ptr<const resource_entry> find(std::string_view group, std::string_view version,
                                             std::string_view plural) const;
};

/// The outcome of registering a CRD.
enum class crd_outcome {
  registered, ///< new entries were added
  updated,    ///< the CRD was known; its entries were replaced
  invalid,    ///< the CRD object is malformed; `errors` says where
  conflict,   ///< it names a resource or kind served by a built-in or another CRD
};

/// The result of `resource_registry::apply_crd`.
struct crd_result {
  crd_outcome outcome = crd_outcome::invalid;
  /// Field errors for `invalid` and `conflict` (paths like "spec.names.plural").
  api::field_errors errors;
  bool ok() const { return outcome == crd_outcome::registered || outcome == crd_outcome::updated; }
};

/// The set of served resources. Starts with the built-ins; CRDs come and go at run time.
class resource_registry {
public:
  /// A registry serving `builtins` (normally `builtin_resources()`).
  explicit resource_registry(std::vector<resource_entry> builtins);

  resource_registry(const resource_registry&) = delete;
  resource_registry& operator=(const resource_registry&) = delete;

  /// The entry serving `plural` in group/version, or nullptr.
  std::shared_ptr<const resource_entry> find(std::string_view group, std::string_view version,
                                             std::string_view plural) const;
  /// The entry for a kind in group/version, or nullptr.
  std::shared_ptr<const resource_entry> find_kind(std::string_view group, std::string_view version,
                                                  std::string_view kind) const;
  /// Everything served right now.
  registry_snapshot snapshot() const;
  /// See `registry_snapshot::generation`.
  std::uint64_t generation() const;

  /// Registers (or re-registers) the resources a CustomResourceDefinition object defines:
  /// one entry per served version. Never throws; a malformed CRD changes nothing.
  crd_result apply_crd(const json& crd);
  /// Removes the entries of the CRD named `crd_name` ("foos.example.com"). False if none.
  bool remove_crd(std::string_view crd_name);

private:
  mutable std::shared_mutex mutex_;
  std::vector<std::shared_ptr<const resource_entry>> entries_;
  std::uint64_t generation_ = 1;
};

} // namespace podvisor::kube::apiserver

template <>
struct podvisor::kube::api::enum_table<podvisor::kube::apiserver::verb> {
  using e = podvisor::kube::apiserver::verb;
  static constexpr std::array entries = {
    enum_entry{e::create, "create"}, enum_entry{e::delete_, "delete"},
    enum_entry{e::deletecollection, "deletecollection"}, enum_entry{e::get, "get"},
    enum_entry{e::list, "list"}, enum_entry{e::patch, "patch"},
    enum_entry{e::update, "update"}, enum_entry{e::watch, "watch"},
  };
};

template <>
struct podvisor::kube::api::enum_table<podvisor::kube::apiserver::crd_outcome> {
  using e = podvisor::kube::apiserver::crd_outcome;
  static constexpr std::array entries = {
    enum_entry{e::registered, "registered"}, enum_entry{e::updated, "updated"},
    enum_entry{e::invalid, "invalid"}, enum_entry{e::conflict, "conflict"},
  };
};
