#include "kube/api/quantity.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace podvisor::kube::api {

namespace {

__extension__ using uint128 = unsigned __int128;

constexpr std::string_view numeric_error = "unable to parse numeric part of quantity";
constexpr std::string_view suffix_error = "unable to parse quantity's suffix";

// 10^38 < 2^128 - 1 < 10^39: every 38-digit magnitude fits, and so does any product of a
// magnitude and a power of ten that stays within 38 digits.
constexpr int max_digits = 38;
// Kubernetes keeps decimal exponents in an int32 and refuses larger ones.
constexpr std::int64_t max_exponent = std::numeric_limits<std::int32_t>::max();
constexpr std::string_view max_int64_digits = "9223372036854775807";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_suffix_char(char c) {
  return std::string_view("eEinumkKMGTP").find(c) != std::string_view::npos;
}

uint128 pow10(std::int64_t n) {
  uint128 result = 1;
  for (std::int64_t i = 0; i < n; ++i)
    result *= 10;
  return result;
}

int digit_count(uint128 v) {
  int n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

std::string to_decimal(uint128 v) {
  std::string out;
  do {
    out.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  return {out.rbegin(), out.rend()};
}

/// A suffix as Kubernetes' suffixer interprets it: the value is multiplied by base^exponent.
struct suffix_meaning {
  int base;
  std::int64_t exponent;
  quantity_format format;
};

constexpr std::array<std::string_view, 7> binary_suffixes = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
// Indexed by (exponent + 9) / 3 for exponents -9, -6, ..., 18.
constexpr std::array<std::string_view, 10> decimal_suffixes = {"n", "u", "m", "", "k",
                                                               "M", "G", "T", "P", "E"};

// strconv.ParseInt(s, 10, 64) narrowed to the int32 range Kubernetes accepts for exponents.
std::optional<std::int64_t> parse_exponent(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty())
    return std::nullopt;
  std::int64_t value = 0;
  for (char c : s) {
    if (!is_digit(c))
      return std::nullopt;
    value = value * 10 + (c - '0');
    if (value > max_exponent)
      return std::nullopt; // also stops the accumulator long before it could overflow
  }
  return negative ? -value : value;
}

std::optional<suffix_meaning> interpret_suffix(std::string_view s) {
  for (std::size_t i = 0; i < decimal_suffixes.size(); ++i)
    if (s == decimal_suffixes[i])
      return suffix_meaning{10, static_cast<std::int64_t>(i) * 3 - 9, quantity_format::decimal_si};
  for (std::size_t i = 1; i < binary_suffixes.size(); ++i)
    if (s == binary_suffixes[i])
      return suffix_meaning{2, static_cast<std::int64_t>(i) * 10, quantity_format::binary_si};
  if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
    auto exponent = parse_exponent(s.substr(1));
    if (!exponent)
      return std::nullopt;
    return suffix_meaning{10, *exponent, quantity_format::decimal_exponent};
  }
  return std::nullopt;
}

// Decimal digit strings carry the arithmetic of parsing: the input may have thousands of
// digits that only rounding or the BinarySI cap bring back into range.

void strip_trailing_zeros(std::string& digits, std::int64_t& exponent) {
  auto last = digits.find_last_not_of('0');
  auto zeros = digits.size() - (last + 1);
  digits.resize(last + 1);
  exponent += static_cast<std::int64_t>(zeros);
}

void increment(std::string& digits) {
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it != '9') {
      ++*it;
      return;
    }
    *it = '0';
  }
  digits.insert(digits.begin(), '1');
}

void multiply(std::string& digits, unsigned factor) {
  unsigned carry = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    unsigned v = static_cast<unsigned>(*it - '0') * factor + carry;
    *it = static_cast<char>('0' + v % 10);
    carry = v / 10;
  }
  std::string head;
  for (; carry != 0; carry /= 10)
    head.insert(head.begin(), static_cast<char>('0' + carry % 10));
  digits.insert(0, head);
}

