#pragma once
// The small part of kubectl's JSONPath that printer columns use: `.a.b`, `.a[0].b`,
// `.a['x.y']`, `.a[*].b` and filters `.a[?(@.type=='Ready')].status` (== and !=, string,
// number and boolean literals, optionally wrapped in `{...}`). CRDs declare their
// additionalPrinterColumns in this language; the table layer evaluates them against
// stored objects. Anything outside the subset is rejected when the path is parsed, so a
// CRD with an unsupported column is refused rather than printing wrong cells.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace podvisor::kube::apiserver {

/// A parsed JSONPath expression.
class json_path {
public:
  /// Parses `text`; on failure returns nothing and sets `error` to a one-line reason.
  static std::optional<json_path> parse(std::string_view text, std::string& error);

  /// Every value the path selects in `root`, in document order (copies).
  std::vector<nlohmann::json> evaluate(const nlohmann::json& root) const;

  /// The first selected value, or nothing.
  std::optional<nlohmann::json> first(const nlohmann::json& root) const;

  /// One step of a path: a member, an index, all elements, or a filter.
  struct step {
    enum class type { member, index, wildcard, filter } kind = type::member;
    std::string name;               ///< member name, or the filter's field path ("a.b")
    long long index = 0;            ///< index (negative counts from the end)
    bool filter_equal = true;       ///< == (true) or != (false)
    nlohmann::json filter_value;    ///< the literal compared against; null = existence test
  };

private:
  std::vector<step> steps_;
};

/// The value at a plain dotted path ("spec.nodeName", "metadata.labels.app"), or nullptr.
/// No escaping: used for field selector labels, whose paths are fixed by the registry.
const nlohmann::json* lookup(const nlohmann::json& root, std::string_view dotted);

/// Renders a selected value as a printer cell text would: strings as they are, other
/// scalars and containers as compact JSON.
std::string render_cell_text(const nlohmann::json& value);

} // namespace podvisor::kube::apiserver
