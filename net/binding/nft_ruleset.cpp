#include "net/binding/nft_ruleset.hpp"

#include <nftables/libnftables.h>

namespace podvisor::net::binding {

namespace {

bool safe_name(const std::string& s, std::size_t max) {
  if (s.empty() || s.size() > max)
    return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == '@';
    if (!ok)
      return false;
  }
  return true;
}

/// `tcp dport { 80, 443 }` per protocol that has ports in `ports`.
std::vector<std::string> port_matches(const std::vector<port_spec>& ports) {
  std::vector<std::string> out;
  for (auto proto : {l4_protocol::tcp, l4_protocol::udp}) {
    std::string set;
    for (const auto& p : ports)
      if (p.protocol == proto)
        set += (set.empty() ? "" : ", ") + std::to_string(p.port);
    if (!set.empty())
      out.push_back(std::string{to_string(proto)} + " dport { " + set + " }");
  }
  return out;
}

} // namespace

expected<std::string> render_masquerade_ruleset(const masquerade_rules& r) {
  if (!safe_name(r.table, 64))
    return error{errc::invalid_argument, "nft table name \"" + r.table + "\": letters, digits, - and _ only"};
  if (!safe_name(r.pod_interface, 15))
    return error{errc::invalid_argument, "pod interface \"" + r.pod_interface + "\": not a usable interface name"};
  for (const auto* list : {&r.ports, &r.excluded})
    for (const auto& p : *list)
      if (p.port == 0)
        return error{errc::invalid_argument, "port 0 cannot be forwarded or excluded"};

  const std::string iif = "iifname \"" + r.pod_interface + "\"";
  const std::string pod = dhcp::to_string(r.pod_address);
  const std::string guest = dhcp::to_string(r.guest_address);
  auto excluded = port_matches(r.excluded);
  auto forwarded = port_matches(r.ports);

  std::string t = "table ip " + r.table + "\ndelete table ip " + r.table + "\ntable ip " + r.table + " {\n";
  auto dnat_chain = [&](const std::string& name, const std::string& hook, const std::string& match) {
    t += "  chain " + name + " {\n    type nat hook " + hook + "; policy accept;\n";
    for (const auto& m : excluded)
      t += "    " + match + m + " return\n";
    if (forwarded.empty())
      t += "    " + match + "ip daddr " + pod + " dnat to " + guest + "\n";
    for (const auto& m : forwarded)
      t += "    " + match + "ip daddr " + pod + " " + m + " dnat to " + guest + "\n";
    t += "  }\n";
  };
  dnat_chain("prerouting", "prerouting priority dstnat", iif + " ");
  dnat_chain("output", "output priority -100", "");
  t += "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n";
  t += "    ip saddr " + guest + " oifname \"" + r.pod_interface + "\" masquerade\n  }\n}\n";
  return t;
}

std::string render_delete_table(const std::string& table) {
  return "table ip " + table + "\ndelete table ip " + table + "\n";
}

error run_nft(const std::string& commands) {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  if (!ctx)
    return error{errc::resource_exhausted, "nftables: cannot create a context"};
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  int rc = nft_run_cmd_from_buffer(ctx, commands.c_str());
  error result;
  if (rc != 0) {
    const char* msg = nft_ctx_get_error_buffer(ctx);
    std::string text = msg ? msg : "";
    while (!text.empty() && text.back() == '\n')
      text.pop_back();
    result = error{errc::io_error, "nftables: " + (text.empty() ? std::string{"command failed"} : text)};
  }
  nft_ctx_free(ctx);
  return result;
}

} // namespace podvisor::net::binding
