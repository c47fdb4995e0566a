#include "kube/apiserver/patch/json_patch.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "kube/api/field_error.hpp"
#include "kube/api/json_text.hpp"
#include "kube/apiserver/patch/json_util.hpp"

namespace podvisor::kube::apiserver {

namespace {

using json = nlohmann::json;

// strconv.Atoi: optional sign, decimal digits, 64-bit range; errors in Go's words.
bool go_atoi(std::string_view s, std::int64_t& out, std::string& err) {
  std::string_view digits = s;
  bool negative = false;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  bool syntax_ok = !digits.empty();
  for (char c : digits)
    syntax_ok = syntax_ok && c >= '0' && c <= '9';
  if (!syntax_ok) {
    err = "strconv.Atoi: parsing " + api::quote(s) + ": invalid syntax";
    return false;
  }
  std::uint64_t magnitude = 0;
  constexpr std::uint64_t limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  for (char c : digits) {
    magnitude = magnitude * 10 + static_cast<std::uint64_t>(c - '0');
    if (magnitude > limit + (negative ? 1 : 0)) {
      err = "strconv.Atoi: parsing " + api::quote(s) + ": value out of range";
      return false;
    }
  }
  if (negative)
    out = magnitude == limit + 1 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(magnitude);
  else
    out = static_cast<std::int64_t>(magnitude);
  return true;
}

std::string invalid_index(std::int64_t idx) {
  return "Unable to access invalid index: " + std::to_string(idx) + ": invalid index referenced";
}

// RFC 6901 unescaping, "~1" before "~0" so that "~01" becomes "~1".
std::string decode_key(std::string_view part) {
  std::string out;
  out.reserve(part.size());
  for (std::size_t i = 0; i < part.size(); ++i) {
    if (part[i] == '~' && i + 1 < part.size() && part[i + 1] == '1') {
      out.push_back('/');
      ++i;
    } else {
      out.push_back(part[i]);
    }
  }
  std::string result;
  result.reserve(out.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '~' && i + 1 < out.size() && out[i + 1] == '0') {
      result.push_back('~');
      ++i;
    } else {
      result.push_back(out[i]);
    }
  }
  return result;
}

// The container a path points into, its last (decoded) key, and how many containers
// enclose the target (the nesting level a value put there ends up at). Nothing when the
// path is not a pointer or an intermediate step is missing or not a container.
struct location {
  json* container = nullptr;
  std::string key;
  std::size_t level = 0;
};

std::optional<location> find_object(json& doc, std::string_view path) {
  if (path.empty() || path.front() != '/')
    return std::nullopt;
  std::vector<std::string_view> parts;
  std::size_t start = 1;
  for (;;) {
    auto slash = path.find('/', start);
    parts.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos)
      break;
    start = slash + 1;
  }
  json* cur = &doc;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    auto key = decode_key(parts[i]);
    json* next = nullptr;
    if (cur->is_object()) {
      auto it = cur->find(key);
      if (it != cur->end())
        next = &*it;
    } else if (cur->is_array()) {
      std::int64_t idx = 0;
      std::string ignored;
      if (go_atoi(key, idx, ignored) && idx >= 0 && static_cast<std::uint64_t>(idx) < cur->size())
        next = &(*cur)[static_cast<std::size_t>(idx)];
    }
    if (next == nullptr || !next->is_structured())
      return std::nullopt;
    cur = next;
  }
  return location{cur, decode_key(parts.back()), parts.size()};
}

// partialDoc / partialArray operations; an empty string means success.
std::string container_add(json& c, const std::string& key, json value) {
  if (c.is_object()) {
    c[key] = std::move(value);
    return {};
  }
  if (key == "-") {
    c.push_back(std::move(value));
    return {};
  }
  std::int64_t idx = 0;
  std::string err;
  if (!go_atoi(key, idx, err))
    return "value was not a proper array index: '" + key + "': " + err;
  auto size = static_cast<std::int64_t>(c.size()) + 1;
  if (idx >= size || idx < -size)
    return invalid_index(idx);
  if (idx < 0)
    idx += size;
  c.insert(c.begin() + static_cast<std::ptrdiff_t>(idx), std::move(value));
  return {};
}

