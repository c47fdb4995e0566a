#include "kube/api/yaml_scalar.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

// The JSON side of YAML scalars: what Go's encoder would write for go-yaml's values, and
// how sigs.k8s.io/yaml turns non-string keys into strings.

namespace podvisor::kube::api {

namespace {

// The integer a JSON reader sees where Go's encoder wrote the float `f`: Go prints whole
// floats below 1e21 in plain notation with their shortest round-trip digits, so above
// 2^53 the text ("9223372036854776000" for 2^63) is not the double's exact value.
std::optional<nlohmann::json> go_json_whole_number(double f) {
  if (f != std::trunc(f) || std::fabs(f) >= 1e21)
    return std::nullopt;
  if (std::fabs(f) < 9007199254740992.0) // 2^53: every such whole double prints exactly
    return nlohmann::json(static_cast<std::int64_t>(f));
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, std::fabs(f), std::chars_format::scientific);
  if (ec != std::errc())
    return std::nullopt;
  std::string_view sci(buf, static_cast<std::size_t>(end - buf)); // "9.223372036854776e+18"
  auto e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.')
      digits.push_back(c);
  int exponent = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exponent);
  auto zeros = exponent + 1 - static_cast<int>(digits.size());
  if (zeros < 0)
    return std::nullopt;
  digits.append(static_cast<std::size_t>(zeros), '0');
  std::uint64_t magnitude = 0;
  auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
  if (parsed.ec != std::errc())
    return std::nullopt; // beyond uint64: stays a double, as a JSON reader would keep it
  constexpr auto int64_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (f < 0) {
    if (magnitude > int64_max)
      return std::nullopt;
    return nlohmann::json(-static_cast<std::int64_t>(magnitude));
  }
  if (magnitude <= int64_max)
    return nlohmann::json(static_cast<std::int64_t>(magnitude));
  return nlohmann::json(magnitude);
}

} // namespace

bool yaml_scalar_to_json(const yaml_scalar& scalar, nlohmann::json& out, std::string& error) {
  switch (scalar.type) {
  case yaml_scalar::kind::null:
    out = nullptr;
    return true;
  case yaml_scalar::kind::boolean:
    out = scalar.boolean;
    return true;
  case yaml_scalar::kind::integer:
    out = scalar.integer;
    return true;
  case yaml_scalar::kind::unsigned_integer:
    out = scalar.unsigned_integer;
    return true;
  case yaml_scalar::kind::big_integer:
    out = scalar.floating; // JSON numbers beyond uint64 are doubles here, as nlohmann reads them
    return true;
  case yaml_scalar::kind::floating: {
    double f = scalar.floating;
    if (std::isnan(f) || std::isinf(f)) {
      error = std::string("json: unsupported value: ") + (std::isnan(f) ? "NaN" : (f > 0 ? "+Inf" : "-Inf"));
      return false;
    }
    // Go's encoder writes whole floats without a fraction ("1000", not "1000.0"), so a
    // typed decoder downstream reads them as integers; keep that distinction.
    if (auto whole = go_json_whole_number(f)) {
      out = std::move(*whole);
      return true;
    }
    out = f;
    return true;
  }
  case yaml_scalar::kind::string: {
    std::string text = scalar.string;
    sanitize_utf8(text);
    out = std::move(text);
    return true;
  }
  }
  return false;
}

namespace {

// strconv.FormatFloat(f, 'g', -1, 32): shortest float32 digits, exponent form when the
// decimal exponent is below -4 or at least 6.
std::string go_format_float32(double f) {
  if (std::isnan(f))
    return ".nan";
  constexpr double round_to_inf = 3.4028235677973366e38; // float32 max + half an ulp
  if (std::fabs(f) >= round_to_inf)
    return f > 0 ? ".inf" : "-.inf";
  float v = std::fabs(f) > std::numeric_limits<float>::max()
              ? std::copysign(std::numeric_limits<float>::max(), static_cast<float>(f))
              : static_cast<float>(f);
  char buf[64];
  auto sci = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string scientific(buf, sci.ptr);
  auto e = scientific.find('e');
  int exponent = std::stoi(scientific.substr(e + 1));
  if (exponent < -4 || exponent >= 6)
    return scientific;
  auto fixed = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, fixed.ptr);
}

} // namespace

bool yaml_scalar_to_key(const yaml_scalar& scalar, std::string& out, std::string& error) {
  switch (scalar.type) {
  case yaml_scalar::kind::string:
    out = scalar.string;
    sanitize_utf8(out);
    return true;
  case yaml_scalar::kind::integer:
    out = std::to_string(scalar.integer);
    return true;
  case yaml_scalar::kind::boolean:
    out = scalar.boolean ? "true" : "false";
    return true;
  case yaml_scalar::kind::floating:
    out = go_format_float32(scalar.floating);
    return true;
  case yaml_scalar::kind::null:
    error = "unsupported map key of type: <nil>";
    return false;
  case yaml_scalar::kind::unsigned_integer:
    error = "unsupported map key of type: uint64";
    return false;
  case yaml_scalar::kind::big_integer:
    error = "unsupported map key of type: *big.Int";
    return false;
  }
  return false;
}

void sanitize_utf8(std::string& text) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  std::size_t i = 0;
  // Fast path: most text is valid; only rebuild the string from the first bad byte.
  std::string out;
  bool rebuilt = false;
  while (i < text.size()) {
    unsigned char c = byte(i);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool valid = len != 0 && i + len <= text.size();
    for (std::size_t k = 1; valid && k < len; ++k)
      valid = (byte(i + k) & 0xC0) == 0x80;
    if (valid && len > 1) {
      // Reject overlong forms, surrogates and code points past U+10FFFF.
      unsigned cp = len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
      for (std::size_t k = 1; k < len; ++k)
        cp = (cp << 6) | (byte(i + k) & 0x3Fu);
      valid = (len == 2 && cp >= 0x80) || (len == 3 && cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF))
              || (len == 4 && cp >= 0x10000 && cp <= 0x10FFFF);
    }
    if (!valid && !rebuilt) {
      out.assign(text, 0, i);
      rebuilt = true;
    }
    if (rebuilt) {
      if (valid)
        out.append(text, i, len);
      else
        out += "\xEF\xBF\xBD";
    }
    i += valid ? len : 1;
  }
  if (rebuilt)
    text = std::move(out);
}

} // namespace podvisor::kube::api
