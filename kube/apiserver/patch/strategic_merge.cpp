#include "kube/apiserver/patch/strategic_merge.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "kube/apiserver/patch/json_util.hpp"

namespace podvisor::kube::apiserver {

namespace {

using json = nlohmann::json;

constexpr std::string_view directive_marker = "$patch";
constexpr std::string_view retain_keys_directive = "$retainKeys";
constexpr std::string_view delete_from_primitive_list_prefix = "$deleteFromPrimitiveList";
constexpr std::string_view set_element_order_prefix = "$setElementOrder";

// mergepatch's error texts.
constexpr std::string_view err_primitive_list = "invalid patch format of primitive list";
constexpr std::string_view err_set_element_order = "invalid patch format of setElementOrder list";
constexpr std::string_view err_retain_keys = "invalid patch format of retainKeys";

std::string child_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// What identifies a list element: the element itself for scalars, the value of its merge
// key for maps (nothing when the map lacks it). Compared by their compact text, so that
// hashing works and 1 and 1.0 stay distinct, as in Go's interface comparison of decoded
// JSON.
std::optional<std::string> identity_of(const json& element, std::string_view merge_key) {
  if (merge_key.empty())
    return element.dump();
  if (!element.is_object())
    return std::nullopt;
  auto it = element.find(merge_key);
  if (it == element.end())
    return std::nullopt;
  return it->dump();
}

// Position of each identity in `list` (first occurrence).
std::unordered_map<std::string, std::size_t> index_by_identity(const json& list, std::string_view merge_key) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < list.size(); ++i)
    if (auto id = identity_of(list[i], merge_key))
      index.emplace(std::move(*id), i);
  return index;
}

// extractKey: "$prefix/name" -> "name".
std::optional<std::string> extract_key(std::string_view key, std::string_view prefix) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos || key.substr(0, slash) != prefix)
    return std::nullopt;
  return std::string(key.substr(slash + 1));
}

class merger {
public:
  explicit merger(const strategic_schema& schema) : schema_(schema) {}

  std::optional<patch_error> error() const { return error_; }

  // mergeMap. Returns nothing (with `error_` set) on failure.
  std::optional<json> merge_map(json original, const json& patch, const std::string& path) {
    if (auto d = patch.find(directive_marker); d != patch.end()) {
      if (*d == "replace") {
        json out = patch;
        out.erase(std::string(directive_marker));
        return out;
      }
      if (*d == "delete")
        return json::object();
      return fail(bad_request_error("unknown patch type: " + (d->is_string() ? d->get<std::string>() : d->dump())
                                    + " in map: " + patch.dump()));
    }
    if (!original.is_object())
      original = json::object();
    if (!apply_retain_keys(original, patch))
      return std::nullopt;

    std::unordered_set<std::string> ordered; // lists already merged through $setElementOrder
    for (const auto& [key, value] : patch.items()) {
      if (!key.starts_with(set_element_order_prefix))
        continue;
      auto list_key = extract_key(key, set_element_order_prefix);
      if (!list_key || !value.is_array())
        return fail(bad_request_error(std::string(err_set_element_order)));
      if (!merge_with_element_order(original, patch, *list_key, value, path))
        return std::nullopt;
      ordered.insert(*list_key);
    }

    std::vector<std::pair<std::string, const json*>> deletions;
    for (const auto& [key, value] : patch.items()) {
      if (key == retain_keys_directive || key.starts_with(set_element_order_prefix) || ordered.count(key) != 0)
        continue;
      if (key.starts_with(delete_from_primitive_list_prefix)) {
        auto list_key = extract_key(key, delete_from_primitive_list_prefix);
        if (!list_key || !value.is_array())
          return fail(bad_request_error(std::string(err_primitive_list)));
        deletions.emplace_back(std::move(*list_key), &value);
        continue;
      }
      if (value.is_null()) {
        original.erase(key);
        continue;
      }
      auto child = child_path(path, key);
      auto it = original.find(key);
      std::optional<json> merged;
      if (it != original.end() && it->is_object() && value.is_object())
        merged = merge_map(std::move(*it), value, child);
      else if (it != original.end() && it->is_array() && value.is_array())
        merged = merge_list(std::move(*it), value, child);
      else
        merged = fresh(value, child);
      if (!merged)
        return std::nullopt;
      original[key] = std::move(*merged);
    }

    for (const auto& [list_key, values] : deletions) {
      auto it = original.find(list_key);
      if (it == original.end() || !it->is_array())
        continue;
      std::unordered_set<std::string> doomed;
      for (const auto& v : *values)
        doomed.insert(v.dump());
      json kept = json::array();
      for (auto& v : *it)
        if (doomed.count(v.dump()) == 0)
          kept.push_back(std::move(v));
      *it = std::move(kept);
    }
    return original;
  }

private:
  std::optional<json> fail(patch_error e) {
    if (!error_)
      error_ = std::move(e);
    return std::nullopt;
  }

