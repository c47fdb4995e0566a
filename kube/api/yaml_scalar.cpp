#include "kube/api/yaml_scalar.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

namespace podvisor::kube::api {

namespace {

constexpr std::string_view long_tag_prefix = "tag:yaml.org,2002:";

// go-yaml v2's resolve map: the only spellings of booleans, nulls and special floats.
struct special_scalar {
  std::string_view text;
  yaml_scalar::kind type;
  bool boolean;
  double floating;
};

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr special_scalar specials[] = {
  {"y", yaml_scalar::kind::boolean, true, 0},      {"Y", yaml_scalar::kind::boolean, true, 0},
  {"yes", yaml_scalar::kind::boolean, true, 0},    {"Yes", yaml_scalar::kind::boolean, true, 0},
  {"YES", yaml_scalar::kind::boolean, true, 0},    {"true", yaml_scalar::kind::boolean, true, 0},
  {"True", yaml_scalar::kind::boolean, true, 0},   {"TRUE", yaml_scalar::kind::boolean, true, 0},
  {"on", yaml_scalar::kind::boolean, true, 0},     {"On", yaml_scalar::kind::boolean, true, 0},
  {"ON", yaml_scalar::kind::boolean, true, 0},     {"n", yaml_scalar::kind::boolean, false, 0},
  {"N", yaml_scalar::kind::boolean, false, 0},     {"no", yaml_scalar::kind::boolean, false, 0},
  {"No", yaml_scalar::kind::boolean, false, 0},    {"NO", yaml_scalar::kind::boolean, false, 0},
  {"false", yaml_scalar::kind::boolean, false, 0}, {"False", yaml_scalar::kind::boolean, false, 0},
  {"FALSE", yaml_scalar::kind::boolean, false, 0}, {"off", yaml_scalar::kind::boolean, false, 0},
  {"Off", yaml_scalar::kind::boolean, false, 0},   {"OFF", yaml_scalar::kind::boolean, false, 0},
  {"", yaml_scalar::kind::null, false, 0},         {"~", yaml_scalar::kind::null, false, 0},
  {"null", yaml_scalar::kind::null, false, 0},     {"Null", yaml_scalar::kind::null, false, 0},
  {"NULL", yaml_scalar::kind::null, false, 0},     {".nan", yaml_scalar::kind::floating, false, nan},
  {".NaN", yaml_scalar::kind::floating, false, nan}, {".NAN", yaml_scalar::kind::floating, false, nan},
  {".inf", yaml_scalar::kind::floating, false, inf}, {".Inf", yaml_scalar::kind::floating, false, inf},
  {".INF", yaml_scalar::kind::floating, false, inf}, {"+.inf", yaml_scalar::kind::floating, false, inf},
  {"+.Inf", yaml_scalar::kind::floating, false, inf}, {"+.INF", yaml_scalar::kind::floating, false, inf},
  {"-.inf", yaml_scalar::kind::floating, false, -inf}, {"-.Inf", yaml_scalar::kind::floating, false, -inf},
  {"-.INF", yaml_scalar::kind::floating, false, -inf},
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// go-yaml's first-character hint: which resolutions a plain scalar can possibly have.
char hint_of(std::string_view in) {
  if (in.empty())
    return 'N';
  char c = in[0];
  if (c == '+' || c == '-')
    return 'S';
  if (is_digit(c))
    return 'D';
  if (std::string_view("yYnNtTfFoO~").find(c) != std::string_view::npos)
    return 'M';
  if (c == '.')
    return '.';
  return 0;
}

enum class int_status { ok, syntax, range };

// strconv.ParseUint(s, 0, 64) on text without underscores: base from the prefix (0x, 0o,
// 0b, or a leading 0 for octal), then digits of that base only.
int_status parse_go_uint(std::string_view s, std::uint64_t& out, double* approx = nullptr) {
  if (s.empty())
    return int_status::syntax;
  unsigned base = 10;
  if (s[0] == '0' && s.size() > 1) {
    char p = static_cast<char>(s[1] | 0x20);
    if (s.size() >= 3 && (p == 'b' || p == 'o' || p == 'x')) {
      base = p == 'b' ? 2 : (p == 'o' ? 8 : 16);
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  std::uint64_t value = 0;
  double estimate = 0;
  bool overflow = false;
  for (char c : s) {
    unsigned digit;
    if (is_digit(c))
      digit = static_cast<unsigned>(c - '0');
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
      digit = static_cast<unsigned>((c | 0x20) - 'a' + 10);
    else
      return int_status::syntax;
    if (digit >= base)
      return int_status::syntax;
    estimate = estimate * base + digit;
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / base)
      overflow = true;
    else
      value = value * base + digit;
  }
  if (approx != nullptr)
    *approx = estimate;
  if (overflow)
    return int_status::range;
  out = value;
  return int_status::ok;
}

// strconv.ParseInt(s, 0, 64): an optional sign, then as ParseUint, within int64.
int_status parse_go_int(std::string_view s, std::int64_t& out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::uint64_t magnitude = 0;
  auto status = parse_go_uint(s, magnitude);
  if (status != int_status::ok)
    return status;
  constexpr auto limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (magnitude > limit + (negative ? 1 : 0))
    return int_status::range;
  out = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
  return int_status::ok;
}

// go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool is_yaml_style_float(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    auto start = i;
    while (i < s.size() && is_digit(s[i]))
      ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-'))
    ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0)
      return false;
  } else {
    if (digits() == 0)
      return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-'))
      ++i;
    if (digits() == 0)
      return false;
  }
  return i == s.size();
}

// strconv.ParseFloat on text of the yamlStyleFloat shape. Overflow is an error (go-yaml
// then keeps the text as a string); underflow gives zero, as in Go.
std::optional<double> parse_float(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ptr != s.data() + s.size())
    return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Order of magnitude of the text: the exponent plus the leading digit's position.
    auto e = s.find_first_of("eE");
    std::string_view mantissa = s.substr(0, e);
    long long order = 0;
    if (e != std::string_view::npos) {
      std::string_view exp = s.substr(e + 1);
      bool exp_negative = !exp.empty() && exp[0] == '-';
      if (!exp.empty() && (exp[0] == '+' || exp[0] == '-'))
        exp.remove_prefix(1);
      for (char c : exp)
        order = std::min(order * 10 + (c - '0'), 1'000'000'000LL);
      if (exp_negative)
        order = -order;
    }
    auto point = mantissa.find('.');
    auto int_len = static_cast<long long>(point == std::string_view::npos ? mantissa.size() : point);
    auto first = mantissa.find_first_not_of("0.");
    if (first == std::string_view::npos || order + int_len - static_cast<long long>(first) < 0)
      value = 0; // underflow
    else
      return std::nullopt;
  } else if (ec != std::errc()) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

// Go's strconv underscore rule for ParseFloat: only between digits.
bool go_underscores_ok(std::string_view s) {
  char saw = '^';
  for (char c : s) {
    if (is_digit(c)) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0')
        return false;
      saw = '_';
      continue;
    }
    if (saw == '_')
      return false;
    saw = '!';
  }
  return saw != '_';
}

