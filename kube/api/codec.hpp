#pragma once
// The one description of every API type drives three things: JSON decoding (with
// field-path errors instead of exceptions, and unknown fields kept), JSON encoding, and
// the OpenAPI v3 schema the API server publishes. A type takes part by providing, next
// to its definition,
//
//   template <class F> void describe(F& f, disk& x) {
//     f("name", x.name, {.required = true, .doc = "Name of the disk; matches a volume."});
//     f("disk", x.disk);
//     ...
//   }
//
// and, to keep fields this version does not know, a member `unknown_fields unknown;`.
//
// Mapping from KubeVirt's Go types: a Go pointer (`*T`) becomes `std::optional<T>` (its
// presence is kept through a round trip); plain strings, numbers, booleans, slices and
// maps are omitted when empty, as Go's `omitempty` does; nested non-pointer structs are
// omitted when they encode to `{}`. Fields marked `required` are always written.
//
// Leaf types with their own wire form (quantities, timestamps) specialize `json_leaf<T>`.

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/api/enum_table.hpp"
#include "kube/api/field_error.hpp"

namespace podvisor::kube::api {

using json = nlohmann::json;

/// Members of a JSON object that this version of the types does not know. Kept so that
/// reading an object and writing it back loses nothing a newer writer put there.
struct unknown_fields {
  json members = json::object();
  bool empty() const { return members.empty(); }
  friend bool operator==(const unknown_fields&, const unknown_fields&) = default;
};

/// Per-field options given in `describe`.
struct field_options {
  /// Always written, even when empty; listed as required in the schema.
  bool required = false;
  /// Shown by `kubectl explain`.
  std::string_view doc = {};
};

/// Customization point for leaf types with their own wire form. A specialization provides
///   static bool decode(const json& j, T& out, std::string& why);  // false + why on error
///   static json encode(const T& value);
///   static bool empty(const T& value);
///   static json schema();
template <class T>
struct json_leaf;

template <class T>
concept leaf_type = requires { json_leaf<T>::schema(); };

/// The result of decoding: the value, every error found (with field paths), and the paths
/// of members that were not recognised (kept in `unknown`, reported for strict decoding).
template <class T>
struct decoded {
  T value{};
  field_errors errors;
  std::vector<std::string> unknown;
  bool ok() const { return errors.empty(); }
};

namespace detail {

struct probe_visitor {
  template <class M>
  void operator()(std::string_view, M&, field_options = {}) {}
};

template <class T>
concept described = requires(probe_visitor& f, T& x) { describe(f, x); };

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct is_string_map : std::false_type {};
template <class T, class C, class A>
struct is_string_map<std::map<std::string, T, C, A>> : std::true_type {};

template <class T>
struct is_enum_field : std::false_type {};
template <class E>
struct is_enum_field<enum_field<E>> : std::true_type {};

inline std::string child_path(const std::string& path, std::string_view name) {
  if (path.empty())
    return std::string(name);
  std::string out;
  out.reserve(path.size() + 1 + name.size());
  out += path;
  out += '.';
  out += name;
  return out;
}

inline std::string index_path(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

inline std::string key_path(const std::string& path, std::string_view key) {
  std::string out = path;
  out += '[';
  out += key;
  out += ']';
  return out;
}

/// A short rendering of a JSON value for an error message (long strings are cut so an
/// absurd input cannot make an absurd message).
std::string render_value(const json& j);

/// The JSON type name used in "must be of type ..." messages.
std::string_view json_type_name(const json& j);

struct decode_ctx {
  field_errors& errors;
  std::vector<std::string>& unknown;

  void type_error(const std::string& path, const json& j, std::string_view want) {
    errors.push_back({field_error_type::type_invalid, path.empty() ? std::string("<root>") : path,
                      render_value(j), "must be of type " + std::string(want)});
  }
  void invalid(const std::string& path, const json& j, std::string why) {
    errors.push_back({field_error_type::invalid, path.empty() ? std::string("<root>") : path,
                      render_value(j), std::move(why)});
  }
};

template <class T>
void decode_value(const json& j, T& out, const std::string& path, decode_ctx& ctx);

class decoder {
public:
  decoder(const json& obj, const std::string& path, decode_ctx& ctx)
    : obj_(obj), path_(path), ctx_(ctx) {}

  template <class M>
  void operator()(std::string_view name, M& member, field_options = {}) {
    seen_.push_back(name);
    auto it = obj_.find(name);
    if (it == obj_.end() || it->is_null())
      return; // absent and null both mean "not set", as in Go
    decode_value(*it, member, child_path(path_, name), ctx_);
  }

  /// Moves every member not named by `describe` into `unknown`.
  void collect_unknown(unknown_fields* unknown) {
    for (auto it = obj_.begin(); it != obj_.end(); ++it) {
      bool known = false;
      for (auto name : seen_)
        if (name == it.key()) {
          known = true;
          break;
        }
      if (known)
        continue;
      ctx_.unknown.push_back(child_path(path_, it.key()));
      if (unknown != nullptr)
        unknown->members[it.key()] = it.value();
    }
  }

private:
  const json& obj_;
  const std::string& path_;
  decode_ctx& ctx_;
  std::vector<std::string_view> seen_;
};

template <class T>
void decode_integer(const json& j, T& out, const std::string& path, decode_ctx& ctx) {
  if (j.is_number_unsigned()) {
    auto v = j.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
      ctx.invalid(path, j, "must be at most " + std::to_string(std::numeric_limits<T>::max()));
      return;
    }
    out = static_cast<T>(v);
    return;
  }
  if (j.is_number_integer()) {
    auto v = j.get<std::int64_t>();
    if constexpr (std::is_unsigned_v<T>) {
      if (v < 0) {
        ctx.invalid(path, j, "must be greater than or equal to 0");
        return;
      }
      if (static_cast<std::uint64_t>(v) > std::numeric_limits<T>::max()) {
        ctx.invalid(path, j, "must be at most " + std::to_string(std::numeric_limits<T>::max()));
        return;
      }
    } else {
      if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
        ctx.invalid(path, j,
                    "must be between " + std::to_string(std::numeric_limits<T>::min()) + " and "
                      + std::to_string(std::numeric_limits<T>::max()));
        return;
      }
    }
    out = static_cast<T>(v);
    return;
  }
  ctx.type_error(path, j, "integer");
}

template <class T>
void decode_value(const json& j, T& out, const std::string& path, decode_ctx& ctx) {
  if constexpr (std::is_same_v<T, json>) {
    out = j;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string())
      return ctx.type_error(path, j, "string");
    out = j.get_ref<const std::string&>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean())
      return ctx.type_error(path, j, "boolean");
    out = j.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    decode_integer(j, out, path, ctx);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!j.is_number())
      return ctx.type_error(path, j, "number");
    out = j.get<T>();
  } else if constexpr (is_enum_field<T>::value) {
    if (!j.is_string())
      return ctx.type_error(path, j, "string");
    out.set_raw(j.get<std::string>());
  } else if constexpr (is_optional<T>::value) {
    out.emplace();
    decode_value(j, *out, path, ctx);
  } else if constexpr (is_vector<T>::value) {
    if (!j.is_array())
      return ctx.type_error(path, j, "array");
    out.clear();
    out.resize(j.size());
    for (std::size_t i = 0; i < j.size(); ++i)
      decode_value(j[i], out[i], index_path(path, i), ctx);
  } else if constexpr (is_string_map<T>::value) {
    if (!j.is_object())
      return ctx.type_error(path, j, "object");
    out.clear();
    for (auto it = j.begin(); it != j.end(); ++it)
      decode_value(it.value(), out[it.key()], key_path(path, it.key()), ctx);
  } else if constexpr (leaf_type<T>) {
    std::string why;
    if (!json_leaf<T>::decode(j, out, why))
      ctx.invalid(path, j, std::move(why));
  } else if constexpr (described<T>) {
    if (!j.is_object())
      return ctx.type_error(path, j, "object");
    decoder d{j, path, ctx};
    describe(d, out);
    if constexpr (requires { out.unknown; })
      d.collect_unknown(&out.unknown);
    else
      d.collect_unknown(nullptr);
  } else {
    static_assert(sizeof(T) == 0, "type has no JSON description");
  }
}

