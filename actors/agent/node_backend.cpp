#include "actors/agent/node_backend.hpp"

#include <atomic>
#include <charconv>
#include <system_error>
#include <utility>

#include "net/binding/bridge_binding.hpp"
#include "net/binding/masquerade_binding.hpp"
#include "net/binding/state_codec.hpp"
#include "net/dhcp/address.hpp"
#include "virt/channel/launcher_client.hpp"

namespace podvisor::actors::agent {

namespace {

namespace nb = podvisor::net::binding;
using podvisor::virt::channel::launcher_client;

constexpr std::chrono::milliseconds watch_connect_timeout{5000};
/// How often a watch looks at its cancel flag.
constexpr std::chrono::milliseconds watch_poll{500};

backend_lease convert(const podvisor::virt::channel::launcher_lease& l) { return {l.interface, l.mac, l.ip}; }

expected<nb::port_spec> parse_port(const std::string& s) {
  auto colon = s.find(':');
  auto proto = nb::parse_l4_protocol(s.substr(0, colon == std::string::npos ? 0 : colon));
  unsigned port = 0;
  auto tail = colon == std::string::npos ? std::string{} : s.substr(colon + 1);
  auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), port);
  if (!proto || ec != std::errc{} || p != tail.data() + tail.size() || port == 0 || port > 65535)
    return error{errc::invalid_argument, "port \"" + s + "\" is not PROTOCOL:1-65535"};
  return nb::port_spec{*proto, static_cast<std::uint16_t>(port)};
}

/// Phase 1 of one interface in `ns`.
expected<nb::binding_state> wire(const nb::netns_ref& ns, const interface_plan& plan,
                                 const std::filesystem::path& resolv_conf) {
  std::optional<net::dhcp::mac_address> mac;
  if (!plan.mac.empty()) {
    mac = net::dhcp::parse_mac(plan.mac);
    if (!mac)
      return error{errc::invalid_argument, "interface \"" + plan.name + "\": macAddress \"" + plan.mac + "\" is not a MAC"};
  }
  if (plan.binding == "masquerade") {
    nb::masquerade_options o;
    o.discovery.resolv_conf = resolv_conf;
    o.guest_mac = mac;
    o.hostname = plan.hostname;
    if (!plan.vm_network_cidr.empty())
      o.vm_network_cidr = plan.vm_network_cidr;
    for (const auto& p : plan.ports) {
      auto spec = parse_port(p);
      if (!spec)
        return spec.error();
      o.ports.push_back(*spec);
    }
    o.state_path = plan.state_path;
    return nb::setup_masquerade_binding(ns, o);
  }
  if (plan.binding == "bridge") {
    nb::bridge_options o;
    o.discovery.resolv_conf = resolv_conf;
    o.guest_mac = mac;
    o.hostname = plan.hostname;
    o.state_path = plan.state_path;
    return nb::setup_bridge_binding(ns, o);
  }
  return error{errc::unsupported, "interface \"" + plan.name + "\": binding \"" + plan.binding + "\""};
}

class node_backend final : public vm_backend {
public:
  explicit node_backend(std::filesystem::path dir) : dir_(std::move(dir)), socket_(dir_ / "control.sock") {}

  expected<backend_hello> connect(std::chrono::milliseconds timeout) override {
    client_.reset();
    // The directory is the agent's (the launcher pod mounts it); having it before the pod
    // starts lets the wait below watch it, so the launcher is reached the moment it serves.
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    auto c = launcher_client::connect_when_serving(socket_, timeout, timeout);
    if (!c)
      return c.error();
    client_ = std::move(*c);
    return backend_hello{client_->hello().pid, client_->hello().awaiting_start};
  }

