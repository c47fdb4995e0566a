#include "net/binding/state_codec.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace podvisor::net::binding {

namespace {

using json = nlohmann::json;

// ---- encoding ----

json ip(const dhcp::ipv4_address& a) { return dhcp::to_string(a); }

json encode_route(const route_info& r) {
  json j = {{"destination", ip(r.destination)}, {"prefix", r.prefix}, {"oif", r.oif},
            {"scope", r.scope},                 {"protocol", r.protocol}, {"priority", r.priority}};
  if (r.gateway)
    j["gateway"] = ip(*r.gateway);
  return j;
}

json encode_address(const address_info& a) {
  return {{"index", a.index}, {"address", ip(a.address)}, {"prefix", a.prefix}};
}

json encode_guest(const guest_config& g) {
  json routes = json::array();
  for (const auto& r : g.routes)
    routes.push_back({{"destination", ip(r.destination)}, {"prefix", r.prefix}, {"gateway", ip(r.gateway)}});
  json dns = json::array();
  for (const auto& d : g.dns_servers)
    dns.push_back(ip(d));
  json j = {{"mac", dhcp::to_string(g.mac)},
            {"address", ip(g.address)},
            {"prefix", g.prefix},
            {"routes", routes},
            {"dnsServers", dns},
            {"searchDomains", g.search_domains},
            {"mtu", g.mtu},
            {"hostname", g.hostname},
            {"tap", g.tap},
            {"bridge", g.bridge},
            {"serverAddress", ip(g.server_address)}};
  if (g.gateway)
    j["gateway"] = ip(*g.gateway);
  return j;
}

json encode_changes(const binding_changes& c) {
  json j = {{"createdLinks", c.created_links}, {"bridgeMac", dhcp::to_string(c.bridge_mac)}, {"nftTable", c.nft_table}};
  if (c.nic) {
    json routes = json::array();
    for (const auto& r : c.nic->routes)
      routes.push_back(encode_route(r));
    j["nic"] = {{"index", c.nic->index},
                {"originalName", c.nic->original_name},
                {"renamedTo", c.nic->renamed_to},
                {"originalMac", dhcp::to_string(c.nic->original_mac)},
                {"newMac", dhcp::to_string(c.nic->new_mac)},
                {"address", encode_address(c.nic->address)},
                {"routes", routes}};
  }
  if (c.bridge_address)
    j["bridgeAddress"] = encode_address(*c.bridge_address);
  json sysctls = json::array();
  for (const auto& x : c.sysctls)
    sysctls.push_back({{"name", x.name}, {"before", x.before}});
  j["sysctls"] = sysctls;
  return j;
}

// ---- decoding: a reader that knows where it is and fails with the field path ----

struct decode_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class field {
public:
  field(const json& j, std::string path) : j_(j), path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw decode_failure{(path_.empty() ? std::string{"(root)"} : path_) + ": " + what};
  }

  /// Checks this is an object whose members are all in `allowed`.
  const field& object(std::initializer_list<std::string_view> allowed) const {
    if (!j_.is_object())
      fail("must be an object");
    for (const auto& [key, _] : j_.items()) {
      bool known = false;
      for (auto a : allowed)
        known = known || a == key;
      if (!known)
        throw decode_failure{child_path(key) + ": unknown field"};
    }
    return *this;
  }

  bool has(std::string_view key) const { return j_.contains(std::string{key}); }

  field operator[](std::string_view key) const {
    auto it = j_.find(std::string{key});
    if (it == j_.end())
      throw decode_failure{child_path(key) + ": required field missing"};
    return field{*it, child_path(key)};
  }

  std::vector<field> array() const {
    if (!j_.is_array())
      fail("must be an array");
    std::vector<field> out;
    for (std::size_t i = 0; i < j_.size(); ++i)
      out.emplace_back(j_[i], path_ + "[" + std::to_string(i) + "]");
    return out;
  }

  std::string str() const {
    if (!j_.is_string())
      fail("must be a string");
    return j_.get<std::string>();
  }

  bool boolean() const {
    if (!j_.is_boolean())
      fail("must be true or false");
    return j_.get<bool>();
  }

