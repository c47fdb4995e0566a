#pragma once
// A tiny pretty-printing XML writer: elements, attributes in the order given, text, and
// escaping. Enough for the domain XML we generate, which needs to be byte-for-byte stable
// (golden tests compare it), so there is no XML library with its own formatting opinions.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace podvisor::virt {

/// One attribute: name and (unescaped) value.
using xml_attribute = std::pair<std::string_view, std::string>;

/// Writes indented XML (two spaces per level, attributes in single quotes as libvirt
/// prints them, one element per line). Misuse (closing more than was opened) is a bug and
/// aborts.
class xml_writer {
public:
  /// Opens `<name attrs...>`; children follow on their own lines until close().
  void open(std::string_view name, const std::vector<xml_attribute>& attrs = {});
  /// Closes the innermost open element.
  void close();
  /// Writes `<name attrs.../>`.
  void empty(std::string_view name, const std::vector<xml_attribute>& attrs = {});
  /// Writes `<name attrs...>text</name>` on one line.
  void text(std::string_view name, std::string_view text, const std::vector<xml_attribute>& attrs = {});
  /// The document so far; complete once every element is closed.
  const std::string& str() const { return out_; }

private:
  void start_tag(std::string_view name, const std::vector<xml_attribute>& attrs);

  std::string out_;
  std::vector<std::string> open_;
};

/// Escapes the five XML special characters (&, <, >, ', ") for text or attribute values.
std::string xml_escape(std::string_view text);

} // namespace podvisor::virt
