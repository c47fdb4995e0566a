// Label selector text: the lexer and recursive-descent parser of
// k8s.io/apimachinery/pkg/labels (selector.go), rebuilt token for token so that odd input
// ("x>=1", "in=notin", "x in (,)") parses, or fails, with the same result and message as on
// a real API server.

#include <algorithm>
#include <cassert>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "kube/api/selector.hpp"
#include "kube/api/selector_detail.hpp"

namespace podvisor::kube::api {

namespace {

// ---------------------------------------------------------------------------------------
// Lexer

enum class token {
  end_of_string,
  close_par,
  comma,
  does_not_exist,
  double_equals,
  equals,
  greater_than,
  identifier,
  in,
  less_than,
  not_equals,
  not_in,
  open_par,
};

struct scanned {
  token kind = token::end_of_string;
  std::string literal;
};

// string2token: every literal that is a token by itself.
std::optional<token> literal_token(std::string_view s) {
  static constexpr std::pair<std::string_view, token> table[] = {
    {")", token::close_par},     {",", token::comma},      {"!", token::does_not_exist},
    {"==", token::double_equals}, {"=", token::equals},     {">", token::greater_than},
    {"in", token::in},            {"<", token::less_than},  {"!=", token::not_equals},
    {"notin", token::not_in},     {"(", token::open_par},
  };
  for (const auto& [text, kind] : table)
    if (text == s)
      return kind;
  return std::nullopt;
}

bool is_whitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_special(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

// Go's Lexer reads bytes and returns 0 at the end, so a NUL byte in the input ends a
// token (and, between tokens, the input); reading it still advances, as in Go.
class lexer {
public:
  explicit lexer(std::string_view text) : text_(text) {}

  scanned lex() {
    char ch = skip_whitespace(read());
    if (ch == 0)
      return {token::end_of_string, {}};
    unread();
    return is_special(ch) ? scan_special() : scan_identifier_or_keyword();
  }

private:
  char read() { return pos_ < text_.size() ? text_[pos_++] : '\0'; }
  void unread() { --pos_; }

  char skip_whitespace(char ch) {
    while (is_whitespace(ch))
      ch = read();
    return ch;
  }

  scanned scan_identifier_or_keyword() {
    std::string buffer;
    for (;;) {
      char ch = read();
      if (ch == 0)
        break;
      if (is_special(ch) || is_whitespace(ch)) {
        unread();
        break;
      }
      buffer.push_back(ch);
    }
    if (auto kind = literal_token(buffer))
      return {*kind, std::move(buffer)};
    return {token::identifier, std::move(buffer)};
  }

  // The longest run of special characters that is a token ("!=" rather than "!").
  scanned scan_special() {
    std::string buffer;
    std::optional<scanned> last;
    for (;;) {
      char ch = read();
      if (ch == 0)
        break;
      if (!is_special(ch)) {
        unread();
        break;
      }
      buffer.push_back(ch);
      if (auto kind = literal_token(buffer))
        last = scanned{*kind, buffer};
      else if (last) {
        unread();
        break;
      }
    }
    assert(last && "every single special character is a token");
    return last ? std::move(*last) : scanned{};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------
// Parser

// "in" and "notin" are plain identifiers where a key or a value is expected.
enum class parse_context { key_and_operator, values };

class parser {
public:
  explicit parser(std::string_view text) {
    lexer l{text};
    for (;;) {
      items_.push_back(l.lex());
      if (items_.back().kind == token::end_of_string)
        break;
    }
  }

  bool parse(std::vector<label_requirement>& out, std::string& why) {
    for (;;) {
      auto [kind, literal] = lookahead(parse_context::values);
      switch (kind) {
        case token::identifier:
        case token::does_not_exist: {
          auto r = parse_requirement(why);
          if (!r) {
            why = "unable to parse requirement: " + why;
            return false;
          }
          out.push_back(std::move(*r));
          auto [next, next_literal] = consume(parse_context::values);
          if (next == token::end_of_string)
            return true;
          if (next != token::comma) {
            why = "found '" + next_literal + "', expected: ',' or 'end of string'";
            return false;
          }
          auto [after, after_literal] = lookahead(parse_context::values);
          if (after != token::identifier && after != token::does_not_exist) {
            why = "found '" + after_literal + "', expected: identifier after ','";
            return false;
          }
          break;
        }
        case token::end_of_string:
          return true;
        default:
          why = "found '" + literal + "', expected: !, identifier, or 'end of string'";
          return false;
      }
    }
  }

private:
  std::pair<token, std::string> peek(parse_context ctx, bool advance) {
    // The list always ends with end_of_string and parsing stops there; clamp anyway.
    const auto& item = items_[std::min(pos_, items_.size() - 1)];
    if (advance && pos_ < items_.size())
      ++pos_;
    auto kind = item.kind;
    if (ctx == parse_context::values && (kind == token::in || kind == token::not_in))
      kind = token::identifier;
    return {kind, item.literal};
  }
  std::pair<token, std::string> lookahead(parse_context ctx) { return peek(ctx, false); }
  std::pair<token, std::string> consume(parse_context ctx) { return peek(ctx, true); }

  std::optional<label_requirement> parse_requirement(std::string& why) {
    std::string key;
    std::optional<selector_operator> op;
    if (!parse_key_and_infer_operator(key, op, why))
      return std::nullopt;
    if (op == selector_operator::exists || op == selector_operator::does_not_exist)
      return detail::new_label_requirement(std::move(key), *op, {}, why);
    if (!parse_operator(op, why))
      return std::nullopt;
    std::vector<std::string> values;
    bool ok = (op == selector_operator::in || op == selector_operator::not_in)
                ? parse_values(values, why)
                : parse_exact_value(values, why);
    if (!ok)
      return std::nullopt;
    detail::sort_unique(values); // Go collects them in a sets.String and validates its sorted list
    return detail::new_label_requirement(std::move(key), *op, std::move(values), why);
  }

  bool parse_key_and_infer_operator(std::string& key, std::optional<selector_operator>& op,
                                    std::string& why) {
    auto [kind, literal] = consume(parse_context::values);
    if (kind == token::does_not_exist) {
      op = selector_operator::does_not_exist;
      std::tie(kind, literal) = consume(parse_context::values);
    }
    if (kind != token::identifier) {
      why = "found '" + literal + "', expected: identifier";
      return false;
    }
    if (!detail::validate_parsed_label_key(literal, why))
      return false;
    auto [next, next_literal] = lookahead(parse_context::values);
    if ((next == token::end_of_string || next == token::comma) && op != selector_operator::does_not_exist)
      op = selector_operator::exists;
    key = std::move(literal);
    return true;
  }

  bool parse_operator(std::optional<selector_operator>& op, std::string& why) {
    auto [kind, literal] = consume(parse_context::key_and_operator);
    switch (kind) {
      case token::in: op = selector_operator::in; return true;
      case token::equals: op = selector_operator::equals; return true;
      case token::double_equals: op = selector_operator::double_equals; return true;
      case token::greater_than: op = selector_operator::greater_than; return true;
      case token::less_than: op = selector_operator::less_than; return true;
      case token::not_in: op = selector_operator::not_in; return true;
      case token::not_equals: op = selector_operator::not_equals; return true;
      default:
        why = "found '" + literal + "', expected: in, notin, =, ==, !=, gt, lt";
        return false;
    }
  }

  // "(" values ")"; "()" is the set {""}.
  bool parse_values(std::vector<std::string>& values, std::string& why) {
    auto [kind, literal] = consume(parse_context::values);
    if (kind != token::open_par) {
      why = "found '" + literal + "' expected: '('";
      return false;
    }
    std::tie(kind, literal) = lookahead(parse_context::values);
    switch (kind) {
      case token::identifier:
      case token::comma: {
        if (!parse_identifiers_list(values, why))
          return false;
        // parse_identifiers_list only returns before a ')'.
        consume(parse_context::values);
        return true;
      }
      case token::close_par:
        consume(parse_context::values);
        values.assign(1, std::string());
        return true;
      default:
        why = "found '" + literal + "', expected: ',', ')' or identifier";
        return false;
    }
  }

  // A comma-separated list of possibly empty values ("a,,b", "(,a", "a,)").
  bool parse_identifiers_list(std::vector<std::string>& values, std::string& why) {
    for (;;) {
      auto [kind, literal] = consume(parse_context::values);
      switch (kind) {
        case token::identifier: {
          values.push_back(literal);
          auto [next, next_literal] = lookahead(parse_context::values);
          if (next == token::comma)
            continue;
          if (next == token::close_par)
            return true;
          why = "found '" + next_literal + "', expected: ',' or ')'";
          return false;
        }
        case token::comma: {
          if (values.empty())
            values.emplace_back(); // "(,"
          auto [next, next_literal] = lookahead(parse_context::values);
          if (next == token::close_par) {
            values.emplace_back(); // ",)"
            return true;
          }
          if (next == token::comma)
            values.emplace_back(); // ",,"
          break;
        }
        default:
          why = "found '" + literal + "', expected: ',', or identifier";
          return false;
      }
    }
  }

  bool parse_exact_value(std::vector<std::string>& values, std::string& why) {
    auto [next, next_literal] = lookahead(parse_context::values);
    if (next == token::end_of_string || next == token::comma) {
      values.assign(1, std::string());
      return true;
    }
    auto [kind, literal] = consume(parse_context::values);
    if (kind == token::identifier) {
      values.assign(1, literal);
      return true;
    }
    why = "found '" + literal + "', expected: identifier";
    return false;
  }

  std::vector<scanned> items_;
  std::size_t pos_ = 0;
};

} // namespace

std::optional<label_matcher> label_matcher::parse(std::string_view text, std::string* why) {
  std::string error;
  label_matcher m;
  if (!parser{text}.parse(m.requirements_, error)) {
    if (why != nullptr)
      *why = std::move(error);
    return std::nullopt;
  }
  detail::sort_by_key(m.requirements_);
  return m;
}

} // namespace podvisor::kube::api
