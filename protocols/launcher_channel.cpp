#include "protocols/launcher_channel.hpp"

#include <limits>

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
  case launcher_op::start: return "start";
  }
  return "unknown";
}

namespace {

std::optional<launcher_op> op_named(std::string_view s) {
  for (auto op : {launcher_op::hello, launcher_op::status, launcher_op::shutdown, launcher_op::pause,
                  launcher_op::resume, launcher_op::watch, launcher_op::start})
    if (to_string(op) == s)
      return op;
  return std::nullopt;
}

error bad(std::string msg) {
  return error{errc::invalid_argument, std::move(msg)};
}

// start's "networks": interface name → absolute path of its binding result. The launcher
// resolves nothing relative to its own working directory, which the agent does not know.
error parse_networks(const json& j, std::map<std::string, std::string>& out) {
  if (!j.is_object())
    return bad("\"networks\" must be an object of interface name → result file path");
  if (j.size() > launcher_channel_max_networks)
    return bad(format("\"networks\" names {} interfaces, at most {} allowed", j.size(), launcher_channel_max_networks));
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& name = it.key();
    if (name.empty() || name.size() > launcher_channel_max_interface_name)
      return bad(format("\"networks\": interface names must have 1 to {} bytes", launcher_channel_max_interface_name));
    if (name.find('\0') != std::string::npos)
      return bad("\"networks\": interface name holds a NUL byte");
    if (!it->is_string())
      return bad(format("\"networks\".{} must be a string (a file path)", name));
    const auto& path = it->get_ref<const std::string&>();
    if (path.empty() || path.front() != '/')
      return bad(format("\"networks\".{}: \"{}\" is not an absolute path", name, path));
    if (path.size() > launcher_channel_max_path)
      return bad(format("\"networks\".{}: path longer than {} bytes", name, launcher_channel_max_path));
    if (path.find('\0') != std::string::npos)
      return bad(format("\"networks\".{}: path holds a NUL byte", name));
    out[name] = path;
  }
  return {};
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
    } else if (key == "networks" && r.op == launcher_op::start) {
      if (auto e = parse_networks(*it, r.networks); !e.ok())
        return e;
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
  if (r.op == launcher_op::start && !r.networks.empty())
    j["networks"] = r.networks;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
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

std::string render_launcher_ok() {
  return R"({"ok":true})";
}

namespace {

// Answers quote libvirt and QEMU, whose bytes need not be UTF-8: replaced, not thrown.
std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json lease_json(const launcher_lease_info& l) {
  return json{{"interface", l.interface}, {"mac", l.mac}, {"ip", l.ip}};
}

error malformed(std::string what) {
  return error{errc::parse_error, "malformed answer from the launcher: " + std::move(what)};
}

// The answer line as an object whose "ok" is true; the carried error for "ok":false.
expected<json> parse_answer(std::string_view line) {
  if (line.size() > launcher_channel_max_answer_bytes)
    return malformed(format("line of {} bytes", line.size()));
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return malformed("not a JSON object");
  auto ok = j.find("ok");
  if (ok == j.end() || !ok->is_boolean())
    return malformed("no boolean \"ok\"");
  if (ok->get<bool>())
    return j;
  auto e = j.find("error");
  if (e == j.end() || !e->is_object())
    return malformed("\"ok\":false without \"error\"");
  auto code = e->find("code");
  auto message = e->find("message");
  if (code == e->end() || !code->is_string() || message == e->end() || !message->is_string())
    return malformed("\"error\" needs string \"code\" and \"message\"");
  auto c = parse_errc(code->get_ref<const std::string&>());
  if (!c || *c == errc::none)
    return error{errc::internal, format("launcher error with unknown code \"{}\": {}",
                                        code->get_ref<const std::string&>(), message->get_ref<const std::string&>())};
  return error{*c, message->get_ref<const std::string&>()};
}

// Typed field readers: the field must be there with the right type.
error get_string(const json& j, const char* key, std::string& out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string())
    return malformed(format("\"{}\" must be a string", key));
  out = it->get<std::string>();
  return {};
}

error get_int(const json& j, const char* key, std::int64_t& out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer())
    return malformed(format("\"{}\" must be an integer", key));
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return malformed(format("\"{}\" is out of range", key));
  out = it->get<std::int64_t>();
  return {};
}

error get_uint(const json& j, const char* key, std::uint64_t& out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned())
    return malformed(format("\"{}\" must be a non-negative integer", key));
  out = it->get<std::uint64_t>();
  return {};
}

