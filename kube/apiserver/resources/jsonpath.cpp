#include "kube/apiserver/resources/jsonpath.hpp"

#include <cctype>
#include <charconv>

namespace podvisor::kube::apiserver {

using json = nlohmann::json;

namespace {

class parser {
public:
  explicit parser(std::string_view text) : text_(text) {}

  bool run(std::vector<json_path::step>& steps, std::string& error) {
    skip_space();
    if (peek() == '$')
      ++pos_;
    while (!at_end()) {
      char c = text_[pos_];
      if (c == '.') {
        ++pos_;
        if (peek() == '.')
          return fail(error, "recursive descent (..) is not supported");
        if (!member(steps, error))
          return false;
      } else if (c == '[') {
        ++pos_;
        if (!bracket(steps, error))
          return false;
      } else {
        return fail(error, std::string("unexpected character '") + c + "'");
      }
    }
    return true;
  }

private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0)
      ++pos_;
  }
  bool fail(std::string& error, std::string why) {
    error = std::move(why) + " at offset " + std::to_string(pos_);
    return false;
  }

  // A dotted member name; `\.` escapes a dot inside a name (label keys like kubevirt.io/x).
  bool member(std::vector<json_path::step>& steps, std::string& error) {
    std::string name;
    while (!at_end() && text_[pos_] != '.' && text_[pos_] != '[') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
        name += text_[pos_ + 1];
        pos_ += 2;
        continue;
      }
      name += text_[pos_++];
    }
    if (name.empty())
      return fail(error, "empty member name");
    json_path::step s;
    if (name == "*")
      s.kind = json_path::step::type::wildcard;
    else
      s.name = std::move(name);
    steps.push_back(std::move(s));
    return true;
  }

  bool quoted(std::string& out, std::string& error) {
    char quote = text_[pos_++];
    while (!at_end() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size())
        ++pos_;
      out += text_[pos_++];
    }
    if (at_end())
      return fail(error, "unterminated string");
    ++pos_;
    return true;
  }

  bool expect(char c, std::string& error) {
    skip_space();
    if (peek() != c)
      return fail(error, std::string("expected '") + c + "'");
    ++pos_;
    return true;
  }

  bool literal(json& out, std::string& error) {
    skip_space();
    if (peek() == '\'' || peek() == '"') {
      std::string s;
      if (!quoted(s, error))
        return false;
      out = std::move(s);
      return true;
    }
    auto start = pos_;
    while (!at_end() && text_[pos_] != ')' && std::isspace(static_cast<unsigned char>(text_[pos_])) == 0)
      ++pos_;
    auto word = text_.substr(start, pos_ - start);
    if (word == "true" || word == "false") {
      out = word == "true";
      return true;
    }
    long long n = 0;
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), n);
    if (ec == std::errc{} && end == word.data() + word.size() && !word.empty()) {
      out = n;
      return true;
    }
    return fail(error, "unsupported filter literal");
  }

  bool filter(std::vector<json_path::step>& steps, std::string& error) {
    // After "?(": "@.field.path", optionally "== literal" or "!= literal", then ")".
    skip_space();
    if (peek() != '@' || pos_ + 1 >= text_.size() || text_[pos_ + 1] != '.')
      return fail(error, "filters must start with @.");
    pos_ += 2;
    json_path::step s;
    s.kind = json_path::step::type::filter;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 || text_[pos_] == '.'
                         || text_[pos_] == '_' || text_[pos_] == '-'))
      s.name += text_[pos_++];
    if (s.name.empty())
      return fail(error, "empty filter field");
    skip_space();
    if (text_.substr(pos_, 2) == "==" || text_.substr(pos_, 2) == "!=") {
      s.filter_equal = text_[pos_] == '=';
      pos_ += 2;
      if (!literal(s.filter_value, error))
        return false;
    } else if (peek() != ')') {
      return fail(error, "only == and != filters are supported");
    }
    if (!expect(')', error) || !expect(']', error))
      return false;
    steps.push_back(std::move(s));
    return true;
  }

  bool bracket(std::vector<json_path::step>& steps, std::string& error) {
    skip_space();
    json_path::step s;
    char c = peek();
    if (c == '\'' || c == '"') {
      if (!quoted(s.name, error))
        return false;
    } else if (c == '*') {
      ++pos_;
      s.kind = json_path::step::type::wildcard;
    } else if (c == '?') {
      ++pos_;
      if (!expect('(', error))
        return false;
      return filter(steps, error);
    } else {
      auto start = pos_;
      while (!at_end() && text_[pos_] != ']')
        ++pos_;
      auto word = text_.substr(start, pos_ - start);
      while (!word.empty() && word.back() == ' ')
        word.remove_suffix(1);
      long long n = 0;
      auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), n);
      if (ec != std::errc{} || end != word.data() + word.size() || word.empty()) {
        pos_ = start;
        return fail(error, "only indices, '*', quoted names and filters may appear in []");
      }
      s.kind = json_path::step::type::index;
      s.index = n;
    }
    if (!expect(']', error))
      return false;
    steps.push_back(std::move(s));
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

