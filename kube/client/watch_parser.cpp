#include "kube/client/watch_parser.hpp"

#include <array>
#include <optional>
#include <utility>

#include "kube/api/json_text.hpp"
#include "kube/client/errors.hpp"

namespace podvisor::kube::client {

namespace {

constexpr std::array<std::pair<watch_event::kind, std::string_view>, 5> kind_names = {{
  {watch_event::kind::added, "ADDED"},
  {watch_event::kind::modified, "MODIFIED"},
  {watch_event::kind::deleted, "DELETED"},
  {watch_event::kind::bookmark, "BOOKMARK"},
  {watch_event::kind::error, "ERROR"},
}};

/// The start of a bad line for an error message: enough to recognise it, never a whole
/// object (which may hold a Secret's data).
std::string excerpt(std::string_view line) {
  constexpr std::size_t max = 80;
  std::string out{line.substr(0, max)};
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20)
      c = ' ';
  if (line.size() > max)
    out += "...";
  return out;
}

error parse_line(std::string_view line, std::size_t number, std::vector<watch_event>& out) {
  nlohmann::json doc;
  std::string why;
  auto where = "watch event " + std::to_string(number);
  if (!api::parse_json(line, doc, why))
    return {errc::parse_error, where + ": " + why + " (line starts with: " + excerpt(line) + ")"};
  if (!doc.is_object())
    return {errc::parse_error, where + ": not a JSON object (line starts with: " + excerpt(line) + ")"};
  auto type = doc.find("type");
  if (type == doc.end() || !type->is_string())
    return {errc::parse_error, where + ": no \"type\" string (line starts with: " + excerpt(line) + ")"};
  auto name = type->get_ref<const std::string&>();
  std::optional<watch_event::kind> known;
  for (const auto& [value, text] : kind_names)
    if (text == name)
      known = value;
  if (!known)
    return {errc::parse_error, where + ": unknown event type \"" + excerpt(name) + "\""};
  auto object = doc.find("object");
  if (object == doc.end() || !object->is_object())
    return {errc::parse_error, where + " (" + name + "): no \"object\" JSON object"};
  watch_event event;
  event.type = *known;
  event.object = std::move(*object);
  out.push_back(std::move(event));
  return {};
}

bool blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

} // namespace

std::string_view to_string(watch_event::kind k) {
  for (const auto& [value, name] : kind_names)
    if (value == k)
      return name;
  return "UNKNOWN";
}

error error_of(const watch_event& event) {
  if (event.type != watch_event::kind::error)
    return {};
  auto body = event.object.dump();
  auto status = parse_status(body, 0);
  // An ERROR event without a usable code is still an error: the server ended the watch
  // for a reason we cannot classify.
  int code = status.code;
  if (code == 0 && (status.reason == "Expired" || status.reason == "Gone"))
    code = 410;
  if (code == 0)
    return {errc::internal, "watch ERROR event without a status code: " + excerpt(body)};
  return classify(code, body);
}

error watch_parser::feed(std::string_view chunk, std::vector<watch_event>& out) {
  if (failed_)
    return {errc::internal, "watch parser used after an earlier error"};
  auto fail = [this](error e) {
    failed_ = true;
    buffer_.clear();
    buffer_.shrink_to_fit();
    return e;
  };
  std::size_t pos = 0;
  while (pos < chunk.size()) {
    auto nl = chunk.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (buffer_.size() + (chunk.size() - pos) > max_line_)
        return fail({errc::resource_exhausted, "watch event " + std::to_string(lines_ + 1) + " is longer than "
                                                 + std::to_string(max_line_) + " bytes"});
      buffer_.append(chunk.substr(pos));
      break;
    }
    // A line wholly inside this chunk is parsed in place; only a line split across chunks
    // is copied.
    std::string_view line;
    if (buffer_.empty()) {
      line = chunk.substr(pos, nl - pos);
    } else {
      buffer_.append(chunk.substr(pos, nl - pos));
      line = buffer_;
    }
    pos = nl + 1;
    if (line.size() > max_line_)
      return fail({errc::resource_exhausted, "watch event " + std::to_string(lines_ + 1) + " is longer than "
                                               + std::to_string(max_line_) + " bytes"});
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (!blank(line)) {
      ++lines_;
      if (auto e = parse_line(line, lines_, out))
        return fail(std::move(e));
    }
    buffer_.clear();
  }
  return {};
}

} // namespace podvisor::kube::client