error get_lease(const json& j, launcher_lease_info& l) {
  if (!j.is_object())
    return malformed("a lease must be an object");
  for (auto [key, out] : {std::pair{"interface", &l.interface}, std::pair{"mac", &l.mac}, std::pair{"ip", &l.ip}})
    if (auto e = get_string(j, key, *out); !e.ok())
      return e;
  return {};
}

/// The objects of an optional array field: none when absent (a launcher that predates
/// it), parse_error when it is not an array of at most launcher_channel_max_devices.
template <class T, class Read>
error get_device_list(const json& j, const char* key, std::vector<T>& out, Read read) {
  auto it = j.find(key);
  if (it == j.end())
    return {};
  if (!it->is_array())
    return malformed(format("\"{}\" must be an array", key));
  if (it->size() > launcher_channel_max_devices)
    return malformed(format("\"{}\" lists more than {} devices", key, launcher_channel_max_devices));
  for (const auto& d : *it) {
    if (!d.is_object())
      return malformed(format("an entry of \"{}\" must be an object", key));
    T t;
    if (auto e = get_string(d, "name", t.name); !e.ok())
      return e;
    if (auto e = read(d, t); !e.ok())
      return e;
    out.push_back(std::move(t));
  }
  return {};
}

// "interfaces" and "blocks" of "stats".
error get_device_stats(const json& st, launcher_stats_info& s) {
  auto counters = [](const json& d, std::initializer_list<std::pair<const char*, std::uint64_t*>> fields) {
    for (auto [key, out] : fields)
      if (auto e = get_uint(d, key, *out); !e.ok())
        return e;
    return error{};
  };
  if (auto e = get_device_list(st, "interfaces", s.interfaces,
                               [&](const json& d, launcher_interface_stats& i) {
                                 return counters(d, {{"rxBytes", &i.rx_bytes},
                                                     {"rxPackets", &i.rx_packets},
                                                     {"rxErrors", &i.rx_errors},
                                                     {"rxDrops", &i.rx_drops},
                                                     {"txBytes", &i.tx_bytes},
                                                     {"txPackets", &i.tx_packets},
                                                     {"txErrors", &i.tx_errors},
                                                     {"txDrops", &i.tx_drops}});
                               });
      !e.ok())
    return e;
  return get_device_list(st, "blocks", s.blocks, [&](const json& d, launcher_block_stats& b) {
    return counters(d, {{"readBytes", &b.read_bytes},
                        {"readRequests", &b.read_requests},
                        {"writeBytes", &b.write_bytes},
                        {"writeRequests", &b.write_requests}});
  });
}

} // namespace

std::string render_launcher_hello(const launcher_hello_answer& a) {
  return dump(json{{"ok", true},
                   {"version", a.version},
                   {"server", a.server},
                   {"domain", a.domain},
                   {"pid", a.pid},
                   {"awaitingStart", a.awaiting_start}});
}

std::string render_launcher_status(const launcher_status_answer& a) {
  json j{{"ok", true},
         {"phase", a.phase},
         {"reason", a.reason},
         {"domainState", a.domain_state},
         {"sinceStartMs", a.since_start_ms},
         {"leases", json::array()}};
  if (a.stats) {
    json interfaces = json::array();
    for (const auto& i : a.stats->interfaces)
      interfaces.push_back({{"name", i.name},
                            {"rxBytes", i.rx_bytes},
                            {"rxPackets", i.rx_packets},
                            {"rxErrors", i.rx_errors},
                            {"rxDrops", i.rx_drops},
                            {"txBytes", i.tx_bytes},
                            {"txPackets", i.tx_packets},
                            {"txErrors", i.tx_errors},
                            {"txDrops", i.tx_drops}});
    json blocks = json::array();
    for (const auto& b : a.stats->blocks)
      blocks.push_back({{"name", b.name},
                        {"readBytes", b.read_bytes},
                        {"readRequests", b.read_requests},
                        {"writeBytes", b.write_bytes},
                        {"writeRequests", b.write_requests}});
    j["stats"] = {{"cpuTimeNs", a.stats->cpu_time_ns},
                  {"memoryKiB", a.stats->memory_kib},
                  {"vcpus", a.stats->vcpus},
                  {"qemuPid", a.stats->qemu_pid},
                  {"interfaces", std::move(interfaces)},
                  {"blocks", std::move(blocks)}};
  }
  for (const auto& l : a.leases)
    j["leases"].push_back(lease_json(l));
  return dump(j);
}