bool filter_matches(const json& element, const json_path::step& s) {
  const json* field = lookup(element, s.name);
  if (s.filter_value.is_null())
    return field != nullptr;
  bool equal = field != nullptr && *field == s.filter_value;
  return s.filter_equal ? equal : !equal;
}

} // namespace

std::optional<json_path> json_path::parse(std::string_view text, std::string& error) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0)
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0)
    text.remove_suffix(1);
  if (text.size() >= 2 && text.front() == '{' && text.back() == '}')
    text = text.substr(1, text.size() - 2);
  if (text.empty()) {
    error = "empty JSONPath";
    return std::nullopt;
  }
  json_path result;
  parser p{text};
  if (!p.run(result.steps_, error))
    return std::nullopt;
  return result;
}

std::vector<json> json_path::evaluate(const json& root) const {
  std::vector<const json*> current{&root};
  for (const auto& s : steps_) {
    std::vector<const json*> next;
    for (const json* v : current) {
      switch (s.kind) {
        case step::type::member:
          if (v->is_object()) {
            auto it = v->find(s.name);
            if (it != v->end())
              next.push_back(&*it);
          }
          break;
        case step::type::index:
          if (v->is_array()) {
            auto size = static_cast<long long>(v->size());
            auto i = s.index < 0 ? size + s.index : s.index;
            if (i >= 0 && i < size)
              next.push_back(&(*v)[static_cast<std::size_t>(i)]);
          }
          break;
        case step::type::wildcard:
          if (v->is_array() || v->is_object())
            for (const auto& item : *v)
              next.push_back(&item);
          break;
        case step::type::filter:
          if (v->is_array())
            for (const auto& item : *v)
              if (filter_matches(item, s))
                next.push_back(&item);
          break;
      }
    }
    current = std::move(next);
  }
  std::vector<json> out;
  out.reserve(current.size());
  for (const json* v : current)
    out.push_back(*v);
  return out;
}

std::optional<json> json_path::first(const json& root) const {
  auto all = evaluate(root);
  if (all.empty())
    return std::nullopt;
  return std::move(all.front());
}

const json* lookup(const json& root, std::string_view dotted) {
  const json* v = &root;
  while (!dotted.empty()) {
    auto dot = dotted.find('.');
    auto name = dotted.substr(0, dot);
    if (!v->is_object())
      return nullptr;
    auto it = v->find(name);
    if (it == v->end())
      return nullptr;
    v = &*it;
    dotted = dot == std::string_view::npos ? std::string_view{} : dotted.substr(dot + 1);
  }
  return v;
}

std::string render_cell_text(const json& value) {
  if (value.is_string())
    return value.get<std::string>();
  return value.dump();
}

} // namespace podvisor::kube::apiserver
