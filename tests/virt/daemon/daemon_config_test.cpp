#include "virt/daemon/daemon_config.hpp"

#include <catch2/catch_test_macros.hpp>
#include <set>

using namespace podvisor::virt;

namespace {
bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}
} // namespace

TEST_CASE("libvirtd.conf: own host UUID, unix socket for root only, no authentication over it") {
  daemon_config cfg;
  cfg.host_uuid = "0f6bd3f1-8a1c-4c4e-9b0e-2d8f6a3c5e71";
  cfg.log_file = "/var/log/libvirt/libvirtd.log";
  auto text = render_libvirtd_conf(cfg);
  CHECK(has_line(text, R"(host_uuid = "0f6bd3f1-8a1c-4c4e-9b0e-2d8f6a3c5e71")"));
  CHECK(has_line(text, R"(unix_sock_rw_perms = "0700")"));
  CHECK(has_line(text, R"(auth_unix_rw = "none")"));
  CHECK(has_line(text, R"(log_outputs = "3:file:/var/log/libvirt/libvirtd.log")"));
  // Never a TCP listener: these would only matter with --listen, which we never pass,
  // but they must not appear either.
  CHECK(text.find("listen_tcp") == std::string::npos);
  CHECK(text.find("listen_tls") == std::string::npos);
}

TEST_CASE("qemu.conf: QEMU stays in the pod's cgroup and shared files are never relabelled") {
  daemon_config cfg;
  auto text = render_qemu_conf(cfg);
  CHECK(has_line(text, "cgroup_controllers = [ ]"));
  CHECK(has_line(text, R"(security_driver = "none")"));
  CHECK(has_line(text, "dynamic_ownership = 0"));
  CHECK(has_line(text, "remember_owner = 0"));
  CHECK(has_line(text, R"(stdio_handler = "file")"));
  CHECK(text.find("migration_address") == std::string::npos);

  cfg.migration_address = "10.88.0.2";
  text = render_qemu_conf(cfg);
  CHECK(has_line(text, R"(migration_address = "10.88.0.2")"));
  CHECK(has_line(text, R"(migration_host = "10.88.0.2")"));
}

TEST_CASE("random UUIDs are well formed version 4 UUIDs and distinct") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto u = random_uuid();
    CHECK(is_uuid(u));
    CHECK(u[14] == '4');
    CHECK(std::string("89ab").find(u[19]) != std::string::npos);
    seen.insert(u);
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("is_uuid rejects what is not a UUID") {
  CHECK_FALSE(is_uuid(""));
  CHECK_FALSE(is_uuid("0f6bd3f1-8a1c-4c4e-9b0e-2d8f6a3c5e7"));
  CHECK_FALSE(is_uuid("0f6bd3f1-8a1c-4c4e-9b0e-2d8f6a3c5e7g"));
  CHECK_FALSE(is_uuid("0f6bd3f1x8a1c-4c4e-9b0e-2d8f6a3c5e71"));
  CHECK(is_uuid("0F6BD3F1-8A1C-4C4E-9B0E-2D8F6A3C5E71"));
}
