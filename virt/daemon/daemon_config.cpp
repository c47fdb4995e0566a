#include "virt/daemon/daemon_config.hpp"

#include <cctype>
#include <random>

#include "common/format.hpp"

namespace podvisor::virt {

std::string render_libvirtd_conf(const daemon_config& cfg) {
  std::string s;
  s += "# Written by podvisor-launcher for its private daemon; regenerated on every start.\n";
  s += format("host_uuid = \"{}\"\n", cfg.host_uuid);
  // Unix socket only: libvirtd listens on TCP only with --listen, which we never pass.
  s += "unix_sock_group = \"root\"\n";
  s += "unix_sock_ro_perms = \"0700\"\n";
  s += "unix_sock_rw_perms = \"0700\"\n";
  s += "unix_sock_admin_perms = \"0700\"\n";
  s += "auth_unix_ro = \"none\"\n";
  s += "auth_unix_rw = \"none\"\n";
  s += format("keepalive_interval = {}\n", cfg.keepalive_interval_s);
  s += format("keepalive_count = {}\n", cfg.keepalive_count);
  if (!cfg.log_file.empty())
    s += format("log_outputs = \"{}:file:{}\"\n", cfg.log_level, cfg.log_file);
  // One VM per daemon: a handful of workers is plenty and keeps the RSS down.
  s += "min_workers = 1\n";
  s += "max_workers = 4\n";
  s += "prio_workers = 1\n";
  return s;
}

std::string render_qemu_conf(const daemon_config& cfg) {
  std::string s;
  s += "# Written by podvisor-launcher for its private daemon; regenerated on every start.\n";
  s += "user = \"root\"\n";
  s += "group = \"root\"\n";
  s += "dynamic_ownership = 0\n";
  s += "remember_owner = 0\n";
  s += "security_driver = \"none\"\n";
  s += "cgroup_controllers = [ ]\n";
  s += "namespaces = [ ]\n";
  s += "stdio_handler = \"file\"\n";
  s += "set_process_name = 1\n";
  s += "max_core = 0\n";
  if (!cfg.migration_address.empty()) {
    s += format("migration_address = \"{}\"\n", cfg.migration_address);
    s += format("migration_host = \"{}\"\n", cfg.migration_address);
  }
  return s;
}

std::string random_uuid() {
  std::random_device rd;
  std::uniform_int_distribution<int> nibble(0, 15);
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20)
      s += '-';
    int v = nibble(rd);
    if (i == 12)
      v = 4; // version 4
    if (i == 16)
      v = 8 | (v & 3); // RFC 4122 variant
    s += hex[v];
  }
  return s;
}

bool is_uuid(const std::string& s) {
  if (s.size() != 36)
    return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i])))
      return false;
  }
  return true;
}

} // namespace podvisor::virt