std::string remove_underscores(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (c != '_')
      out.push_back(c);
  return out;
}

// Timestamps ("2001-12-14", "2001-12-14T21:59:43Z") stay strings when decoded into an
// untyped value; only the explicit !!timestamp tag needs to know that one is there.
bool looks_like_timestamp(std::string_view s) {
  return s.size() >= 5 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3])
         && s[4] == '-';
}

bool decode_base64(std::string_view in, std::string& out) {
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z')
      return c - 'A';
    if (c >= 'a' && c <= 'z')
      return c - 'a' + 26;
    if (is_digit(c))
      return c - '0' + 52;
    if (c == '+')
      return 62;
    if (c == '/')
      return 63;
    return -1;
  };
  std::string clean;
  for (char c : in)
    if (c != '\n' && c != '\r')
      clean.push_back(c);
  if (clean.size() % 4 != 0)
    return false;
  out.clear();
  for (std::size_t i = 0; i < clean.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = clean[i + static_cast<std::size_t>(k)];
      if (c == '=' && i + 4 == clean.size() && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0 || (v[k] = value_of(c)) < 0)
        return false;
    }
    unsigned bits = (static_cast<unsigned>(v[0]) << 18) | (static_cast<unsigned>(v[1]) << 12)
                    | (static_cast<unsigned>(v[2]) << 6) | static_cast<unsigned>(v[3]);
    out.push_back(static_cast<char>((bits >> 16) & 0xFF));
    if (pad < 2)
      out.push_back(static_cast<char>((bits >> 8) & 0xFF));
    if (pad < 1)
      out.push_back(static_cast<char>(bits & 0xFF));
  }
  return true;
}