  expected<std::map<std::string, std::string>> wire_network(int pid,
                                                           const std::vector<interface_plan>& plans) override {
    if (pid <= 0)
      return error{errc::invalid_argument, "the launcher did not say its pid"};
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec)
      return error{errc::io_error, "cannot create " + dir_.string() + ": " + ec.message()};
    const auto proc = std::filesystem::path{"/proc"} / std::to_string(pid);
    auto ns = nb::netns_ref::from_path((proc / "ns/net").string());
    // The pod's own resolv.conf, as the pod's mount namespace shows it.
    std::filesystem::path resolv = proc / "root/etc/resolv.conf";
    if (!std::filesystem::is_regular_file(resolv, ec))
      resolv.clear();
    std::map<std::string, std::string> results;
    for (const auto& plan : plans) {
      auto state = wire(ns, plan, resolv);
      if (!state)
        return error{state.error().code, "interface \"" + plan.name + "\": " + state.error().to_string()};
      results[plan.name] = plan.state_path.string();
    }
    return results;
  }

  error start(const std::map<std::string, std::string>& networks) override {
    if (auto e = usable(); !e.ok())
      return e;
    std::map<std::string, std::filesystem::path> paths;
    for (const auto& [name, path] : networks)
      paths[name] = path;
    return checked(client_->start(paths));
  }

  expected<backend_status> status() override {
    if (auto e = usable(); !e.ok())
      return e;
    auto s = client_->status();
    if (!s)
      return checked(s.error());
    backend_status out;
    out.phase = s->phase;
    out.reason = s->reason;
    out.domain_state = s->domain_state;
    if (s->stats) {
      out.qemu_pid = s->stats->qemu_pid;
      out.cpu_time_ns = s->stats->cpu_time_ns;
      out.memory_kib = s->stats->memory_kib;
      out.vcpus = s->stats->vcpus;
      for (const auto& i : s->stats->interfaces)
        out.interfaces.push_back({i.name, i.rx_bytes, i.rx_packets, i.tx_bytes, i.tx_packets, i.rx_errors, i.rx_drops,
                               i.tx_errors, i.tx_drops});
      for (const auto& b : s->stats->blocks)
        out.blocks.push_back({b.name, b.read_bytes, b.read_requests, b.write_bytes, b.write_requests});
    }
    for (const auto& l : s->leases)
      out.leases.push_back(convert(l));
    return out;
  }

  error shutdown(std::optional<std::int64_t> grace_seconds) override {
    if (auto e = usable(); !e.ok())
      return e;
    std::optional<std::chrono::seconds> grace;
    if (grace_seconds)
      grace = std::chrono::seconds{*grace_seconds};
    return checked(client_->shutdown(grace));
  }

  void watch(event_sink sink) override {
    auto c = launcher_client::connect(socket_, watch_connect_timeout);
    if (!c) {
      sink(c.error());
      return;
    }
    auto& client = **c;
    if (auto e = client.watch(); !e.ok()) {
      sink(e);
      return;
    }
    while (!cancelled_.load()) {
      auto ev = client.next_event(watch_poll);
      if (!ev) {
        if (!cancelled_.load())
          sink(ev.error());
        return;
      }
      if (!*ev)
        continue;
      backend_event out;
      out.what = (*ev)->what == podvisor::virt::channel::launcher_event::kind::lease ? backend_event::kind::lease
                                                                                    : backend_event::kind::phase;
      out.phase = (*ev)->phase;
      out.reason = (*ev)->reason;
      out.lease = convert((*ev)->lease);
      sink(out);
    }
  }

  void cancel() override { cancelled_.store(true); }

  std::vector<network_wiring> wiring() override {
    std::vector<network_wiring> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
      auto file = entry.path().filename().string();
      if (!file.starts_with("net-") || !file.ends_with(".json"))
        continue;
      auto state = nb::read_state(entry.path());
      if (!state)
        continue; // being written, or not ours: nothing to show
      network_wiring w;
      w.interface = file.substr(4, file.size() - 4 - 5);
      w.binding = std::string(nb::to_string(state->kind));
      w.bridge = state->guest.bridge;
      w.tap = state->guest.tap;
      w.mac = net::dhcp::to_string(state->guest.mac);
      w.guest_address = net::dhcp::to_string(state->guest.address) + "/" + std::to_string(state->guest.prefix);
      if (state->guest.gateway)
        w.gateway = net::dhcp::to_string(*state->guest.gateway);
      w.nft_table = state->changes.nft_table;
      out.push_back(std::move(w));
    }
    return out;
  }

private:
  /// The command connection, reconnected when an earlier call broke it.
  error usable() {
    if (client_)
      return {};
    auto hello = connect(std::chrono::seconds{5});
    return hello ? error{} : hello.error();
  }
  /// A broken connection (unavailable, timeout) is dropped, so the next call reconnects.
  error checked(error e) {
    if (e.code == errc::unavailable || e.code == errc::timeout)
      client_.reset();
    return e;
  }

  std::filesystem::path dir_;
  std::filesystem::path socket_;
  std::unique_ptr<launcher_client> client_;
  std::atomic<bool> cancelled_{false};
};

} // namespace

std::shared_ptr<vm_backend> make_node_backend(const std::filesystem::path& vmi_dir) {
  return std::make_shared<node_backend>(vmi_dir);
}

} // namespace podvisor::actors::agent
