#include "net/binding/teardown.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <unistd.h>

#include "net/binding/nft_ruleset.hpp"
#include "net/binding/state_codec.hpp"
#include "net/binding/sysctl.hpp"
#include "net/binding/wiring.hpp"

namespace podvisor::net::binding {

namespace {

bool created(const binding_state& s, const std::string& name) {
  const auto& l = s.changes.created_links;
  return std::find(l.begin(), l.end(), name) != l.end();
}

error restore_nic(rtnl& nl, const moved_nic& n) {
  auto nic = nl.link(n.index);
  if (!nic)
    return nic.error() == errc::not_found ? error{} : nic.error(); // gone with the pod
  if (nic->name != n.renamed_to && nic->name != n.original_name)
    return error{errc::conflict, "ifindex " + std::to_string(n.index) + " is now " + nic->name + ", not the pod interface"};
  if (nic->master != 0 || nic->up) {
    link_change release;
    release.up = false;
    release.master = 0;
    if (auto e = nl.set_link(n.index, release); !e.ok())
      return e;
  }
  if (nic->name != n.original_name) {
    link_change rename;
    rename.name = n.original_name;
    if (auto e = nl.set_link(n.index, rename); !e.ok())
      return e;
  }
  link_change back;
  back.mac = n.original_mac;
  back.up = true;
  if (auto e = nl.set_link(n.index, back); !e.ok())
    return e;
  auto a = n.address;
  a.index = n.index;
  if (auto e = nl.add_address(a); !e.ok())
    return e;
  // Scope-link routes first: gateway routes may depend on them.
  auto routes = n.routes;
  std::stable_sort(routes.begin(), routes.end(), [](const route_info& x, const route_info& y) {
    return !x.gateway && y.gateway;
  });
  for (auto r : routes) {
    r.oif = n.index;
    if (auto e = nl.add_route(r); !e.ok())
      return e;
  }
  return {};
}

} // namespace

error teardown_binding(rtnl& nl, const binding_state& s) {
  auto fail = [&](const error& e) { return e.with_context("teardown " + std::string{to_string(s.kind)} + " binding"); };
  if (!s.changes.nft_table.empty())
    if (auto e = run_nft(render_delete_table(s.changes.nft_table)); !e.ok())
      return fail(e);
  for (auto it = s.changes.sysctls.rbegin(); it != s.changes.sysctls.rend(); ++it)
    if (auto e = write_sysctl(it->name, it->before); !e.ok())
      return fail(e);
  // The dummy carries the pod interface's name: remove it before the NIC gets it back
  // (by name, unless that name is the NIC's own again after an interrupted teardown).
  if (s.changes.nic && created(s, s.changes.nic->original_name)) {
    auto dummy = nl.link(s.changes.nic->original_name);
    if (dummy && dummy->index != s.changes.nic->index)
      if (auto e = nl.delete_link(dummy->index); !e.ok() && e != errc::not_found)
        return fail(e);
  }
  if (s.changes.nic)
    if (auto e = restore_nic(nl, *s.changes.nic); !e.ok())
      return fail(e);
  const auto& links = s.changes.created_links;
  for (auto it = links.rbegin(); it != links.rend(); ++it) {
    if (s.changes.nic && *it == s.changes.nic->original_name)
      continue; // the dummy, handled above; the name is the NIC's again
    if (auto e = wiring::remove_link(nl, *it); !e.ok())
      return fail(e);
  }
  return {};
}

error teardown_binding(rtnl& nl, const std::filesystem::path& path) {
  auto s = read_state(path);
  if (!s)
    return s.error() == errc::not_found ? error{} : s.error().with_context("teardown");
  if (auto e = teardown_binding(nl, *s); !e.ok())
    return e;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return error{errc::io_error, "teardown: remove " + path.string() + ": " + std::strerror(errno)};
  return {};
}

} // namespace podvisor::net::binding