std::string render_launcher_event(const launcher_event_line& e) {
  if (e.what == launcher_event_line::kind::lease) {
    json j = lease_json(e.lease);
    j["event"] = "lease";
    return dump(j);
  }
  return dump(json{{"event", "phase"}, {"phase", e.phase}, {"reason", e.reason}});
}

error parse_launcher_ack(std::string_view line) {
  auto j = parse_answer(line);
  return j ? error{} : j.error();
}

expected<launcher_hello_answer> parse_launcher_hello(std::string_view line) {
  auto j = parse_answer(line);
  if (!j)
    return j.error();
  launcher_hello_answer a;
  std::uint64_t version = 0;
  if (auto e = get_uint(*j, "version", version); !e.ok())
    return e;
  if (version > 0xffffffffu)
    return malformed("\"version\" is out of range");
  a.version = static_cast<std::uint32_t>(version);
  if (auto e = get_string(*j, "server", a.server); !e.ok())
    return e;
  if (auto e = get_string(*j, "domain", a.domain); !e.ok())
    return e;
  // pid and awaitingStart came with the start op; a launcher without them cannot be
  // started by the agent, so they are required.
  if (auto e = get_int(*j, "pid", a.pid); !e.ok())
    return e;
  if (a.pid <= 0)
    return malformed("\"pid\" must be positive");
  auto aw = j->find("awaitingStart");
  if (aw == j->end() || !aw->is_boolean())
    return malformed("\"awaitingStart\" must be a boolean");
  a.awaiting_start = aw->get<bool>();
  return a;
}

expected<launcher_status_answer> parse_launcher_status(std::string_view line) {
  auto j = parse_answer(line);
  if (!j)
    return j.error();
  launcher_status_answer a;
  for (auto [key, out] : {std::pair{"phase", &a.phase}, std::pair{"reason", &a.reason},
                          std::pair{"domainState", &a.domain_state}})
    if (auto e = get_string(*j, key, *out); !e.ok())
      return e;
  if (auto e = get_int(*j, "sinceStartMs", a.since_start_ms); !e.ok())
    return e;
  if (auto st = j->find("stats"); st != j->end()) {
    if (!st->is_object())
      return malformed("\"stats\" must be an object");
    launcher_stats_info s;
    std::uint64_t vcpus = 0;
    if (auto e = get_uint(*st, "cpuTimeNs", s.cpu_time_ns); !e.ok())
      return e;
    if (auto e = get_uint(*st, "memoryKiB", s.memory_kib); !e.ok())
      return e;
    if (auto e = get_uint(*st, "vcpus", vcpus); !e.ok())
      return e;
    if (vcpus > 0xffffffffu)
      return malformed("\"vcpus\" is out of range");
    s.vcpus = static_cast<std::uint32_t>(vcpus);
    if (auto e = get_int(*st, "qemuPid", s.qemu_pid); !e.ok())
      return e;
    if (auto e = get_device_stats(*st, s); !e.ok())
      return e;
    a.stats = std::move(s);
  }
  auto leases = j->find("leases");
  if (leases == j->end() || !leases->is_array())
    return malformed("\"leases\" must be an array");
  for (const auto& l : *leases) {
    launcher_lease_info info;
    if (auto e = get_lease(l, info); !e.ok())
      return e;
    a.leases.push_back(std::move(info));
  }
  return a;
}

expected<launcher_event_line> parse_launcher_event(std::string_view line) {
  if (line.size() > launcher_channel_max_answer_bytes)
    return malformed(format("line of {} bytes", line.size()));
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return malformed("event is not a JSON object");
  std::string kind;
  if (auto e = get_string(j, "event", kind); !e.ok())
    return e;
  launcher_event_line ev;
  if (kind == "phase") {
    ev.what = launcher_event_line::kind::phase;
    if (auto e = get_string(j, "phase", ev.phase); !e.ok())
      return e;
    if (auto e = get_string(j, "reason", ev.reason); !e.ok())
      return e;
    return ev;
  }
  if (kind == "lease") {
    ev.what = launcher_event_line::kind::lease;
    if (auto e = get_lease(j, ev.lease); !e.ok())
      return e;
    return ev;
  }
  return malformed(format("unknown event \"{}\"", kind));
}

} // namespace podvisor::protocols
