#include "net/binding/resolv_conf.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace podvisor::net::binding {

namespace {

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
      ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      ++i;
    if (i > start)
      words.push_back(line.substr(start, i - start));
  }
  return words;
}

std::string strip_dot(std::string_view name) {
  while (!name.empty() && name.back() == '.')
    name.remove_suffix(1);
  return std::string{name};
}

} // namespace

resolver_config parse_resolv_conf(std::string_view text) {
  resolver_config out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (auto hash = line.find_first_of("#;"); hash != std::string_view::npos)
      line = line.substr(0, hash);
    auto words = split_words(line);
    if (words.empty())
      continue;
    if (words[0] == "nameserver" && words.size() >= 2) {
      auto addr = dhcp::parse_ipv4(words[1]);
      if (addr && std::find(out.nameservers.begin(), out.nameservers.end(), *addr) == out.nameservers.end())
        out.nameservers.push_back(*addr);
    } else if (words[0] == "search") {
      out.search.clear();
      for (std::size_t i = 1; i < words.size(); ++i) {
        auto name = strip_dot(words[i]);
        if (!name.empty() && std::find(out.search.begin(), out.search.end(), name) == out.search.end())
          out.search.push_back(std::move(name));
      }
    } else if (words[0] == "domain" && words.size() >= 2) {
      out.search.clear();
      if (auto name = strip_dot(words[1]); !name.empty())
        out.search.push_back(std::move(name));
    }
  }
  return out;
}

expected<resolver_config> read_resolv_conf(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    int err = errno;
    return error{err == ENOENT ? errc::not_found : errc::io_error,
                 "resolv.conf " + path.string() + ": " + std::strerror(err)};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return error{errc::io_error, "resolv.conf " + path.string() + ": read failed"};
  return parse_resolv_conf(text.str());
}

} // namespace podvisor::net::binding
