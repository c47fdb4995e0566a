#pragma once
// meta.k8s.io/v1 Table responses: what `kubectl get` (default and -o wide output, and
// get -w) asks for with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. The
// server renders every cell itself, ages included, because kubectl prints cells as they
// come; each row carries the object's metadata (or the whole object) so kubectl can add
// the NAMESPACE column, --show-labels and --sort-by.

#include <array>
#include <chrono>
#include <string>

#include "kube/api/enum_table.hpp"
#include "kube/apiserver/resources/registry.hpp"

namespace podvisor::kube::apiserver {

/// The `includeObject` query parameter: what each row's `object` holds.
enum class include_object {
  none,     ///< no object
  metadata, ///< a PartialObjectMetadata with the full metadata (the default)
  object,   ///< the whole object (kubectl --sort-by asks for this)
};

/// Options of one table rendering.
struct table_options {
  /// The moment ages are computed against (injected for tests).
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  include_object include = include_object::metadata;
  /// metadata.resourceVersion of the table (the list's); omitted when empty.
  std::string resource_version;
  /// "meta.k8s.io/v1" or "meta.k8s.io/v1beta1", as negotiated from the Accept header.
  std::string api_version = "meta.k8s.io/v1";
  /// Watch events after the first may leave the column definitions out.
  bool column_definitions = true;
};

/// The columnDefinitions array of a printer.
json column_definitions(const table_printer& printer);

/// One row (`cells`, and `object` unless include is none) for one object.
json table_row(const resource_entry& entry, const json& object, const table_options& options);

/// A Table of `objects`: a JSON array of objects, a List object (its `items`), or one
/// object (a GET of a single item, or one watch event).
json make_table(const resource_entry& entry, const json& objects, const table_options& options);

} // namespace podvisor::kube::apiserver

template <>
struct podvisor::kube::api::enum_table<podvisor::kube::apiserver::include_object> {
  using e = podvisor::kube::apiserver::include_object;
  static constexpr std::array entries = {
    enum_entry{e::none, "None"},
    enum_entry{e::metadata, "Metadata"},
    enum_entry{e::object, "Object"},
  };
};