  // A patch value where the original has none (or one of another type): its nulls and
  // directives are processed against an empty original.
  std::optional<json> fresh(const json& value, const std::string& path) {
    if (value.is_object())
      return merge_map(json::object(), value, path);
    if (value.is_array())
      return merge_list(json::array(), value, path);
    return value;
  }

  // applyRetainKeysDirective (server side: MergeParallelList).
  bool apply_retain_keys(json& original, const json& patch) {
    auto it = patch.find(retain_keys_directive);
    if (it == patch.end())
      return true;
    if (!it->is_array()) {
      fail(bad_request_error(std::string(err_retain_keys)));
      return false;
    }
    std::unordered_set<std::string> retained;
    for (const auto& k : *it)
      if (k.is_string())
        retained.insert(k.get<std::string>());
    for (const auto& [key, value] : patch.items()) {
      if (key == retain_keys_directive || value.is_null() || key.starts_with(delete_from_primitive_list_prefix)
          || key.starts_with(set_element_order_prefix))
        continue;
      if (retained.count(key) == 0) {
        fail(bad_request_error(std::string(err_retain_keys)));
        return false;
      }
    }
    for (auto m = original.begin(); m != original.end();) {
      if (retained.count(m.key()) == 0)
        m = original.erase(m);
      else
        ++m;
    }
    return true;
  }

  // Scalars, maps, or neither (empty lists). Lists of lists and mixtures are errors.
  enum class element_kind { none, scalar, map, invalid };

  element_kind kind_of(const json& a, const json& b, const std::string& path) {
    element_kind kind = element_kind::none;
    for (const json* list : {&a, &b}) {
      for (const auto& e : *list) {
        if (e.is_array()) {
          fail({patch_errc::invalid, "lists of lists are not supported"});
          return element_kind::invalid;
        }
        auto k = e.is_object() ? element_kind::map : element_kind::scalar;
        if (kind != element_kind::none && kind != k) {
          fail(bad_request_error("the elements of the list " + path + " are not all of one type"));
          return element_kind::invalid;
        }
        kind = k;
      }
    }
    return kind;
  }

  // mergeSlice (or replacement when the list has no merge strategy).
  std::optional<json> merge_list(json original, const json& patch, const std::string& path) {
    const auto* rule = schema_.find(path);
    if (rule == nullptr)
      return patch; // patchStrategy replace: Go takes the patch list as it is
    if (original.empty() && patch.empty())
      return original;
    auto kind = kind_of(original, patch, path);
    if (kind == element_kind::invalid)
      return std::nullopt;
    if (kind == element_kind::scalar) {
      json merged = json::array();
      std::unordered_set<std::string> seen;
      for (const json* list : {static_cast<const json*>(&original), &patch})
        for (const auto& v : *list)
          if (seen.insert(v.dump()).second)
            merged.push_back(v);
      return order_elements(merged, patch, original, "");
    }
    auto key = rule->merge_key;
    if (key.empty())
      return fail(bad_request_error("cannot merge lists without merge key for " + path));

    // mergeSliceWithSpecialElements: deletions and "$patch: replace" first.
    json plain = json::array();
    bool replace = false;
    for (const auto& e : patch) {
      auto d = e.find(directive_marker);
      if (d == e.end()) {
        plain.push_back(e);
        continue;
      }
      if (*d == "delete") {
        auto id = identity_of(e, key);
        if (!id)
          return missing_merge_key(e, key);
        json kept = json::array();
        for (auto& o : original)
          if (identity_of(o, key) != id)
            kept.push_back(std::move(o));
        original = std::move(kept);
      } else if (*d == "replace") {
        replace = true;
      } else if (*d == "merge") {
        return fail(bad_request_error("merging lists cannot yet be specified in the patch"));
      } else {
        return fail(bad_request_error("unknown patch type: " + (d->is_string() ? d->get<std::string>() : d->dump())
                                      + " in map: " + e.dump()));
      }
    }
    if (replace)
      return plain;

    // mergeSliceWithoutSpecialElements: merge by key, append the new ones.
    const json server_order = original;
    auto index = index_by_identity(original, key);
    for (const auto& e : plain) {
      auto id = identity_of(e, key);
      if (!id)
        return missing_merge_key(e, key);
      auto child = path + "[]";
      if (auto found = index.find(*id); found != index.end()) {
        auto merged = merge_map(std::move(original[found->second]), e, child);
        if (!merged)
          return std::nullopt;
        original[found->second] = std::move(*merged);
      } else {
        auto added = merge_map(json::object(), e, child);
        if (!added)
          return std::nullopt;
        index.emplace(*id, original.size());
        original.push_back(std::move(*added));
      }
    }
    return order_elements(original, plain, server_order, key);
  }

  std::optional<json> missing_merge_key(const json& element, std::string_view key) {
    return fail(bad_request_error("map: " + element.dump() + " does not contain declared merge key: " + std::string(key)));
  }

