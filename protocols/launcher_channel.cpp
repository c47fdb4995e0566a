#include "protocols/launcher_channel.hpp"

#include <nlohmann/json.hpp>

#include "common/format.hpp"

namespace podvisor::protocols {

using json = nlohmann::json;

std::string_view to_string(launcher_op op) {
  switch (op) {
  case launcher_op::hello: return "hello";
  case launcher_op::status: return "status";
  case launcher_op::shutdown: return "shutdown";
  case launcher_op::pause: return "pause";
  case launcher_op::resume: return "resume";
  case launcher_op::watch: return "watch";
  }
  return "unknown";
}

namespace {

std::optional<launcher_op> op_named(std::string_view s) {
  for (auto op : {launcher_op::hello, launcher_op::status, launcher_op::shutdown, launcher_op::pause,
                  launcher_op::resume, launcher_op::watch})
    if (to_string(op) == s)
      return op;
  return std::nullopt;
}

error bad(std::string msg) {
  return error{errc::invalid_argument, std::move(msg)};
}

} // namespace

expected<launcher_request> parse_launcher_request(std::string_view line) {
  if (line.size() > launcher_channel_max_line_bytes)
    return bad(format("request of {} bytes exceeds the limit of {}", line.size(), launcher_channel_max_line_bytes));
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return bad("request is not valid JSON");
  if (!j.is_object())
    return bad("request must be a JSON object");
  auto op_it = j.find("op");
  if (op_it == j.end() || !op_it->is_string())
    return bad("request needs \"op\" (a string)");
  auto op = op_named(op_it->get_ref<const std::string&>());
  if (!op)
    return bad(format("unknown op \"{}\"", op_it->get_ref<const std::string&>()));
  launcher_request r;
  r.op = *op;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    if (key == "op")
      continue;
    if (key == "versions" && r.op == launcher_op::hello) {
      if (!it->is_array() || it->empty())
        return bad("\"versions\" must be a non-empty array of protocol versions");
      for (const auto& v : *it) {
        if (!v.is_number_unsigned() || v.get<std::uint64_t>() > 0xffffffffu)
          return bad("\"versions\" must hold unsigned 32-bit integers");
        r.versions.push_back(v.get<std::uint32_t>());
      }
    } else if (key == "graceSeconds" && r.op == launcher_op::shutdown) {
      if (!it->is_number_integer())
        return bad("\"graceSeconds\" must be an integer");
      auto g = it->get<std::int64_t>();
      if (g < 0 || g > launcher_channel_max_grace_s)
        return bad(format("\"graceSeconds\" must be between 0 and {}", launcher_channel_max_grace_s));
      r.grace_seconds = g;
    } else {
      return bad(format("unexpected field \"{}\" in a {} request", key, r.op));
    }
  }
  if (r.op == launcher_op::hello && r.versions.empty())
    return bad("hello needs \"versions\"");
  return r;
}

std::string render_launcher_request(const launcher_request& r) {
  json j{{"op", std::string(to_string(r.op))}};
  if (r.op == launcher_op::hello)
    j["versions"] = r.versions;
  if (r.op == launcher_op::shutdown && r.grace_seconds)
    j["graceSeconds"] = *r.grace_seconds;
  return j.dump();
}

std::optional<std::uint32_t> pick_launcher_channel_version(const std::vector<std::uint32_t>& offered) {
  std::optional<std::uint32_t> best;
  for (auto mine : launcher_channel_versions)
    for (auto theirs : offered)
      if (mine == theirs && (!best || mine > *best))
        best = mine;
  return best;
}

std::string render_launcher_error(const error& e) {
  // The message may quote libvirt or QEMU verbatim: bytes that are not UTF-8 are replaced
  // rather than thrown about.
  return json{{"ok", false}, {"error", {{"code", std::string(to_string(e.code))}, {"message", e.message}}}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

} // namespace podvisor::protocols