// Rounds a non-zero value away from zero to a multiple of 10^-9, as ParseQuantity does
// ("if you want some resources, you should get some resources").
void round_up_to_nano(std::string& digits, std::int64_t& exponent) {
  if (exponent >= -9)
    return;
  auto drop = -9 - exponent;
  exponent = -9;
  if (drop >= static_cast<std::int64_t>(digits.size())) {
    digits = "1";
    return;
  }
  // Trailing zeros were stripped, so the dropped part is never zero: always round up.
  digits.resize(digits.size() - static_cast<std::size_t>(drop));
  increment(digits);
  strip_trailing_zeros(digits, exponent);
}

bool exceeds_int64_max(const std::string& digits, std::int64_t exponent) {
  auto whole_digits = static_cast<std::int64_t>(digits.size()) + exponent;
  auto max_len = static_cast<std::int64_t>(max_int64_digits.size());
  if (whole_digits != max_len)
    return whole_digits > max_len;
  std::string whole = exponent >= 0 ? digits + std::string(static_cast<std::size_t>(exponent), '0')
                                    : digits.substr(0, max_int64_digits.size());
  if (whole != max_int64_digits)
    return whole > max_int64_digits;
  return exponent < 0; // equal whole part plus a fraction
}

} // namespace

quantity::quantity(uint128 magnitude, std::int64_t exponent, bool negative, quantity_format format)
  : magnitude_(magnitude), exponent_(exponent), negative_(negative), format_(format) {
  normalize();
}

void quantity::normalize() {
  if (magnitude_ == 0) {
    exponent_ = 0;
    negative_ = false;
    return;
  }
  while (magnitude_ % 10 == 0) {
    magnitude_ /= 10;
    ++exponent_;
  }
}

std::optional<quantity> quantity::parse(std::string_view str, std::string* why) {
  auto fail = [why](std::string_view message) -> std::optional<quantity> {
    if (why != nullptr)
      *why = std::string(message);
    return std::nullopt;
  };
  if (str.empty())
    return fail(format_error);
  if (str == "0")
    return quantity{};

  // The scanner of parseQuantityString: sign, digits, optional fraction, then a suffix of
  // suffix letters, an optional sign and digits. Everything else is a format error.
  std::size_t pos = 0;
  const std::size_t end = str.size();
  bool negative = false;
  if (str[0] == '-' || str[0] == '+') {
    negative = str[0] == '-';
    ++pos;
  }
  bool saw_digit = false;
  while (pos < end && str[pos] == '0') {
    ++pos;
    saw_digit = true;
  }
  std::string_view num, denom, suffix;
  auto start = pos;
  while (pos < end && is_digit(str[pos]))
    ++pos;
  num = str.substr(start, pos - start);
  if (pos < end && str[pos] == '.') {
    start = ++pos;
    while (pos < end && is_digit(str[pos]))
      ++pos;
    denom = str.substr(start, pos - start);
  }
  auto suffix_start = pos;
  while (pos < end && is_suffix_char(str[pos]))
    ++pos;
  if (pos < end && (str[pos] == '-' || str[pos] == '+'))
    ++pos;
  while (pos < end && is_digit(str[pos]))
    ++pos;
  if (pos != end)
    return fail(format_error);
  suffix = str.substr(suffix_start);
  auto meaning = interpret_suffix(suffix);
  if (!meaning)
    return fail(suffix_error);
  // Go reads a number without any digit (".", "-", "Mi") as zero; we refuse it, as the
  // OpenAPI pattern Kubernetes publishes for quantities does.
  if (!saw_digit && num.empty() && denom.empty())
    return fail(numeric_error);

  std::string digits;
  digits.reserve(num.size() + denom.size());
  digits.append(num).append(denom);
  std::int64_t exponent = (meaning->base == 10 ? meaning->exponent : 0)
                          - static_cast<std::int64_t>(denom.size());
  auto first = digits.find_first_not_of('0');
  if (first == std::string::npos)
    return quantity{0, 0, false, meaning->format};
  digits.erase(0, first);
  strip_trailing_zeros(digits, exponent);

  auto format = meaning->format;
  bool capped = false;
  if (meaning->base == 2) {
    // Kubernetes caps BinarySI values at 2^63-1; 20 whole digits are past that already,
    // so absurd inputs never reach the multiplication.
    if (static_cast<std::int64_t>(digits.size()) + exponent > 20) {
      capped = true;
    } else {
      for (std::int64_t i = 0; i < meaning->exponent / 10; ++i)
        multiply(digits, 1024);
      strip_trailing_zeros(digits, exponent);
    }
  }
  if (!capped)
    round_up_to_nano(digits, exponent);
  if (meaning->base == 2 && (capped || exceeds_int64_max(digits, exponent))) {
    digits = std::string(max_int64_digits);
    exponent = 0;
  }
  // A BinarySI value strictly between 0 and 1 can only be printed in DecimalSI.
  if (format == quantity_format::binary_si && static_cast<std::int64_t>(digits.size()) + exponent <= 0)
    format = quantity_format::decimal_si;

  if (digits.size() > static_cast<std::size_t>(max_digits))
    return fail("quantity has more than 38 significant digits, which cannot be represented");
  if (exponent > max_exponent)
    return fail("quantity is too large to be represented");
  uint128 magnitude = 0;
  for (char c : digits)
    magnitude = magnitude * 10 + static_cast<unsigned>(c - '0');
  return quantity{magnitude, exponent, negative, format};
}