  // normalizeElementOrder + mergeSortedSlice: the elements named in `patch_order` come in
  // that order; the others keep their order in `server_order`; the two runs are
  // interleaved, taking a server element first only when both are in `server_order` and
  // it comes earlier there.
  static json order_elements(const json& merged, const json& patch_order, const json& server_order,
                             std::string_view key) {
    auto patch_index = index_by_identity(patch_order, key);
    auto server_index = index_by_identity(server_order, key);
    auto position = [&](const std::unordered_map<std::string, std::size_t>& index, const json& e) -> long {
      auto id = identity_of(e, key);
      if (!id)
        return -1;
      auto it = index.find(*id);
      return it == index.end() ? -1 : static_cast<long>(it->second);
    };
    std::vector<std::pair<long, const json*>> from_patch, server_only;
    for (const auto& e : merged) {
      auto p = position(patch_index, e);
      if (p >= 0)
        from_patch.emplace_back(p, &e);
      else
        server_only.emplace_back(position(server_index, e), &e);
    }
    auto by_position = [](const auto& a, const auto& b) { return a.first >= 0 && b.first >= 0 && a.first < b.first; };
    std::stable_sort(from_patch.begin(), from_patch.end(), by_position);
    std::stable_sort(server_only.begin(), server_only.end(), by_position);

    json out = json::array();
    std::size_t i = 0, j = 0;
    while (i < server_only.size() || j < from_patch.size()) {
      bool take_server;
      if (j >= from_patch.size()) {
        take_server = true;
      } else if (i >= server_only.size()) {
        take_server = false;
      } else {
        long li = server_only[i].first;
        long ri = position(server_index, *from_patch[j].second);
        take_server = li >= 0 && ri >= 0 && li < ri;
      }
      out.push_back(take_server ? *server_only[i++].second : *from_patch[j++].second);
    }
    return out;
  }

  // mergePatchIntoOriginal for one "$setElementOrder/<list_key>".
  bool merge_with_element_order(json& original, const json& patch, const std::string& list_key,
                                const json& order, const std::string& path) {
    auto child = child_path(path, list_key);
    const auto* rule = schema_.find(child);
    std::string_view key = rule != nullptr ? rule->merge_key : std::string_view();
    auto orig_it = original.find(list_key);
    auto patch_it = patch.find(list_key);
    bool has_original = orig_it != original.end() && !orig_it->is_null();
    bool has_patch = patch_it != patch.end() && !patch_it->is_null();
    if ((has_original && !orig_it->is_array()) || (has_patch && !patch_it->is_array())) {
      fail(bad_request_error(std::string(err_set_element_order)));
      return false;
    }
    if (has_patch && !validate_order(*patch_it, order, key))
      return false;
    const json empty = json::array();
    const json& original_list = has_original ? *orig_it : empty;
    std::optional<json> merged;
    if (has_original && !has_patch)
      merged = original_list;
    else if (has_patch)
      merged = merge_list(original_list, *patch_it, child);
    else
      return true;
    if (!merged)
      return false;
    original[list_key] = order_elements(*merged, order, original_list, key);
    return true;
  }

  // validatePatchWithSetOrderList: the patch list's elements appear in the order list,
  // in the same relative order.
  bool validate_order(const json& patch_list, const json& order, std::string_view key) {
    if (order.empty() || patch_list.empty())
      return true;
    std::size_t pi = 0, oi = 0;
    while (pi < patch_list.size() && oi < order.size()) {
      const auto& p = patch_list[pi];
      if (p.is_object() && p.contains(directive_marker)) {
        ++pi;
        continue;
      }
      auto pid = identity_of(p, key);
      auto oid = identity_of(order[oi], key);
      if (!pid || !oid) {
        missing_merge_key(pid ? order[oi] : p, key);
        return false;
      }
      if (*pid == *oid)
        ++pi;
      ++oi;
    }
    bool unmatched = false;
    for (; pi < patch_list.size(); ++pi)
      unmatched = unmatched || !(patch_list[pi].is_object() && patch_list[pi].contains(directive_marker));
    if (unmatched) {
      fail(bad_request_error("The order in patch list:\n" + patch_list.dump() + "\n doesn't match "
                             + std::string(set_element_order_prefix) + " list:\n" + order.dump() + "\n"));
      return false;
    }
    return true;
  }

  const strategic_schema& schema_;
  std::optional<patch_error> error_;
};

} // namespace

patch_result<json> apply_strategic_merge_patch(const json& original, const json& patch,
                                               const strategic_schema& schema) {
  if (patch.is_null())
    return original; // Go decodes `null` into an empty patch map
  if (!patch.is_object())
    return bad_request_error(std::string("json: cannot unmarshal ") + detail::go_json_type(patch)
                             + " into Go value of type map[string]interface {}");
  merger m{schema};
  auto merged = m.merge_map(original, patch, "");
  if (!merged)
    return *m.error();
  return std::move(*merged);
}

} // namespace podvisor::kube::apiserver
