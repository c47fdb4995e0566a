#include "kube/client/errors.hpp"

#include <nlohmann/json.hpp>

#include "kube/api/json_text.hpp"

namespace podvisor::kube::client {

namespace {

std::string string_member(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

/// The code for an HTTP status (and, for 409, the Status reason), per the table in
/// errors.hpp.
errc code_for(int http_status, std::string_view reason) {
  switch (http_status) {
  case 400:
  case 422:
    return errc::invalid_argument;
  case 401:
    return errc::unauthorized;
  case 403:
    return errc::forbidden;
  case 404:
    return errc::not_found;
  case 405:
  case 415:
    return errc::unsupported;
  case 408:
    return errc::timeout;
  case 409:
    return reason == "AlreadyExists" ? errc::already_exists : errc::conflict;
  case 410:
    return errc::gone;
  case 413:
    return errc::resource_exhausted;
  case 429:
    return errc::unavailable;
  default:
    break;
  }
  // 503, 504 and every other 5xx: the server (or a proxy before it) cannot answer now.
  if (http_status >= 500 && http_status <= 599)
    return errc::unavailable;
  return errc::internal;
}

/// A short, printable piece of a body that is not a Status (an HTML error page from a
/// proxy, plain text), so the message still says something.
std::string body_excerpt(std::string_view body) {
  constexpr std::size_t max = 200;
  std::string out;
  for (char c : body.substr(0, max))
    out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  auto end = out.find_last_not_of(' ');
  out.erase(end == std::string::npos ? 0 : end + 1);
  if (body.size() > max)
    out += "...";
  return out;
}

} // namespace

api_status parse_status(std::string_view body, int http_status) {
  api_status out;
  out.code = http_status;
  nlohmann::json doc;
  std::string why;
  if (!api::parse_json(body, doc, why) || !doc.is_object() || string_member(doc, "kind") != "Status")
    return out;
  if (auto code = doc.find("code"); code != doc.end() && code->is_number_integer() && code->get<std::int64_t>() > 0
                                    && code->get<std::int64_t>() < 1000)
    out.code = static_cast<int>(code->get<std::int64_t>());
  out.reason = string_member(doc, "reason");
  out.message = string_member(doc, "message");
  auto details = doc.find("details");
  if (details == doc.end() || !details->is_object())
    return out;
  auto causes = details->find("causes");
  if (causes == details->end() || !causes->is_array())
    return out;
  for (const auto& c : *causes) {
    if (!c.is_object())
      continue;
    out.causes.push_back({string_member(c, "reason"), string_member(c, "field"), string_member(c, "message")});
  }
  return out;
}

error classify(int http_status, std::string_view body) {
  auto status = parse_status(body, http_status);
  auto code = code_for(http_status, status.reason);
  std::string message = status.message;
  if (message.empty()) {
    message = "HTTP " + std::to_string(http_status);
    if (!status.reason.empty())
      message += " " + status.reason;
    else if (auto text = body_excerpt(body); !text.empty())
      message += ": " + text;
  }
  if (code == errc::invalid_argument) {
    // kube-apiserver's 422 message usually lists the causes already ("...is invalid:
    // [spec.a: Invalid value..., ...]"); add only those it does not, so that every cause
    // is in the message exactly once whoever wrote the Status.
    std::string missing;
    for (const auto& cause : status.causes) {
      auto text = cause.field.empty() ? cause.message : cause.field + ": " + cause.message;
      if (text.empty() || message.find(text) != std::string::npos)
        continue;
      missing += missing.empty() ? text : "; " + text;
    }
    if (!missing.empty())
      message += ": " + missing;
  }
  return {code, std::move(message)};
}

bool is_transient(const error& e) {
  return e.code == errc::unavailable || e.code == errc::timeout;
}

} // namespace podvisor::kube::client
