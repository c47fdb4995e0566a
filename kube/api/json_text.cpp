#include "kube/api/json_text.hpp"

namespace podvisor::kube::api {

namespace {

// A SAX pass that only tracks depth; it runs before the DOM is built so that nothing
// recursive ever sees an over-deep document.
class depth_checker : public nlohmann::json_sax<nlohmann::json> {
public:
  explicit depth_checker(std::size_t max_depth) : max_depth_(max_depth) {}

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return enter(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t) override { return enter(); }
  bool end_array() override { return leave(); }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    error_ = "invalid JSON at byte " + std::to_string(position) + ": " + strip_prefix(ex.what());
    return false;
  }

  bool too_deep() const { return too_deep_; }
  const std::string& error() const { return error_; }

private:
  static std::string strip_prefix(std::string what) {
    // nlohmann prefixes messages with "[json.exception.parse_error.101] parse error at ...";
    // keep only the human part after the last ": ".
    auto pos = what.rfind(": ");
    return pos == std::string::npos ? what : what.substr(pos + 2);
  }
  bool enter() {
    if (++depth_ > max_depth_) {
      too_deep_ = true;
      return false;
    }
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }

  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
  std::string error_;
};

} // namespace

bool parse_json(std::string_view text, nlohmann::json& out, std::string& error,
                std::size_t max_depth) {
  // nlohmann's lexer reads a NUL byte as the end of input, so `{...}\0garbage` would parse
  // as `{...}`. A raw NUL is valid nowhere in JSON text (in strings it must be escaped).
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    error = "invalid JSON at byte " + std::to_string(nul + 1) + ": invalid character NUL";
    return false;
  }
  depth_checker checker{max_depth};
  bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &checker,
                                      nlohmann::json::input_format_t::json, /*strict=*/true);
  if (!ok) {
    if (checker.too_deep())
      error = "JSON nested deeper than " + std::to_string(max_depth) + " levels";
    else if (!checker.error().empty())
      error = checker.error();
    else
      error = "invalid JSON";
    return false;
  }
  out = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (out.is_discarded()) { // cannot happen after a clean SAX pass; kept as a guard
    error = "invalid JSON";
    return false;
  }
  return true;
}

} // namespace podvisor::kube::api
