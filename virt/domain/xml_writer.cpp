#include "virt/domain/xml_writer.hpp"

#include "common/error.hpp"

namespace podvisor::virt {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '\'': out += "&apos;"; break;
    case '"': out += "&quot;"; break;
    default: out += c;
    }
  }
  return out;
}

void xml_writer::start_tag(std::string_view name, const std::vector<xml_attribute>& attrs) {
  out_.append(open_.size() * 2, ' ');
  out_ += '<';
  out_ += name;
  for (const auto& [key, value] : attrs) {
    out_ += ' ';
    out_ += key;
    out_ += "='";
    out_ += xml_escape(value);
    out_ += '\'';
  }
}

void xml_writer::open(std::string_view name, const std::vector<xml_attribute>& attrs) {
  start_tag(name, attrs);
  out_ += ">\n";
  open_.emplace_back(name);
}

void xml_writer::close() {
  PODVISOR_CHECK(!open_.empty(), "xml_writer::close without an open element");
  std::string name = std::move(open_.back());
  open_.pop_back();
  out_.append(open_.size() * 2, ' ');
  out_ += "</";
  out_ += name;
  out_ += ">\n";
}

void xml_writer::empty(std::string_view name, const std::vector<xml_attribute>& attrs) {
  start_tag(name, attrs);
  out_ += "/>\n";
}

void xml_writer::text(std::string_view name, std::string_view text, const std::vector<xml_attribute>& attrs) {
  start_tag(name, attrs);
  out_ += '>';
  out_ += xml_escape(text);
  out_ += "</";
  out_ += name;
  out_ += ">\n";
}

} // namespace podvisor::virt