template <class T>
json encode_value(const T& value);

template <class T>
bool is_empty_value(const T& value) {
  if constexpr (std::is_same_v<T, json>)
    return value.is_null();
  else if constexpr (std::is_same_v<T, std::string>)
    return value.empty();
  else if constexpr (std::is_same_v<T, bool>)
    return !value;
  else if constexpr (std::is_arithmetic_v<T>)
    return value == T{};
  else if constexpr (is_enum_field<T>::value)
    return value.empty();
  else if constexpr (is_optional<T>::value)
    return !value.has_value();
  else if constexpr (is_vector<T>::value || is_string_map<T>::value)
    return value.empty();
  else if constexpr (leaf_type<T>)
    return json_leaf<T>::empty(value);
  else
    return false; // structs: decided after encoding (an empty object is omitted)
}

class encoder {
public:
  explicit encoder(json& out) : out_(out) {}

  template <class M>
  void operator()(std::string_view name, M& member, field_options opts = {}) {
    if (!opts.required && is_empty_value(member))
      return;
    json value = encode_value(member);
    if (!opts.required && value.is_object() && value.empty() && described<M>)
      return;
    out_[std::string(name)] = std::move(value);
  }

private:
  json& out_;
};

template <class T>
json encode_value(const T& value) {
  if constexpr (std::is_same_v<T, json>) {
    return value;
  } else if constexpr (std::is_same_v<T, std::string> || std::is_arithmetic_v<T>) {
    return json(value);
  } else if constexpr (is_enum_field<T>::value) {
    return json(value.raw());
  } else if constexpr (is_optional<T>::value) {
    return value ? encode_value(*value) : json();
  } else if constexpr (is_vector<T>::value) {
    json out = json::array();
    for (const auto& item : value)
      out.push_back(encode_value(item));
    return out;
  } else if constexpr (is_string_map<T>::value) {
    json out = json::object();
    for (const auto& [key, item] : value)
      out[key] = encode_value(item);
    return out;
  } else if constexpr (leaf_type<T>) {
    return json_leaf<T>::encode(value);
  } else if constexpr (described<T>) {
    json out = json::object();
    if constexpr (requires { value.unknown; })
      out = value.unknown.members;
    encoder e{out};
    // describe() takes a mutable reference so that one function serves decoding too; the
    // encoder only reads through it.
    describe(e, const_cast<T&>(value));
    return out;
  } else {
    static_assert(sizeof(T) == 0, "type has no JSON description");
  }
}

