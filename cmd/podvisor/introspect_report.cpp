#include "cmd/podvisor/introspect_report.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace podvisor::cli {

namespace {

using json = nlohmann::json;

std::string str(const json& j, const char* key) {
  if (!j.is_object())
    return {};
  auto it = j.find(key);
  if (it == j.end())
    return {};
  if (it->is_string())
    return it->get<std::string>();
  if (it->is_number_integer())
    return std::to_string(it->get<std::int64_t>());
  return {};
}

const json& array_at(const json& j, const char* key) {
  static const json empty = json::array();
  if (!j.is_object())
    return empty;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}

/// Rows under a header, columns padded to their widest cell.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& r : rows)
      width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out = "  ";
    for (std::size_t c = 0; c < cells.size(); ++c) {
      out += cells[c];
      if (c + 1 < cells.size())
        out += std::string(width[c] - cells[c].size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ')
      out.pop_back();
    return out + "\n";
  };
  std::string out = line(header);
  for (const auto& r : rows)
    out += line(r);
  return out;
}

std::string or_dash(std::string s) {
  return s.empty() ? "-" : s;
}

std::string timeline_row_duration(const json& entry) {
  if (entry.is_object() && entry.contains("durationMs") && entry["durationMs"].is_number())
    return format_duration_ms(entry["durationMs"].get<std::int64_t>());
  return "-";
}

std::string render_timeline(const json& snapshot) {
  const auto& timeline = array_at(snapshot, "timeline");
  if (timeline.empty())
    return {};
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : timeline)
    rows.push_back({or_dash(str(e, "state")), or_dash(str(e, "at")), timeline_row_duration(e), str(e, "reason")});
  return "\nTimeline:\n" + table({"STATE", "AT", "DURATION", "REASON"}, rows);
}

std::string render_launcher(const json& snapshot) {
  if (!snapshot.is_object() || !snapshot.contains("launcher") || !snapshot["launcher"].is_object())
    return {};
  const auto& l = snapshot["launcher"];
  auto pid = str(l, "pid");
  auto qemu = str(l, "qemuPid");
  std::string out = "\nLauncher:\n";
  out += "  pid " + (pid.empty() || pid == "0" ? std::string("-") : pid) + ", QEMU pid "
         + (qemu.empty() || qemu == "0" ? std::string("-") : qemu) + ", domain " + or_dash(str(l, "domainState")) + "\n";
  if (auto socket = str(l, "socket"); !socket.empty())
    out += "  control socket " + socket + "\n";
  return out;
}

std::string render_network(const json& snapshot) {
  const auto& network = array_at(snapshot, "network");
  if (network.empty())
    return {};
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : network)
    rows.push_back({or_dash(str(n, "interface")), or_dash(str(n, "binding")), or_dash(str(n, "bridge")),
                    or_dash(str(n, "tap")), or_dash(str(n, "mac")), or_dash(str(n, "guestAddress")),
                    or_dash(str(n, "gateway")), or_dash(str(n, "nftTable"))});
  return "\nNetwork:\n"
         + table({"INTERFACE", "BINDING", "BRIDGE", "TAP", "MAC", "GUEST ADDRESS", "GATEWAY", "NFT TABLE"}, rows);
}

std::string render_lease(const json& snapshot) {
  const auto& lease = array_at(snapshot, "lease");
  if (lease.empty())
    return "\nLease: none served yet\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : lease)
    rows.push_back({or_dash(str(l, "interface")), or_dash(str(l, "mac")), or_dash(str(l, "ip")), or_dash(str(l, "at"))});
  return "\nLease:\n" + table({"INTERFACE", "MAC", "IP", "AT"}, rows);
}

std::string render_children(const json& snapshot) {
  const auto& children = array_at(snapshot, "children");
  if (children.empty())
    return {};
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : children)
    rows.push_back({or_dash(str(c, "name")), or_dash(str(c, "restarts")), or_dash(str(c, "mailbox"))});
  return "\nChildren:\n" + table({"NAME", "RESTARTS", "MAILBOX"}, rows);
}

std::string render_errors(const json& snapshot) {
  const auto& errors = array_at(snapshot, "errors");
  if (errors.empty())
    return {};
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : errors)
    rows.push_back({or_dash(str(e, "at")), str(e, "message")});
  return "\nErrors:\n" + table({"AT", "MESSAGE"}, rows);
}

} // namespace

std::string format_duration_ms(std::int64_t ms) {
  if (ms < 0)
    return "-";
  char buf[48];
  if (ms < 1000)
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ms));
  else if (ms < 60'000)
    std::snprintf(buf, sizeof buf, "%lld.%02llds", static_cast<long long>(ms / 1000),
                  static_cast<long long>(ms % 1000 / 10));
  else if (ms < 3'600'000)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(ms / 60'000),
                  static_cast<long long>(ms % 60'000 / 1000));
  else
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms % 3'600'000 / 60'000));
  return buf;
}

std::string render_report(const json& snapshot) {
  std::string out;
  auto ns = str(snapshot, "namespace");
  auto name = str(snapshot, "name");
  out += "VMI:     " + or_dash(ns) + "/" + or_dash(name);
  if (auto uid = str(snapshot, "uid"); !uid.empty())
    out += " (uid " + uid + ")";
  out += "\nNode:    " + or_dash(str(snapshot, "node")) + "\n";
  out += "State:   " + or_dash(str(snapshot, "state"));
  if (auto since = str(snapshot, "since"); !since.empty())
    out += " since " + since;
  out += "\nPhase:   " + or_dash(str(snapshot, "phase")) + "\n";
  if (auto reason = str(snapshot, "reason"); !reason.empty())
    out += "Reason:  " + reason + "\n";
  out += render_timeline(snapshot);
  out += render_launcher(snapshot);
  out += render_network(snapshot);
  out += render_lease(snapshot);
  out += render_children(snapshot);
  out += render_errors(snapshot);
  return out;
}

std::string render_update(const json& previous, const json& current) {
  const auto& before = array_at(previous, "timeline");
  const auto& after = array_at(current, "timeline");
  if (!previous.is_object() || after.size() < before.size())
    return render_report(current);
  std::string out;
  for (std::size_t i = before.size(); i < after.size(); ++i) {
    out += or_dash(str(after[i], "at")) + "  -> " + or_dash(str(after[i], "state"));
    if (i > 0) // the state left now has its final duration
      out += "  (" + or_dash(str(after[i - 1], "state")) + " took " + timeline_row_duration(after[i - 1]) + ")";
    if (auto reason = str(after[i], "reason"); !reason.empty())
      out += "  reason: " + reason;
    out += "\n";
  }
  if (after.empty() && str(previous, "state") != str(current, "state"))
    out += or_dash(str(current, "since")) + "  -> " + or_dash(str(current, "state")) + "\n";
  const auto& old_errors = array_at(previous, "errors");
  const auto& new_errors = array_at(current, "errors");
  // The agent keeps the last few errors: anything not in the previous list is new.
  for (const auto& e : new_errors)
    if (std::find(old_errors.begin(), old_errors.end(), e) == old_errors.end())
      out += or_dash(str(e, "at")) + "  error: " + str(e, "message") + "\n";
  const auto& old_lease = array_at(previous, "lease");
  for (const auto& l : array_at(current, "lease"))
    if (std::find(old_lease.begin(), old_lease.end(), l) == old_lease.end())
      out += or_dash(str(l, "at")) + "  lease " + or_dash(str(l, "interface")) + ": " + or_dash(str(l, "ip")) + " to "
             + or_dash(str(l, "mac")) + "\n";
  return out;
}

} // namespace podvisor::cli
