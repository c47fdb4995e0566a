#include "kube/apiserver/auth/token_file.hpp"

#include <array>

#include <openssl/err.h>
#include <openssl/rand.h>

#include "common/base64.hpp"
#include "kube/apiserver/auth/csv.hpp"
#include "kube/apiserver/auth/secure_file.hpp"

namespace podvisor::kube::apiserver {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_groups(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto part = list.substr(0, comma);
    if (!part.empty())
      out.emplace_back(part);
    if (comma == std::string_view::npos)
      break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

std::string join_groups(const std::vector<std::string>& groups) {
  std::string out;
  for (const auto& g : groups) {
    if (!out.empty())
      out += ',';
    out += g;
  }
  return out;
}

} // namespace

expected<std::string> generate_token() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    ERR_clear_error();
    return error{errc::internal, "RAND_bytes failed to produce a token"};
  }
  return base64url_encode(
    std::string_view{reinterpret_cast<const char*>(bytes.data()), bytes.size()});
}

expected<std::vector<token_entry>> parse_token_file(std::string_view text) {
  auto records = parse_csv(text);
  if (!records)
    return records.error();
  std::vector<token_entry> entries;
  for (auto& record : *records) {
    auto& f = record.fields;
    if (f.size() < 3)
      return error{errc::parse_error,
                   "line " + std::to_string(record.line) +
                     ": must have at least 3 columns (token, user name, user uid), found " +
                     std::to_string(f.size())};
    if (f[0].empty()) // kube-apiserver warns and skips such a line
      continue;
    token_entry entry;
    entry.token = std::move(f[0]);
    entry.user.name = std::move(f[1]);
    entry.user.uid = std::move(f[2]);
    if (f.size() >= 4)
      entry.user.groups = split_groups(f[3]);
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string format_token_line(const token_entry& entry) {
  return csv_field(entry.token) + ',' + csv_field(entry.user.name) + ',' +
         csv_field(entry.user.uid) + ',' + csv_quoted(join_groups(entry.user.groups)) + '\n';
}

expected<std::vector<token_entry>> load_token_file(const fs::path& path) {
  auto text = read_small_file(path, 16 << 20);
  if (!text)
    return text.error();
  auto entries = parse_token_file(*text);
  if (!entries)
    return error{entries.error().code, path.string() + ": " + entries.error().message};
  if (auto e = restrict_to_owner(path))
    return e;
  return entries;
}

const token_entry* find_user_token(const std::vector<token_entry>& entries, std::string_view name) {
  for (const auto& entry : entries)
    if (entry.user.name == name)
      return &entry;
  return nullptr;
}

expected<token_file_state> ensure_token_file(const fs::path& path,
                                             const std::vector<user_info>& users) {
  std::string text;
  std::error_code ec;
  if (fs::exists(path, ec)) {
    auto existing = read_small_file(path, 16 << 20);
    if (!existing)
      return existing.error();
    text = std::move(*existing);
  }
  auto parsed = parse_token_file(text);
  if (!parsed)
    return error{parsed.error().code, path.string() + ": " + parsed.error().message};

  token_file_state state{std::move(*parsed), {}};
  if (!text.empty() && text.back() != '\n')
    text += '\n';
  for (const auto& user : users) {
    if (find_user_token(state.entries, user.name))
      continue;
    auto token = generate_token();
    if (!token)
      return token.error();
    token_entry entry{std::move(*token), user};
    text += format_token_line(entry);
    state.entries.push_back(std::move(entry));
    state.added.push_back(user.name);
  }
  if (!state.added.empty() || !fs::exists(path, ec)) {
    if (auto e = write_file_atomically(path, text, mode_private))
      return e;
  } else if (auto e = restrict_to_owner(path)) {
    return e;
  }
  return state;
}

} // namespace podvisor::kube::apiserver