  std::int64_t integer(std::int64_t lo, std::int64_t hi) const {
    if (!j_.is_number_integer())
      fail("must be an integer");
    std::int64_t v = j_.is_number_unsigned() ? static_cast<std::int64_t>(std::min<std::uint64_t>(j_.get<std::uint64_t>(), INT64_MAX))
                                             : j_.get<std::int64_t>();
    if (v < lo || v > hi)
      fail("must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + std::to_string(v));
    return v;
  }

  dhcp::ipv4_address ipv4() const {
    auto s = str();
    auto a = dhcp::parse_ipv4(s);
    if (!a)
      fail("not an IPv4 address: \"" + s + "\"");
    return *a;
  }

  dhcp::mac_address mac() const {
    auto s = str();
    auto m = dhcp::parse_mac(s);
    if (!m)
      fail("not a MAC address: \"" + s + "\"");
    return *m;
  }

  std::string ifname(bool allow_empty = false) const {
    auto s = str();
    if (s.empty() && allow_empty)
      return s;
    if (s.empty() || s.size() > 15 || s.find_first_of("/ \t\n\"\\") != std::string::npos)
      fail("not an interface name: \"" + s + "\"");
    return s;
  }

  const std::string& path() const { return path_; }

private:
  std::string child_path(std::string_view key) const {
    return path_.empty() ? std::string{key} : path_ + "." + std::string{key};
  }
  const json& j_;
  std::string path_;
};

std::uint8_t prefix_of(const field& f) { return static_cast<std::uint8_t>(f.integer(0, 32)); }

address_info decode_address(const field& f) {
  f.object({"index", "address", "prefix"});
  return address_info{static_cast<int>(f["index"].integer(0, INT32_MAX)), f["address"].ipv4(), prefix_of(f["prefix"])};
}

route_info decode_route(const field& f) {
  f.object({"destination", "prefix", "gateway", "oif", "scope", "protocol", "priority"});
  route_info r;
  r.destination = f["destination"].ipv4();
  r.prefix = prefix_of(f["prefix"]);
  if (f.has("gateway"))
    r.gateway = f["gateway"].ipv4();
  r.oif = static_cast<int>(f["oif"].integer(0, INT32_MAX));
  r.scope = static_cast<std::uint8_t>(f["scope"].integer(0, 255));
  r.protocol = static_cast<std::uint8_t>(f["protocol"].integer(0, 255));
  r.priority = static_cast<std::uint32_t>(f["priority"].integer(0, UINT32_MAX));
  return r;
}

guest_config decode_guest(const field& f) {
  f.object({"mac", "address", "prefix", "gateway", "routes", "dnsServers", "searchDomains", "mtu", "hostname", "tap",
            "bridge", "serverAddress"});
  guest_config g;
  g.mac = f["mac"].mac();
  g.address = f["address"].ipv4();
  if (g.address.is_zero())
    f["address"].fail("must not be 0.0.0.0");
  g.prefix = prefix_of(f["prefix"]);
  if (f.has("gateway"))
    g.gateway = f["gateway"].ipv4();
  for (const auto& r : f["routes"].array()) {
    r.object({"destination", "prefix", "gateway"});
    g.routes.push_back(dhcp::route{r["destination"].ipv4(), prefix_of(r["prefix"]), r["gateway"].ipv4()});
  }
  for (const auto& d : f["dnsServers"].array())
    g.dns_servers.push_back(d.ipv4());
  for (const auto& s : f["searchDomains"].array()) {
    auto name = s.str();
    if (name.empty() || name.size() > 253)
      s.fail("not a domain name: \"" + name + "\"");
    g.search_domains.push_back(std::move(name));
  }
  auto mtu = f["mtu"].integer(0, 65535);
  if (mtu != 0 && mtu < 68)
    f["mtu"].fail("must be 0 or at least 68");
  g.mtu = static_cast<std::uint16_t>(mtu);
  g.hostname = f["hostname"].str();
  if (g.hostname.size() > 255)
    f["hostname"].fail("longer than 255 bytes");
  g.tap = f["tap"].ifname();
  g.bridge = f["bridge"].ifname();
  g.server_address = f["serverAddress"].ipv4();
  if (g.server_address.is_zero())
    f["serverAddress"].fail("must not be 0.0.0.0");
  return g;
}

binding_changes decode_changes(const field& f) {
  f.object({"createdLinks", "nic", "bridgeAddress", "bridgeMac", "nftTable", "sysctls"});
  binding_changes c;
  c.bridge_mac = f["bridgeMac"].mac();
  for (const auto& l : f["createdLinks"].array())
    c.created_links.push_back(l.ifname());
  if (f.has("nic")) {
    auto n = f["nic"];
    n.object({"index", "originalName", "renamedTo", "originalMac", "newMac", "address", "routes"});
    moved_nic m;
    m.index = static_cast<int>(n["index"].integer(1, INT32_MAX));
    m.original_name = n["originalName"].ifname();
    m.renamed_to = n["renamedTo"].ifname();
    m.original_mac = n["originalMac"].mac();
    m.new_mac = n["newMac"].mac();
    m.address = decode_address(n["address"]);
    for (const auto& r : n["routes"].array())
      m.routes.push_back(decode_route(r));
    c.nic = std::move(m);
  }
  if (f.has("bridgeAddress"))
    c.bridge_address = decode_address(f["bridgeAddress"]);
  c.nft_table = f["nftTable"].str();
  if (!c.nft_table.empty() && c.nft_table.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
                                  std::string::npos)
    f["nftTable"].fail("not a table name: \"" + c.nft_table + "\"");
  for (const auto& x : f["sysctls"].array()) {
    x.object({"name", "before"});
    sysctl_change change{x["name"].str(), x["before"].str()};
    if (!change.name.starts_with("net/") || change.name.find("..") != std::string::npos ||
        change.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_/-.") != std::string::npos)
      x["name"].fail("not a net/ sysctl: \"" + change.name + "\"");
    if (change.before.empty() || change.before.size() > 64 || change.before.find('\n') != std::string::npos)
      x["before"].fail("not a sysctl value");
    c.sysctls.push_back(std::move(change));
  }
  return c;
}

error io_failure(const std::filesystem::path& path, const char* step) {
  int err = errno;
  return error{err == ENOENT ? errc::not_found : errc::io_error,
               "binding state " + path.string() + ": " + step + ": " + std::strerror(err)};
}

} // namespace

std::string encode_state(const binding_state& s) {
  json j = {{"version", state_format_version},       {"kind", std::string{to_string(s.kind)}},
            {"podInterface", s.pod_interface},       {"complete", s.complete},
            {"guest", encode_guest(s.guest)},        {"changes", encode_changes(s.changes)}};
  return j.dump(2) + "\n";
}

expected<binding_state> decode_state(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return error{errc::parse_error, "binding state: not valid JSON"};
  try {
    field root{j, ""};
    root.object({"version", "kind", "podInterface", "complete", "guest", "changes"});
    auto version = root["version"].integer(0, INT32_MAX);
    if (version != state_format_version)
      root["version"].fail("unsupported version " + std::to_string(version) + " (this build reads " +
                           std::to_string(state_format_version) + ")");
    binding_state s;
    auto kind = root["kind"].str();
    auto k = parse_binding_kind(kind);
    if (!k)
      root["kind"].fail("unsupported value \"" + kind + "\": supported values: \"bridge\", \"masquerade\"");
    s.kind = *k;
    s.pod_interface = root["podInterface"].ifname();
    s.complete = root["complete"].boolean();
    s.guest = decode_guest(root["guest"]);
    s.changes = decode_changes(root["changes"]);
    return s;
  } catch (const decode_failure& e) {
    return error{errc::parse_error, std::string{"binding state: "} + e.what()};
  } catch (const json::exception& e) {
    return error{errc::parse_error, std::string{"binding state: "} + e.what()};
  }
}

error write_state(const std::filesystem::path& path, const binding_state& state) {
  auto text = encode_state(state);
  auto tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return io_failure(tmp, "create");
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      auto e = io_failure(tmp, "write");
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    done += static_cast<std::size_t>(n);
  }
  // No fsync: the state describes a network namespace, which does not survive a reboot
  // either, and the rename alone is atomic for readers and across a crash of the agent
  // (the page cache outlives the process). fsync cost ~5 ms per write on ext4 here.
  if (::close(fd) != 0) {
    auto e = io_failure(tmp, "close");
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = io_failure(path, "rename");
    ::unlink(tmp.c_str());
    return e;
  }
  return {};
}

expected<binding_state> read_state(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return io_failure(path, "open");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return error{errc::io_error, "binding state " + path.string() + ": read failed"};
  auto s = decode_state(text.str());
  if (!s)
    return error{s.error().code, s.error().message, path.string()};
  return s;
}

expected<binding_state> read_complete_state(const std::filesystem::path& path) {
  auto s = read_state(path);
  if (s && !s->complete)
    return error{errc::unavailable, "binding state " + path.string() + ": phase 1 has not completed"};
  return s;
}

} // namespace podvisor::net::binding