quantity quantity::from_int(std::int64_t value, quantity_format format) {
  auto magnitude = value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  return quantity{magnitude, 0, value < 0, format};
}

quantity quantity::from_milli(std::int64_t value, quantity_format format) {
  auto magnitude = value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  return quantity{magnitude, -3, value < 0, format};
}

std::string quantity::to_string() const {
  if (magnitude_ == 0)
    return "0";
  std::string out = negative_ ? "-" : "";
  auto format = format_;
  if (format == quantity_format::binary_si) {
    // Below 1024 or with a fraction, DecimalSI avoids rounding (CanonicalizeBytes).
    auto whole_digits = digit_count(magnitude_) + exponent_;
    if (exponent_ < 0) {
      format = quantity_format::decimal_si;
    } else if (whole_digits > max_digits) {
      format = quantity_format::decimal_exponent; // past "Ei": exact decimal
    } else {
      uint128 whole = magnitude_ * pow10(exponent_);
      if (whole < 1024) {
        format = quantity_format::decimal_si;
      } else {
        std::size_t power = 0;
        while (whole % 1024 == 0 && power < binary_suffixes.size()) {
          whole /= 1024;
          ++power;
        }
        if (power < binary_suffixes.size())
          return out + to_decimal(whole) + std::string(binary_suffixes[power]);
        format = quantity_format::decimal_exponent; // past "Ei": exact decimal
      }
    }
  }
  // Decimal forms: the exponent moves down to a multiple of three, the digits take the
  // zeros ("1.5G" = 15e8 -> 1500e6 -> "1500M").
  out += to_decimal(magnitude_);
  auto exponent = exponent_;
  auto extra = ((exponent % 3) + 3) % 3;
  out.append(static_cast<std::size_t>(extra), '0');
  exponent -= extra;
  if (format == quantity_format::decimal_si && exponent >= -9 && exponent <= 18)
    out += decimal_suffixes[static_cast<std::size_t>((exponent + 9) / 3)];
  else if (exponent != 0) // DecimalExponent, or DecimalSI beyond "E"/below "n"
    out += "e" + std::to_string(exponent);
  return out;
}

std::int64_t quantity::scaled_value(int scale) const {
  if (magnitude_ == 0)
    return 0;
  auto shift = exponent_ - scale;
  uint128 result = 0;
  bool overflow = false;
  if (shift >= 0) {
    if (digit_count(magnitude_) + shift > max_digits)
      overflow = true;
    else
      result = magnitude_ * pow10(shift);
  } else if (-shift > max_digits) {
    result = 1; // a non-zero magnitude below 10^38 divided by more: rounds up to one
  } else {
    auto divisor = pow10(-shift);
    result = magnitude_ / divisor + (magnitude_ % divisor != 0 ? 1 : 0);
  }
  constexpr auto max = static_cast<uint128>(std::numeric_limits<std::int64_t>::max());
  if (negative_) {
    if (overflow || result > max)
      return std::numeric_limits<std::int64_t>::min();
    return -static_cast<std::int64_t>(result);
  }
  if (overflow || result > max)
    return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(result);
}

