#include "kube/apiserver/resources/tables.hpp"

#include <optional>
#include <vector>

#include "kube/api/timestamp.hpp"
#include "kube/apiserver/resources/humanize.hpp"
#include "kube/apiserver/resources/jsonpath.hpp"

namespace podvisor::kube::apiserver {

namespace {

// A column value as the apiextensions table convertor renders it for the column's type:
// dates become ages, strings are printed, numbers and booleans pass through as JSON.
json typed_cell(const printer_column& column, const json& value, const print_context& ctx) {
  if (column.type == "date") {
    if (!value.is_string())
      return nullptr;
    auto t = api::parse_timestamp(value.get_ref<const std::string&>());
    if (!t)
      return "<invalid>";
    return age_since(value, ctx.now);
  }
  if (column.type == "string")
    return render_cell_text(value);
  if (column.type == "integer")
    return value.is_number() ? json(value.get<std::int64_t>()) : json(nullptr);
  if (column.type == "number")
    return value.is_number() ? value : json(nullptr);
  if (column.type == "boolean")
    return value.is_boolean() ? value : json(nullptr);
  return value;
}

// Renders rows for one entry; parses the columns' JSONPaths once for all rows.
class row_builder {
public:
  row_builder(const resource_entry& entry, const table_options& options) : entry_(entry), options_(options) {
    if (entry.printer.cells != nullptr)
      return;
    for (const auto& column : entry.printer.columns) {
      std::string error;
      // Paths were checked when the entry was made; a bad one prints empty cells.
      paths_.push_back(json_path::parse(column.json_path, error));
    }
  }

  json row(const json& object) const {
    print_context ctx{options_.now};
    std::vector<json> cells;
    const auto& columns = entry_.printer.columns;
    if (entry_.printer.cells != nullptr) {
      cells = entry_.printer.cells(object, ctx);
    } else {
      for (std::size_t i = 0; i < columns.size(); ++i) {
        std::optional<json> value = paths_[i] ? paths_[i]->first(object) : std::nullopt;
        cells.push_back(value ? typed_cell(columns[i], *value, ctx) : json(nullptr));
      }
    }
    cells.resize(columns.size()); // a printer bug must not shift kubectl's columns
    json out = {{"cells", json(std::move(cells))}};
    switch (options_.include) {
      case include_object::none:
        break;
      case include_object::metadata: {
        const json* metadata = object.is_object() ? lookup(object, "metadata") : nullptr;
        out["object"] = {{"kind", "PartialObjectMetadata"},
                         {"apiVersion", options_.api_version},
                         {"metadata", metadata != nullptr ? *metadata : json::object()}};
        break;
      }
      case include_object::object:
        out["object"] = object;
        break;
    }
    return out;
  }

private:
  const resource_entry& entry_;
  const table_options& options_;
  std::vector<std::optional<json_path>> paths_;
};

} // namespace

json column_definitions(const table_printer& printer) {
  json out = json::array();
  for (const auto& c : printer.columns)
    out.push_back({{"name", c.name},
                   {"type", c.type},
                   {"format", c.format},
                   {"description", c.description},
                   {"priority", c.priority}});
  return out;
}

json table_row(const resource_entry& entry, const json& object, const table_options& options) {
  return row_builder{entry, options}.row(object);
}

json make_table(const resource_entry& entry, const json& objects, const table_options& options) {
  json table = {{"kind", "Table"}, {"apiVersion", options.api_version}, {"metadata", json::object()}};
  if (!options.resource_version.empty())
    table["metadata"]["resourceVersion"] = options.resource_version;
  if (options.column_definitions)
    table["columnDefinitions"] = column_definitions(entry.printer);
  row_builder builder{entry, options};
  json rows = json::array();
  const json* items = &objects;
  if (objects.is_object() && objects.contains("items") && objects["items"].is_array())
    items = &objects["items"];
  if (items->is_array()) {
    for (const auto& object : *items)
      rows.push_back(builder.row(object));
  } else if (items->is_object()) {
    rows.push_back(builder.row(*items));
  }
  table["rows"] = std::move(rows);
  return table;
}

} // namespace podvisor::kube::apiserver
