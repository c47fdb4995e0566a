// Domain search list (option 119): RFC 1035 §4.1.4 name compression inside the option
// value, as RFC 3397 §2 requires.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "net/dhcp/options.hpp"

namespace podvisor::net::dhcp {

namespace {

// A compression pointer holds a 14-bit offset.
constexpr std::size_t max_pointer_offset = 0x3fff;
constexpr std::size_t max_name_length = 255;
constexpr std::size_t max_label_length = 63;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

expected<std::vector<std::string>> split_labels(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.')
    domain.remove_suffix(1);
  if (domain.empty())
    return error{errc::invalid_argument, "empty search domain"};
  // Wire length: one length byte per label plus the labels plus the root's zero byte.
  if (domain.size() + 2 > max_name_length)
    return error{errc::invalid_argument, "search domain " + std::string(domain) + ": longer than 255 bytes"};
  std::vector<std::string> labels;
  std::size_t start = 0;
  while (true) {
    auto dot = domain.find('.', start);
    auto label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > max_label_length)
      return error{errc::invalid_argument,
                   "search domain " + std::string(domain) + ": labels must be 1 to 63 bytes"};
    labels.emplace_back(label);
    if (dot == std::string_view::npos)
      break;
    start = dot + 1;
  }
  return labels;
}

} // namespace

expected<std::vector<std::uint8_t>> encode_domain_search(const std::vector<std::string>& domains) {
  std::vector<std::uint8_t> out;
  // Lower-cased suffix ("apple.com") → offset of its first label in `out`.
  std::map<std::string, std::size_t> written;
  for (const auto& domain : domains) {
    auto labels = split_labels(domain);
    if (!labels)
      return labels.error();
    const auto& ls = *labels;
    bool pointed = false;
    for (std::size_t i = 0; i < ls.size(); ++i) {
      std::string suffix;
      for (std::size_t k = i; k < ls.size(); ++k) {
        if (k != i)
          suffix += '.';
        suffix += lower(ls[k]);
      }
      if (auto it = written.find(suffix); it != written.end()) {
        out.push_back(static_cast<std::uint8_t>(0xc0 | (it->second >> 8)));
        out.push_back(static_cast<std::uint8_t>(it->second & 0xff));
        pointed = true;
        break;
      }
      if (out.size() <= max_pointer_offset)
        written.emplace(std::move(suffix), out.size());
      out.push_back(static_cast<std::uint8_t>(ls[i].size()));
      out.insert(out.end(), ls[i].begin(), ls[i].end());
    }
    if (!pointed)
      out.push_back(0);
  }
  return out;
}

expected<std::vector<std::string>> decode_domain_search(std::span<const std::uint8_t> data) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < data.size()) {
    std::string name;
    std::size_t wire_length = 1; // the root label
    std::size_t pos = i;
    // Where the next name starts: after the first pointer or the root label.
    std::optional<std::size_t> next;
    // Every pointer must go below the lowest position read so far, so the walk ends.
    std::size_t floor = i;
    while (true) {
      if (pos >= data.size())
        return error{errc::parse_error, "domain search name at byte " + std::to_string(i) + ": truncated"};
      std::uint8_t len = data[pos];
      if (len == 0) {
        if (!next)
          next = pos + 1;
        break;
      }
      if ((len & 0xc0) == 0xc0) {
        if (pos + 1 >= data.size())
          return error{errc::parse_error, "domain search pointer at byte " + std::to_string(pos) + ": truncated"};
        std::size_t target = (std::size_t{len & 0x3fu} << 8) | data[pos + 1];
        if (!next)
          next = pos + 2;
        if (target >= floor)
          return error{errc::parse_error, "domain search pointer at byte " + std::to_string(pos) +
                                              ": must point backwards"};
        floor = target;
        pos = target;
        continue;
      }
      if ((len & 0xc0) != 0)
        return error{errc::parse_error, "domain search label at byte " + std::to_string(pos) + ": bad label type"};
      if (pos + 1 + len > data.size())
        return error{errc::parse_error, "domain search label at byte " + std::to_string(pos) + ": truncated"};
      wire_length += 1 + len;
      if (wire_length > max_name_length)
        return error{errc::parse_error, "domain search name at byte " + std::to_string(i) + ": longer than 255 bytes"};
      if (!name.empty())
        name += '.';
      name.append(reinterpret_cast<const char*>(data.data() + pos + 1), len);
      pos += 1 + len;
    }
    if (name.empty())
      return error{errc::parse_error, "domain search name at byte " + std::to_string(i) + ": empty"};
    out.push_back(std::move(name));
    i = *next;
  }
  return out;
}

} // namespace podvisor::net::dhcp
