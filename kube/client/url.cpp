#include "kube/client/url.hpp"

#include <charconv>

namespace podvisor::kube::client {

namespace {

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
         || c == '_' || c == '~';
}

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

} // namespace

std::string percent_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (unreserved(c)) {
      out += c;
      continue;
    }
    auto u = static_cast<unsigned char>(c);
    out += '%';
    out += hex[u >> 4];
    out += hex[u & 0x0f];
  }
  return out;
}

query_builder& query_builder::add(std::string_view key, std::string_view value) {
  params_.emplace_back(std::string(key), std::string(value));
  return *this;
}

query_builder& query_builder::add_if(std::string_view key, std::string_view value) {
  if (!value.empty())
    add(key, value);
  return *this;
}

std::string query_builder::str() const {
  std::string out;
  for (const auto& [key, value] : params_) {
    out += out.empty() ? '?' : '&';
    out += percent_encode(key);
    out += '=';
    out += percent_encode(value);
  }
  return out;
}

std::string server_address::host_port() const {
  return bracketed(host) + ":" + std::to_string(port);
}

std::string server_address::origin() const {
  return scheme + "://" + host_port();
}

expected<server_address> parse_server_url(std::string_view url) {
  auto bad = [url](std::string why) {
    return error{errc::invalid_argument, "server URL \"" + std::string(url) + "\": " + why};
  };
  server_address out;
  std::string_view rest;
  if (url.substr(0, 8) == "https://") {
    out.scheme = "https";
    out.port = 443;
    rest = url.substr(8);
  } else if (url.substr(0, 7) == "http://") {
    out.scheme = "http";
    out.port = 80;
    rest = url.substr(7);
  } else {
    return bad("must start with https://");
  }
  if (rest.find_first_of("?#") != std::string_view::npos)
    return bad("must not have a query or fragment");
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    out.base_path = std::string(rest.substr(slash));
    while (!out.base_path.empty() && out.base_path.back() == '/')
      out.base_path.pop_back();
  }
  if (authority.find('@') != std::string_view::npos)
    return bad("user info (user@host) is not supported");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return bad("unclosed '[' in the host");
    out.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return bad("unexpected text after ']'");
      port_text = after.substr(1);
      if (port_text.empty())
        return bad("empty port");
    }
  } else {
    auto colon = authority.find(':');
    if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos)
      return bad("an IPv6 address must be in brackets (https://[::1]:6443)");
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty())
        return bad("empty port");
    }
  }
  if (out.host.empty())
    return bad("no host");
  if (!port_text.empty()) {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port < 1 || port > 65535)
      return bad("bad port \"" + std::string(port_text) + "\"");
    out.port = port;
  }
  return out;
}

} // namespace podvisor::kube::client
