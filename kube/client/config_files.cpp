#include "kube/client/config_files.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

namespace podvisor::kube::client {

expected<std::string> read_text_file(const std::filesystem::path& file, std::string_view what) {
  constexpr std::uintmax_t limit = 16 * 1024 * 1024;
  auto name = std::string(what) + " " + file.string();
  std::error_code ec;
  auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status))
    return error{errc::not_found, name + ": no such file"};
  if (std::filesystem::is_directory(status))
    return error{errc::invalid_argument, name + ": is a directory, not a file"};
  if (std::filesystem::is_regular_file(status)) {
    auto size = std::filesystem::file_size(file, ec);
    if (!ec && size > limit)
      return error{errc::resource_exhausted, name + ": larger than 16 MiB"};
  }
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return error{errc::io_error, name + ": cannot open: " + std::strerror(errno)};
  std::string out;
  char buf[64 * 1024];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    out.append(buf, static_cast<std::size_t>(in.gcount()));
    if (out.size() > limit)
      return error{errc::resource_exhausted, name + ": larger than 16 MiB"};
  }
  if (in.bad())
    return error{errc::io_error, name + ": read failed"};
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z')
      return c - 'A';
    if (c >= 'a' && c <= 'z')
      return c - 'a' + 26;
    if (c >= '0' && c <= '9')
      return c - '0' + 52;
    if (c == '+')
      return 62;
    if (c == '/')
      return 63;
    return -1;
  };
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
      continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    if (padding) // data after padding
      return std::nullopt;
    int v = value(c);
    if (v < 0)
      return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // A single leftover sextet cannot encode a byte.
  if (bits >= 6)
    return std::nullopt;
  return out;
}

std::string trim(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return {};
  auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

bool has_pem_block(std::string_view text, std::string_view label) {
  auto begin = "-----BEGIN " + std::string(label) + "-----";
  auto end = "-----END " + std::string(label) + "-----";
  auto b = text.find(begin);
  return b != std::string_view::npos && text.find(end, b) != std::string_view::npos;
}

} // namespace podvisor::kube::client
