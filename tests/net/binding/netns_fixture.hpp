#pragma once
// Network namespaces for the binding tests, made with `ip` and removed by RAII even
// when a test fails, plus a "pod" made like a CNI plugin would (veth to a "node"
// namespace, pod IP, default route) and small TCP helpers that run inside a namespace.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/temp_dir.hpp"
#include "net/binding/netns.hpp"
#include "net/dhcp/address.hpp"

namespace podvisor::net::binding::testing {

/// Output and exit code of a shell command.
struct command_result {
  int rc = -1;
  std::string out;
};
/// Runs `cmd` with /bin/sh, stdout captured (stderr passes through).
command_result sh(const std::string& cmd);
/// Runs `cmd` and aborts the test (REQUIRE) unless it exits 0; returns stdout.
std::string must(const std::string& cmd);

/// One namespace `podvisor-test-<pid>-<n>-<role>`, deleted by the destructor.
class test_netns {
public:
  explicit test_netns(const std::string& role);
  test_netns(const test_netns&) = delete;
  test_netns& operator=(const test_netns&) = delete;
  ~test_netns();

  const std::string& name() const { return name_; }
  netns_ref ref() const { return netns_ref::named(name_); }
  /// `ip -n <name> <args>`.
  std::string ip(const std::string& args) const { return must("ip -n " + name_ + " " + args); }
  /// `ip netns exec <name> <cmd>`.
  std::string exec(const std::string& cmd) const { return must("ip netns exec " + name_ + " " + cmd); }
  /// `ip -j -n <name> <args>` parsed.
  nlohmann::json ip_json(const std::string& args) const;

private:
  std::string name_;
};

/// A pod as CNI leaves it: `eth0` 10.244.1.5/24 (MTU 1450) with default route via
/// 10.244.1.1, whose peer `veth-pod` sits in the node namespace; a resolv.conf and a
/// state file path in a temporary directory.
struct pod_fixture {
  pod_fixture();

  test_netns node{"node"};
  test_netns pod{"pod"};
  scoped_temp_dir dir{"podvisor-binding-test-"};
  std::string resolv_conf;
  std::string state_path;

  /// Links, addresses and routes of the pod namespace as a sorted list of lines
  /// (name, kind, MAC, MTU, up, master; address/prefix per link; routes), to compare
  /// before and after.
  std::vector<std::string> snapshot() const;
};

/// A "guest" namespace whose `eth0` (with `mac`) is a veth into `bridge` of `pod`,
/// standing in for the VM on the tap. Removes its veth from the pod on destruction.
struct guest_fixture {
  guest_fixture(const test_netns& pod, const std::string& bridge, const dhcp::mac_address& mac,
                const std::string& address_cidr, const std::string& gateway);
  ~guest_fixture();

  const test_netns& pod;
  test_netns ns{"guest"};
};

/// A listening TCP socket created inside `ns` on 0.0.0.0:`port`.
class tcp_listener {
public:
  tcp_listener(const netns_ref& ns, std::uint16_t port);
  tcp_listener(const tcp_listener&) = delete;
  tcp_listener& operator=(const tcp_listener&) = delete;
  ~tcp_listener();
  /// The source address of the next accepted connection, waiting up to `timeout`.
  std::optional<std::string> accept_peer(std::chrono::milliseconds timeout);

private:
  int fd_ = -1;
};

/// Connects from inside `ns` to `address`:`port`; true if the handshake completed.
bool tcp_connect(const netns_ref& ns, const std::string& address, std::uint16_t port,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds{2000});

} // namespace podvisor::net::binding::testing