std::string container_remove(json& c, const std::string& key) {
  if (c.is_object()) {
    if (c.erase(key) == 0)
      return "Unable to remove nonexistent key: " + key + ": missing value";
    return {};
  }
  std::int64_t idx = 0;
  std::string err;
  if (!go_atoi(key, idx, err))
    return err;
  auto size = static_cast<std::int64_t>(c.size());
  if (idx >= size || idx < -size)
    return invalid_index(idx);
  if (idx < 0)
    idx += size;
  c.erase(static_cast<std::size_t>(idx));
  return {};
}

// The value at key: nullptr for a missing object member (not an error, as in Go);
// arrays need a valid index (Go panics on negative ones; here they are invalid).
json* container_get(json& c, const std::string& key, std::string& err) {
  if (c.is_object()) {
    auto it = c.find(key);
    return it == c.end() ? nullptr : &*it;
  }
  std::int64_t idx = 0;
  if (!go_atoi(key, idx, err))
    return nullptr;
  if (idx < 0 || static_cast<std::uint64_t>(idx) >= c.size()) {
    err = invalid_index(idx);
    return nullptr;
  }
  return &c[static_cast<std::size_t>(idx)];
}

// Operation.Path() / Operation.From(): the member as a string, or Go's error.
std::optional<std::string> string_member(const json& op, const char* name, std::string& err) {
  auto it = op.find(name);
  if (it == op.end() || it->is_null()) {
    err = std::string_view(name) == "path" ? "operation missing path field: missing value"
                                           : "operation, missing from field: missing value";
    return std::nullopt;
  }
  if (!it->is_string()) {
    err = std::string("json: cannot unmarshal ") + detail::go_json_type(*it) + " into Go value of type string";
    return std::nullopt;
  }
  return it->get<std::string>();
}

class patcher {
public:
  explicit patcher(json doc) : doc_(std::move(doc)) {}

  json take() && { return std::move(doc_); }

  // One operation; an empty string on success, else the message (all 422).
  std::string apply(const json& op) {
    std::string kind = "unknown";
    if (op.is_object()) {
      auto it = op.find("op");
      if (it != op.end() && it->is_string())
        kind = it->get<std::string>();
    }
    if (kind == "add")
      return add(op);
    if (kind == "remove")
      return remove(op);
    if (kind == "replace")
      return replace(op);
    if (kind == "move")
      return move(op);
    if (kind == "test")
      return test(op);
    if (kind == "copy")
      return copy(op);
    return "Unexpected kind: " + kind;
  }

private:
  static json value_of(const json& op) {
    auto it = op.find("value");
    return it == op.end() ? json() : *it;
  }

  static std::string too_deep(std::string_view op, const std::string& path) {
    return std::string(op) + " operation at path '" + path + "' would nest the object deeper than "
           + std::to_string(api::default_max_json_depth) + " levels";
  }

  std::string add(const json& op) {
    std::string err;
    auto path = string_member(op, "path", err);
    if (!path)
      return "add operation failed to decode path: missing value";
    auto loc = find_object(doc_, *path);
    if (!loc)
      return "add operation does not apply: doc is missing path: \"" + *path + "\": missing value";
    json value = value_of(op);
    if (loc->level + detail::json_depth(value) > api::default_max_json_depth)
      return too_deep("add", *path);
    if (auto e = container_add(*loc->container, loc->key, std::move(value)); !e.empty())
      return "error in add for path: '" + *path + "': " + e;
    return {};
  }

  std::string remove(const json& op) {
    std::string err;
    auto path = string_member(op, "path", err);
    if (!path)
      return "remove operation failed to decode path: missing value";
    auto loc = find_object(doc_, *path);
    if (!loc)
      return "remove operation does not apply: doc is missing path: \"" + *path + "\": missing value";
    if (auto e = container_remove(*loc->container, loc->key); !e.empty())
      return "error in remove for path: '" + *path + "': " + e;
    return {};
  }

  std::string replace(const json& op) {
    std::string err;
    auto path = string_member(op, "path", err);
    if (!path)
      return "replace operation failed to decode path: " + err;
    auto loc = find_object(doc_, *path);
    if (!loc)
      return "replace operation does not apply: doc is missing path: " + *path + ": missing value";
    json* target = container_get(*loc->container, loc->key, err);
    if (!err.empty())
      return "replace operation does not apply: doc is missing key: " + *path + ": missing value";
    json value = value_of(op);
    if (loc->level + detail::json_depth(value) > api::default_max_json_depth)
      return too_deep("replace", *path);
    if (target != nullptr)
      *target = std::move(value);
    else
      (*loc->container)[loc->key] = std::move(value); // evanphx v4 adds a missing member
    return {};
  }

