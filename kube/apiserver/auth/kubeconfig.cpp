#include "kube/apiserver/auth/kubeconfig.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "common/base64.hpp"
#include "kube/apiserver/auth/secure_file.hpp"

namespace podvisor::kube::apiserver {

namespace {

/// Words a YAML 1.1 reader (go-yaml v2, PyYAML) reads as a boolean or null rather than a
/// string (compared case-insensitively, which quotes a few more words than needed).
bool is_yaml_keyword(std::string_view s) {
  static constexpr std::array<std::string_view, 10> words = {"y",  "yes", "n",     "no",  "true",
                                                             "false", "on", "off", "null", "~"};
  std::string lower;
  for (char c : s)
    lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return std::find(words.begin(), words.end(), lower) != words.end();
}

/// A YAML scalar for `s`: plain when it is unambiguously a string (letters, digits and
/// URL punctuation, starting with a letter or '/'), double-quoted with escapes otherwise.
std::string yaml_scalar(std::string_view s) {
  bool plain = !s.empty() && !is_yaml_keyword(s) &&
               ((s.front() >= 'a' && s.front() <= 'z') || (s.front() >= 'A' && s.front() <= 'Z') ||
                s.front() == '/') &&
               s.back() != ':';
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '@' ||
              c == '+' || c == '=' || c == '[' || c == ']';
    plain = plain && ok;
  }
  // '[' and ']' appear in IPv6 URLs; they only open a flow sequence at the start.
  if (plain)
    return std::string{s};
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[7];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

} // namespace

std::string server_url(std::string_view host, std::uint16_t port) {
  std::string h{host};
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']')
    h = h.substr(1, h.size() - 2);
  if (h.empty() || h == "0.0.0.0")
    h = "127.0.0.1";
  else if (h == "::" || h == "0:0:0:0:0:0:0:0")
    h = "::1";
  if (h.find(':') != std::string::npos)
    h = "[" + h + "]";
  return "https://" + h + ":" + std::to_string(port);
}

std::string render_kubeconfig(const kubeconfig& c) {
  std::string out;
  out += "apiVersion: v1\n";
  out += "kind: Config\n";
  out += "clusters:\n";
  out += "- name: " + yaml_scalar(c.cluster_name) + "\n";
  out += "  cluster:\n";
  out += "    server: " + yaml_scalar(c.server) + "\n";
  if (!c.ca_pem.empty())
    out += "    certificate-authority-data: " + yaml_scalar(base64_encode(c.ca_pem)) + "\n";
  out += "users:\n";
  out += "- name: " + yaml_scalar(c.user_name) + "\n";
  out += "  user:\n";
  if (!c.client_cert_pem.empty()) {
    out += "    client-certificate-data: " + yaml_scalar(base64_encode(c.client_cert_pem)) + "\n";
    out += "    client-key-data: " + yaml_scalar(base64_encode(c.client_key_pem)) + "\n";
  } else {
    out += "    token: " + yaml_scalar(c.token) + "\n";
  }
  out += "contexts:\n";
  out += "- name: " + yaml_scalar(c.context_name) + "\n";
  out += "  context:\n";
  out += "    cluster: " + yaml_scalar(c.cluster_name) + "\n";
  out += "    user: " + yaml_scalar(c.user_name) + "\n";
  if (!c.namespace_.empty())
    out += "    namespace: " + yaml_scalar(c.namespace_) + "\n";
  out += "current-context: " + yaml_scalar(c.context_name) + "\n";
  out += "preferences: {}\n";
  return out;
}

error write_kubeconfig(const std::filesystem::path& path, const kubeconfig& config) {
  return write_file_atomically(path, render_kubeconfig(config), mode_private);
}

} // namespace podvisor::kube::apiserver
