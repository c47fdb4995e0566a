#include "tests/net/binding/netns_fixture.hpp"

#include <algorithm>
#include <map>
#include <atomic>
#include <cerrno>
#include <cstdio>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>

namespace podvisor::net::binding::testing {

command_result sh(const std::string& cmd) {
  command_result r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p)
    return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    r.out.append(buf, n);
  int status = ::pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string must(const std::string& cmd) {
  auto r = sh(cmd);
  INFO("command: " << cmd << "\noutput: " << r.out);
  REQUIRE(r.rc == 0);
  return r.out;
}

namespace {
std::atomic<int> counter{0};
} // namespace

test_netns::test_netns(const std::string& role)
    : name_("podvisor-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" + role) {
  must("ip netns add " + name_);
  must("ip -n " + name_ + " link set lo up");
}

test_netns::~test_netns() {
  sh("ip netns del " + name_ + " 2>/dev/null");
}

nlohmann::json test_netns::ip_json(const std::string& args) const {
  return nlohmann::json::parse(must("ip -j -n " + name_ + " " + args));
}

pod_fixture::pod_fixture() {
  must("ip link add eth0 netns " + pod.name() + " mtu 1450 type veth peer name veth-pod mtu 1450 netns " + node.name());
  pod.ip("addr add 10.244.1.5/24 dev eth0");
  pod.ip("link set eth0 up");
  pod.ip("route add default via 10.244.1.1 dev eth0");
  pod.ip("route add 10.96.0.0/12 via 10.244.1.1 dev eth0");
  node.ip("addr add 10.244.1.1/24 dev veth-pod");
  node.ip("link set veth-pod up");
  resolv_conf = dir.write("resolv.conf", "search default.svc.cluster.local svc.cluster.local cluster.local\n"
                                         "nameserver 10.96.0.10\noptions ndots:5\n")
                    .string();
  state_path = (dir.path() / "eth0.json").string();
}

std::vector<std::string> pod_fixture::snapshot() const {
  std::vector<std::string> lines;
  std::map<int, std::string> names;
  for (const auto& l : pod.ip_json("-d link show")) {
    names[l.at("ifindex").get<int>()] = l.at("ifname").get<std::string>();
    std::string kind = l.contains("linkinfo") ? l["linkinfo"].value("info_kind", "") : "";
    bool up = false;
    for (const auto& f : l.at("flags"))
      up = up || f == "UP";
    lines.push_back("link " + l.at("ifname").get<std::string>() + " kind=" + kind + " mac=" + l.value("address", "") +
                    " mtu=" + std::to_string(l.value("mtu", 0)) + " up=" + (up ? "1" : "0") + " master=" + l.value("master", ""));
  }
  for (const auto& l : pod.ip_json("-4 addr show"))
    for (const auto& a : l.at("addr_info"))
      lines.push_back("addr " + l.at("ifname").get<std::string>() + " " + a.at("local").get<std::string>() + "/" +
                      std::to_string(a.at("prefixlen").get<int>()));
  for (const auto& r : pod.ip_json("-4 route show"))
    lines.push_back("route " + r.at("dst").get<std::string>() + " via=" + r.value("gateway", "") + " dev=" + r.value("dev", "") +
                    " scope=" + r.value("scope", "") + " proto=" + r.value("protocol", ""));
  std::sort(lines.begin(), lines.end());
  return lines;
}

guest_fixture::guest_fixture(const test_netns& p, const std::string& bridge, const dhcp::mac_address& mac,
                             const std::string& address_cidr, const std::string& gateway)
    : pod(p) {
  must("ip link add gst0 netns " + pod.name() + " type veth peer name eth0 netns " + ns.name() + " address " +
       dhcp::to_string(mac));
  pod.ip("link set gst0 master " + bridge + " up");
  ns.ip("addr add " + address_cidr + " dev eth0");
  ns.ip("link set eth0 up");
  ns.ip("route add default via " + gateway + " dev eth0 onlink");
}

guest_fixture::~guest_fixture() {
  sh("ip -n " + pod.name() + " link del gst0 2>/dev/null");
}

tcp_listener::tcp_listener(const netns_ref& ns, std::uint16_t port) {
  auto fd = run_in_netns(ns, [port]() -> expected<int> {
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
      return error{errc::io_error, "socket"};
    int one = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s, 8) != 0) {
      ::close(s);
      return error{errc::io_error, "bind/listen"};
    }
    return s;
  });
  REQUIRE(fd.has_value());
  fd_ = *fd;
}

tcp_listener::~tcp_listener() {
  if (fd_ >= 0)
    ::close(fd_);
}

std::optional<std::string> tcp_listener::accept_peer(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1)
    return std::nullopt;
  sockaddr_in peer{};
  socklen_t len = sizeof peer;
  int c = ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
  if (c < 0)
    return std::nullopt;
  ::close(c);
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
  return std::string{text};
}

bool tcp_connect(const netns_ref& ns, const std::string& address, std::uint16_t port, std::chrono::milliseconds timeout) {
  auto r = run_in_netns(ns, [&]() -> expected<bool> {
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0)
      return error{errc::io_error, "socket"};
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, address.c_str(), &a.sin_addr);
    bool ok = false;
    if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      ok = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{s, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
        ok = err == 0;
      }
    }
    ::close(s);
    return ok;
  });
  return r.has_value() && *r;
}

} // namespace podvisor::net::binding::testing
