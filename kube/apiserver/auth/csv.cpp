#include "kube/apiserver/auth/csv.hpp"

namespace podvisor::kube::apiserver {

namespace {

bool is_leading_space(char c) {
  return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/// A cursor over the text that keeps the line number.
struct cursor {
  std::string_view text;
  std::size_t pos = 0;
  std::size_t line = 1;

  bool done() const { return pos >= text.size(); }
  char peek() const { return text[pos]; }
  /// True at "\n" or "\r\n".
  bool at_newline() const {
    return !done() && (text[pos] == '\n' || (text[pos] == '\r' && pos + 1 < text.size() &&
                                             text[pos + 1] == '\n'));
  }
  void skip_newline() {
    pos += text[pos] == '\r' ? 2 : 1;
    ++line;
  }
};

error quote_error(std::size_t record_line, std::size_t line) {
  return error{errc::parse_error, "record on line " + std::to_string(record_line) + "; line " +
                                    std::to_string(line) +
                                    ": extraneous or missing \" in quoted-field"};
}

/// Reads a quoted field whose opening quote is at the cursor. On return the cursor is just
/// past the closing quote.
expected<std::string> read_quoted(cursor& c, std::size_t record_line) {
  ++c.pos;
  std::string field;
  for (;;) {
    if (c.done())
      return quote_error(record_line, c.line);
    if (c.peek() == '"') {
      if (c.pos + 1 < c.text.size() && c.text[c.pos + 1] == '"') {
        field += '"';
        c.pos += 2;
        continue;
      }
      ++c.pos;
      return field;
    }
    if (c.at_newline()) {
      field += '\n';
      c.skip_newline();
      continue;
    }
    field += c.peek();
    ++c.pos;
  }
}

} // namespace

expected<std::vector<csv_record>> parse_csv(std::string_view text) {
  std::vector<csv_record> records;
  cursor c{text};
  while (!c.done()) {
    if (c.at_newline()) { // Go skips empty lines
      c.skip_newline();
      continue;
    }
    csv_record record;
    record.line = c.line;
    for (;;) {
      while (!c.done() && is_leading_space(c.peek()))
        ++c.pos;
      std::string field;
      if (!c.done() && c.peek() == '"') {
        auto quoted = read_quoted(c, record.line);
        if (!quoted)
          return quoted.error();
        field = std::move(*quoted);
        if (!c.done() && c.peek() != ',' && !c.at_newline())
          return quote_error(record.line, c.line);
      } else {
        while (!c.done() && c.peek() != ',' && !c.at_newline()) {
          if (c.peek() == '"')
            return error{errc::parse_error, "record on line " + std::to_string(record.line) +
                                              "; line " + std::to_string(c.line) +
                                              ": bare \" in non-quoted-field"};
          field += c.peek();
          ++c.pos;
        }
      }
      record.fields.push_back(std::move(field));
      if (!c.done() && c.peek() == ',') {
        ++c.pos;
        continue;
      }
      if (c.at_newline())
        c.skip_newline();
      break;
    }
    records.push_back(std::move(record));
  }
  return records;
}

std::string csv_quoted(std::string_view field) {
  std::string out = "\"";
  for (char ch : field) {
    if (ch == '"')
      out += '"';
    out += ch;
  }
  out += '"';
  return out;
}

std::string csv_field(std::string_view field) {
  bool needs_quotes = !field.empty() && is_leading_space(field.front());
  for (char ch : field)
    needs_quotes = needs_quotes || ch == ',' || ch == '"' || ch == '\r' || ch == '\n';
  // Go also quotes the field `\.`, which its reader would otherwise take as end of data.
  needs_quotes = needs_quotes || field == "\\.";
  return needs_quotes ? csv_quoted(field) : std::string{field};
}

} // namespace podvisor::kube::apiserver
