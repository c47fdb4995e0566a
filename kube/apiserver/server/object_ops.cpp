#include "kube/apiserver/server/object_ops.hpp"

#include <cstdio>
#include <random>

#include "kube/api/timestamp.hpp"

namespace podvisor::kube::apiserver {

namespace {
std::mt19937_64& rng() {
  // One generator per thread, seeded from the OS: uids and generated names must not
  // repeat across restarts, and thread_local avoids a lock on a hot path.
  thread_local std::mt19937_64 engine{std::random_device{}() ^ (std::uint64_t{std::random_device{}()} << 32)};
  return engine;
}
} // namespace

std::string new_uid() {
  auto hi = rng()();
  auto lo = rng()();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL; // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

std::string generate_name(std::string_view prefix) {
  static constexpr std::string_view alphabet = "bcdfghjklmnpqrstvwxz2456789";
  constexpr std::size_t random_length = 5;
  constexpr std::size_t max_name = 63;
  std::string out(prefix.substr(0, std::min(prefix.size(), max_name - random_length)));
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  for (std::size_t i = 0; i < random_length; ++i)
    out.push_back(alphabet[pick(rng())]);
  return out;
}

json& metadata_of(json& object) {
  auto& meta = object["metadata"];
  if (!meta.is_object())
    meta = json::object();
  return meta;
}

std::string meta_string(const json& object, const char* key) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object())
    return {};
  auto it = meta->find(key);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : std::string();
}

json without_metadata_and_status(const json& object) {
  json out = object;
  out.erase("metadata");
  out.erase("status");
  return out;
}

bool has_finalizers(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object())
    return false;
  auto f = meta->find("finalizers");
  return f != meta->end() && f->is_array() && !f->empty();
}

bool is_terminating(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object())
    return false;
  auto d = meta->find("deletionTimestamp");
  return d != meta->end() && !d->is_null();
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  return api::format_timestamp(api::timestamp{t});
}

} // namespace podvisor::kube::apiserver