template <class T>
json schema_of();

class schema_builder {
public:
  template <class M>
  void operator()(std::string_view name, M&, field_options opts = {}) {
    json s = schema_of<M>();
    if (!opts.doc.empty())
      s["description"] = std::string(opts.doc);
    properties_[std::string(name)] = std::move(s);
    if (opts.required)
      required_.push_back(std::string(name));
  }

  json finish() && {
    json out = {{"type", "object"}, {"properties", std::move(properties_)}};
    if (!required_.empty())
      out["required"] = std::move(required_);
    return out;
  }

private:
  json properties_ = json::object();
  json required_ = json::array();
};

template <class T>
json schema_of() {
  if constexpr (std::is_same_v<T, json>) {
    return {{"x-kubernetes-preserve-unknown-fields", true}};
  } else if constexpr (std::is_same_v<T, std::string>) {
    return {{"type", "string"}};
  } else if constexpr (std::is_same_v<T, bool>) {
    return {{"type", "boolean"}};
  } else if constexpr (std::is_integral_v<T>) {
    return {{"type", "integer"}, {"format", sizeof(T) <= 4 ? "int32" : "int64"}};
  } else if constexpr (std::is_floating_point_v<T>) {
    return {{"type", "number"}, {"format", "double"}};
  } else if constexpr (is_enum_field<T>::value) {
    json names = json::array();
    for (const auto& entry : enum_table<typename decltype(std::declval<T>().value())::value_type>::entries)
      names.push_back(std::string(entry.name));
    return {{"type", "string"}, {"enum", std::move(names)}};
  } else if constexpr (is_optional<T>::value) {
    return schema_of<typename T::value_type>();
  } else if constexpr (is_vector<T>::value) {
    return {{"type", "array"}, {"items", schema_of<typename T::value_type>()}};
  } else if constexpr (is_string_map<T>::value) {
    return {{"type", "object"}, {"additionalProperties", schema_of<typename T::mapped_type>()}};
  } else if constexpr (leaf_type<T>) {
    return json_leaf<T>::schema();
  } else if constexpr (described<T>) {
    T dummy{};
    schema_builder b;
    describe(b, dummy);
    return std::move(b).finish();
  } else {
    static_assert(sizeof(T) == 0, "type has no JSON description");
  }
}

} // namespace detail

/// Decodes `j` into a T, collecting every field error and every unknown member.
/// Never throws; on errors the value is filled as far as it could be.
template <class T>
decoded<T> decode(const json& j) {
  decoded<T> result;
  detail::decode_ctx ctx{result.errors, result.unknown};
  detail::decode_value(j, result.value, std::string(), ctx);
  return result;
}

/// Encodes a value; unknown members kept at decode time are written back.
template <class T>
json encode(const T& value) {
  return detail::encode_value(value);
}

/// The OpenAPI v3 schema of a type, generated from its description.
template <class T>
json schema() {
  return detail::schema_of<T>();
}

} // namespace podvisor::kube::api