std::string_view short_name(yaml_scalar::kind type) {
  switch (type) {
  case yaml_scalar::kind::null:
    return "!!null";
  case yaml_scalar::kind::boolean:
    return "!!bool";
  case yaml_scalar::kind::integer:
  case yaml_scalar::kind::unsigned_integer:
  case yaml_scalar::kind::big_integer:
    return "!!int";
  case yaml_scalar::kind::floating:
    return "!!float";
  case yaml_scalar::kind::string:
    return "!!str";
  }
  return "!!str";
}

// go-yaml's resolve() for a plain scalar, or for one with an explicit core tag.
void resolve_plain(std::string_view in, bool try_timestamp, yaml_scalar& out) {
  out = yaml_scalar{};
  char hint = hint_of(in);
  if (hint == 0) {
    out.string = std::string(in);
    return;
  }
  for (const auto& special : specials) {
    if (special.text == in) {
      out.type = special.type;
      out.boolean = special.boolean;
      out.floating = special.floating;
      return;
    }
  }
  if (hint == '.') {
    if (go_underscores_ok(in)) {
      auto plain = remove_underscores(in);
      if (is_yaml_style_float(plain))
        if (auto f = parse_float(plain)) {
          out.type = yaml_scalar::kind::floating;
          out.floating = *f;
          return;
        }
    }
  } else if (hint == 'D' || hint == 'S') {
    if (try_timestamp && looks_like_timestamp(in)) {
      out.string = std::string(in);
      return;
    }
    auto plain = remove_underscores(in);
    std::int64_t i = 0;
    if (parse_go_int(plain, i) == int_status::ok) {
      out.type = yaml_scalar::kind::integer;
      out.integer = i;
      return;
    }
    std::uint64_t u = 0;
    double approx = 0;
    auto unsigned_status = parse_go_uint(plain, u, &approx);
    if (unsigned_status == int_status::ok) {
      out.type = yaml_scalar::kind::unsigned_integer;
      out.unsigned_integer = u;
      return;
    }
    if (is_yaml_style_float(plain))
      if (auto f = parse_float(plain)) {
        out.type = yaml_scalar::kind::floating;
        out.floating = *f;
        return;
      }
    if (unsigned_status == int_status::range) {
      out.type = yaml_scalar::kind::big_integer;
      out.floating = approx;
      return;
    }
  }
  out.string = std::string(in);
}

} // namespace

bool resolve_yaml_scalar(std::string_view tag, std::string_view value, yaml_scalar& out,
                         std::string& error) {
  if (tag == yaml_plain_tag) {
    resolve_plain(value, true, out);
    return true;
  }
  if (tag.substr(0, long_tag_prefix.size()) != long_tag_prefix) {
    // "!" (quoted, block, or explicitly non-specific) and custom tags: a string.
    out = yaml_scalar{};
    out.string = std::string(value);
    return true;
  }
  auto name = tag.substr(long_tag_prefix.size());
  if (name == "binary") {
    out = yaml_scalar{};
    if (!decode_base64(value, out.string)) {
      error = "!!binary value contains invalid base64 data";
      return false;
    }
    return true;
  }
  if (name == "str" || !(name == "bool" || name == "int" || name == "float" || name == "null"
                         || name == "timestamp")) {
    out = yaml_scalar{};
    out.string = std::string(value);
    return true;
  }
  if (name == "timestamp") {
    if (!looks_like_timestamp(value)) {
      resolve_plain(value, false, out);
      error = "cannot decode " + std::string(short_name(out.type)) + " `" + std::string(value)
              + "` as a !!timestamp";
      return false;
    }
    out = yaml_scalar{};
    out.string = std::string(value);
    return true;
  }
  resolve_plain(value, false, out);
  auto got = short_name(out.type);
  if (got == "!!" + std::string(name))
    return true;
  if (name == "float" && out.type == yaml_scalar::kind::integer) {
    out.type = yaml_scalar::kind::floating;
    out.floating = static_cast<double>(out.integer);
    return true;
  }
  error = "cannot decode " + std::string(got) + " `" + std::string(value) + "` as a !!" + std::string(name);
  return false;
}

} // namespace podvisor::kube::api