  std::string move(const json& op) {
    std::string err;
    auto from = string_member(op, "from", err);
    if (!from)
      return "move operation failed to decode from: " + err;
    auto src = find_object(doc_, *from);
    if (!src)
      return "move operation does not apply: doc is missing from path: " + *from + ": missing value";
    json* value = container_get(*src->container, src->key, err);
    if (!err.empty())
      return "error in move for path: '" + src->key + "': " + err;
    json moved = value != nullptr ? std::move(*value) : json();
    if (auto e = container_remove(*src->container, src->key); !e.empty())
      return "error in move for path: '" + src->key + "': " + e;
    auto path = string_member(op, "path", err);
    if (!path)
      return "move operation failed to decode path: " + err;
    auto dst = find_object(doc_, *path);
    if (!dst)
      return "move operation does not apply: doc is missing destination path: " + *path + ": missing value";
    if (dst->level + detail::json_depth(moved) > api::default_max_json_depth)
      return too_deep("move", *path);
    if (auto e = container_add(*dst->container, dst->key, std::move(moved)); !e.empty())
      return "error in move for path: '" + *path + "': " + e;
    return {};
  }

  std::string test(const json& op) {
    std::string err;
    auto path = string_member(op, "path", err);
    if (!path)
      return "test operation failed to decode path: " + err;
    auto loc = find_object(doc_, *path);
    if (!loc)
      return "test operation does not apply: is missing path: " + *path + ": missing value";
    const json* actual = container_get(*loc->container, loc->key, err);
    if (!err.empty())
      return "error in test for path: '" + *path + "': " + err;
    auto expected = op.find("value");
    bool has_expected = expected != op.end();
    if (actual == nullptr) {
      if (!has_expected || expected->is_null())
        return {};
    } else if (has_expected && *actual == *expected) {
      return {};
    }
    return "testing value " + *path + " failed: test failed";
  }

  std::string copy(const json& op) {
    std::string err;
    auto from = string_member(op, "from", err);
    if (!from)
      return "copy operation failed to decode from: " + err;
    auto src = find_object(doc_, *from);
    if (!src)
      return "copy operation does not apply: doc is missing from path: " + *from + ": missing value";
    const json* value = container_get(*src->container, src->key, err);
    if (!err.empty())
      return "error in copy for from: '" + *from + "': " + err;
    if (value == nullptr)
      return "copy operation does not apply: doc is missing from path: " + *from + ": missing value";
    json copied = *value; // copy before the document changes under the pointer
    auto path = string_member(op, "path", err);
    if (!path)
      return "copy operation failed to decode path: missing value";
    auto dst = find_object(doc_, *path);
    if (!dst)
      return "copy operation does not apply: doc is missing destination path: " + *path + ": missing value";
    if (dst->level + detail::json_depth(copied) > api::default_max_json_depth)
      return too_deep("copy", *path);
    copied_bytes_ += copied.dump().size();
    if (copied_bytes_ > max_json_patch_copy_bytes)
      return "Unable to complete the copy, the accumulated size increase of copy is "
             + std::to_string(copied_bytes_) + ", exceeding the limit "
             + std::to_string(max_json_patch_copy_bytes);
    if (auto e = container_add(*dst->container, dst->key, std::move(copied)); !e.empty())
      return "error while adding value during copy: " + e;
    return {};
  }

  json doc_;
  std::size_t copied_bytes_ = 0;
};

} // namespace

patch_result<json> apply_json_patch(const json& original, const json& patch) {
  if (patch.is_null())
    return original; // Go decodes `null` as an empty patch
  if (!patch.is_array())
    return bad_request_error(std::string("json: cannot unmarshal ") + detail::go_json_type(patch)
                             + " into Go value of type jsonpatch.Patch");
  for (const auto& op : patch)
    if (!op.is_object() && !op.is_null())
      return bad_request_error(std::string("json: cannot unmarshal ") + detail::go_json_type(op)
                               + " into Go value of type jsonpatch.Operation");
  if (patch.size() > max_json_patch_operations)
    return patch_error{patch_errc::request_entity_too_large,
                       "Request entity too large: The allowed maximum operations in a JSON patch is "
                         + std::to_string(max_json_patch_operations) + ", got " + std::to_string(patch.size())};
  patcher p{original};
  for (const auto& op : patch)
    if (auto err = p.apply(op); !err.empty())
      return invalid_error(std::move(err));
  return std::move(p).take();
}

} // namespace podvisor::kube::apiserver