std::strong_ordering operator<=>(const quantity& a, const quantity& b) {
  auto sa = a.sign(), sb = b.sign();
  if (sa != sb)
    return sa <=> sb;
  if (sa == 0)
    return std::strong_ordering::equal;
  // Magnitudes: first by the position of the leading digit, then digit by digit after
  // aligning exponents (the difference is below 38 when the leading positions agree).
  auto lead_a = digit_count(a.magnitude_) + a.exponent_;
  auto lead_b = digit_count(b.magnitude_) + b.exponent_;
  std::strong_ordering magnitude = std::strong_ordering::equal;
  if (lead_a != lead_b) {
    magnitude = lead_a <=> lead_b;
  } else {
    auto ma = a.magnitude_, mb = b.magnitude_;
    if (a.exponent_ > b.exponent_)
      ma *= pow10(a.exponent_ - b.exponent_);
    else
      mb *= pow10(b.exponent_ - a.exponent_);
    magnitude = ma < mb ? std::strong_ordering::less
                        : (ma > mb ? std::strong_ordering::greater : std::strong_ordering::equal);
  }
  return sa > 0 ? magnitude : 0 <=> magnitude;
}

namespace {

// strings.TrimSpace: Unicode White_Space at both ends of UTF-8 text.
bool is_unicode_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
         || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F
         || c == 0x205F || c == 0x3000;
}

// The code point `bytes` encodes (1 to 3 bytes), or nothing if it is not one encoding.
std::optional<char32_t> decode_utf8(std::string_view bytes) {
  auto b = [&](std::size_t i) { return static_cast<char32_t>(static_cast<unsigned char>(bytes[i])); };
  for (std::size_t i = 1; i < bytes.size(); ++i)
    if ((b(i) & 0xC0) != 0x80)
      return std::nullopt;
  switch (bytes.size()) {
  case 1:
    return b(0) < 0x80 ? std::optional<char32_t>(b(0)) : std::nullopt;
  case 2:
    return (b(0) & 0xE0) == 0xC0 ? std::optional<char32_t>(((b(0) & 0x1F) << 6) | (b(1) & 0x3F))
                                 : std::nullopt;
  case 3:
    return (b(0) & 0xF0) == 0xE0
             ? std::optional<char32_t>(((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F))
             : std::nullopt;
  default:
    return std::nullopt;
  }
}

std::string_view trim_space(std::string_view s) {
  auto trim_one = [&](bool front) {
    for (std::size_t len = 1; len <= 3 && len <= s.size(); ++len) {
      auto c = decode_utf8(front ? s.substr(0, len) : s.substr(s.size() - len));
      if (c && is_unicode_space(*c)) {
        front ? s.remove_prefix(len) : s.remove_suffix(len);
        return true;
      }
    }
    return false;
  };
  while (trim_one(true)) {
  }
  while (trim_one(false)) {
  }
  return s;
}

// How Go's encoding/json writes a float64, which is the text UnmarshalJSON then parses:
// plain decimal notation between 1e-6 and 1e21, exponent notation outside.
std::string go_json_float(double f) {
  char buf[64];
  auto abs = std::fabs(f);
  auto fmt = (abs != 0 && (abs < 1e-6 || abs >= 1e21)) ? std::chars_format::scientific
                                                       : std::chars_format::fixed;
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, f, fmt);
  if (ec != std::errc())
    return {};
  return std::string(buf, ptr);
}

} // namespace

bool json_leaf<quantity>::decode(const json& j, quantity& out, std::string& why) {
  std::string text;
  if (j.is_string())
    text = trim_space(j.get_ref<const std::string&>());
  else if (j.is_number_unsigned())
    text = std::to_string(j.get<std::uint64_t>());
  else if (j.is_number_integer())
    text = std::to_string(j.get<std::int64_t>());
  else if (j.is_number_float() && std::isfinite(j.get<double>()))
    text = go_json_float(j.get<double>());
  else {
    why = std::string(quantity::format_error);
    return false;
  }
  auto parsed = quantity::parse(text, &why);
  if (!parsed)
    return false;
  out = *parsed;
  return true;
}

} // namespace podvisor::kube::api
