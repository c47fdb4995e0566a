#include "actors/agent/vm_snapshot.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <map>
#include <tuple>

namespace podvisor::actors::agent {

namespace {

using nlohmann::json;
using introspect::metric_type;

std::int64_t millis_between(wall_time from, wall_time to) {
  auto d = std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
  return d < 0 ? 0 : d;
}

} // namespace

void vm_snapshot::transition(std::string state, wall_time at, std::string why) {
  if (!timeline.empty() && timeline.back().state == state)
    return;
  if (timeline.size() >= max_timeline)
    timeline.erase(timeline.begin());
  timeline.push_back({std::move(state), at, std::move(why)});
}

bool vm_snapshot::add_lease(std::string interface, std::string mac, std::string ip, wall_time at) {
  for (auto& l : leases) {
    if (l.interface != interface)
      continue;
    if (l.mac == mac && l.ip == ip)
      return false; // a renewal
    l = {std::move(interface), std::move(mac), std::move(ip), at};
    return true;
  }
  leases.push_back({std::move(interface), std::move(mac), std::move(ip), at});
  return true;
}

void vm_snapshot::add_error(std::string message, wall_time at) {
  if (errors.size() >= max_errors)
    errors.pop_front();
  errors.push_back({at, std::move(message)});
}

std::string format_time_ms(wall_time t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  int frac = static_cast<int>(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

std::string state_name(std::string_view stage) {
  std::string out;
  bool upper = true;
  for (char c : stage) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

json to_json(const vm_snapshot& s, wall_time now) {
  json j{{"namespace", s.namespace_}, {"name", s.name}, {"uid", s.uid}, {"node", s.node}};
  j["state"] = std::string(s.state());
  if (!s.timeline.empty())
    j["since"] = format_time_ms(s.timeline.back().at);
  j["phase"] = s.phase;
  j["reason"] = s.reason;
  auto timeline = json::array();
  for (std::size_t i = 0; i < s.timeline.size(); ++i) {
    const auto& e = s.timeline[i];
    auto until = i + 1 < s.timeline.size() ? s.timeline[i + 1].at : now;
    timeline.push_back(
      {{"state", e.state}, {"at", format_time_ms(e.at)}, {"durationMs", millis_between(e.at, until)}, {"reason", e.reason}});
  }
  j["timeline"] = std::move(timeline);
  auto children = json::array();
  for (const auto& c : s.children)
    children.push_back({{"name", c.name}, {"restarts", c.restarts}, {"mailbox", c.mailbox}, {"messages", c.messages}});
  j["children"] = std::move(children);
  j["launcher"] = {{"pid", s.launcher.pid},
                   {"qemuPid", s.launcher.qemu_pid},
                   {"domainState", s.launcher.domain_state},
                   {"socket", s.launcher.socket}};
  auto network = json::array();
  for (const auto& n : s.network)
    network.push_back({{"interface", n.interface},
                       {"binding", n.binding},
                       {"bridge", n.bridge},
                       {"tap", n.tap},
                       {"mac", n.mac},
                       {"guestAddress", n.guest_address},
                       {"gateway", n.gateway},
                       {"nftTable", n.nft_table}});
  j["network"] = std::move(network);
  auto leases = json::array();
  for (const auto& l : s.leases)
    leases.push_back({{"interface", l.interface}, {"mac", l.mac}, {"ip", l.ip}, {"at", format_time_ms(l.at)}});
  j["lease"] = std::move(leases);
  auto errors = json::array();
  for (const auto& e : s.errors)
    errors.push_back({{"at", format_time_ms(e.at)}, {"message", e.message}});
  j["errors"] = std::move(errors);
  return j;
}

error append_vm_metrics(introspect::prometheus_text& out, const std::vector<vm_snapshot>& snapshots) {
  auto who = [](const vm_snapshot& s) {
    return std::vector<introspect::label>{{"namespace", s.namespace_}, {"name", s.name}};
  };
  auto with = [&](const vm_snapshot& s, std::string key, std::string value) {
    auto l = who(s);
    l.emplace_back(std::move(key), std::move(value));
    return l;
  };
  if (auto e = out.family("podvisor_vmi_phase", metric_type::gauge, "The VMI phase the agent last wrote (1).")) return e;
  for (const auto& s : snapshots)
    if (!s.phase.empty())
      if (auto e = out.sample(with(s, "phase", s.phase), 1)) return e;
  if (auto e = out.family("podvisor_vmi_vcpus", metric_type::gauge, "vCPUs of the running domain.")) return e;
  for (const auto& s : snapshots)
    if (s.launcher.vcpus > 0)
      if (auto e = out.sample(who(s), s.launcher.vcpus)) return e;
  if (auto e = out.family("podvisor_vmi_memory_bytes", metric_type::gauge, "Memory of the running domain in bytes.")) return e;
  for (const auto& s : snapshots)
    if (s.launcher.memory_kib > 0)
      if (auto e = out.sample(who(s), static_cast<double>(s.launcher.memory_kib) * 1024.0)) return e;
  if (auto e = out.family("podvisor_vmi_domain_state", metric_type::gauge, "The libvirt domain state the launcher reported (1).")) return e;
  for (const auto& s : snapshots)
    if (!s.launcher.domain_state.empty())
      if (auto e = out.sample(with(s, "state", s.launcher.domain_state), 1)) return e;
  if (auto e = out.family("podvisor_vmi_cpu_seconds_total", metric_type::counter, "CPU time the domain used, in seconds.")) return e;
  for (const auto& s : snapshots)
    if (s.launcher.cpu_time_ns > 0)
      if (auto e = out.sample(who(s), static_cast<double>(s.launcher.cpu_time_ns) / 1e9)) return e;
  // Per device: the launcher's last status answer (libvirt's counters, named by the VMI).
  using interface_field = std::uint64_t interface_counters::*;
  for (auto [family, help, field] : {
           std::tuple{"podvisor_vmi_network_receive_bytes_total", "Bytes received on the VMI interface.",
                      interface_field{&interface_counters::rx_bytes}},
           std::tuple{"podvisor_vmi_network_transmit_bytes_total", "Bytes transmitted on the VMI interface.",
                      interface_field{&interface_counters::tx_bytes}},
           std::tuple{"podvisor_vmi_network_receive_packets_total", "Packets received on the VMI interface.",
                      interface_field{&interface_counters::rx_packets}},
           std::tuple{"podvisor_vmi_network_transmit_packets_total", "Packets transmitted on the VMI interface.",
                      interface_field{&interface_counters::tx_packets}},
           std::tuple{"podvisor_vmi_network_receive_errors_total", "Receive errors on the VMI interface.",
                      interface_field{&interface_counters::rx_errors}},
           std::tuple{"podvisor_vmi_network_transmit_errors_total", "Transmit errors on the VMI interface.",
                      interface_field{&interface_counters::tx_errors}},
           std::tuple{"podvisor_vmi_network_receive_packets_dropped_total",
                      "Received packets dropped on the VMI interface.", interface_field{&interface_counters::rx_drops}},
           std::tuple{"podvisor_vmi_network_transmit_packets_dropped_total",
                      "Transmitted packets dropped on the VMI interface.", interface_field{&interface_counters::tx_drops}},
       }) {
    if (auto e = out.family(family, metric_type::counter, help)) return e;
    for (const auto& s : snapshots)
      for (const auto& i : s.launcher.interfaces)
        if (auto e = out.sample(with(s, "interface", i.name), static_cast<double>(i.*field))) return e;
  }
  using block_field = std::uint64_t block_counters::*;
  for (auto [family, help, field] : {
           std::tuple{"podvisor_vmi_storage_read_bytes_total", "Bytes read from the VMI disk.",
                      block_field{&block_counters::read_bytes}},
           std::tuple{"podvisor_vmi_storage_write_bytes_total", "Bytes written to the VMI disk.",
                      block_field{&block_counters::write_bytes}},
           std::tuple{"podvisor_vmi_storage_read_requests_total", "Read requests to the VMI disk.",
                      block_field{&block_counters::read_requests}},
           std::tuple{"podvisor_vmi_storage_write_requests_total", "Write requests to the VMI disk.",
                      block_field{&block_counters::write_requests}},
       }) {
    if (auto e = out.family(family, metric_type::counter, help)) return e;
    for (const auto& s : snapshots)
      for (const auto& b : s.launcher.blocks)
        if (auto e = out.sample(with(s, "drive", b.name), static_cast<double>(b.*field))) return e;
  }
  if (auto e = out.family("podvisor_agent_supervisors", metric_type::gauge, "VM supervisors on this node by state.")) return e;
  std::map<std::string, int> by_state;
  std::uint64_t restarts = 0;
  for (const auto& s : snapshots) {
    ++by_state[std::string(s.state())];
    for (const auto& c : s.children)
      restarts += c.restarts;
  }
  for (const auto& [state, n] : by_state)
    if (auto e = out.sample({{"state", state}}, n)) return e;
  if (auto e = out.family("podvisor_agent_supervisor_restarts_total", metric_type::counter,
                          "Restarts of the supervisors' actors on this node.")) return e;
  return out.sample({}, static_cast<double>(restarts));
}

} // namespace podvisor::actors::agent
