// podvisor_dhcp_serve: the net/dhcp responder on a real device-bound socket in a plain
// poll loop, for the integration tests and the benchmark, which run it inside a "pod"
// network namespace and point real DHCP clients at it.
//
//   podvisor_dhcp_serve --interface br0 --mac 52:54:00:12:34:56 --address 10.0.2.2/24
//       --server 10.0.2.1 [--gateway 10.0.2.1] [--dns 10.96.0.10]... [--search a.b]...
//       [--route 10.100.0.0/16,10.0.2.1]... [--mtu 1450] [--hostname web-1]
//       [--domain cluster.local] [--lease-seconds N] [--stats FILE]
//       [--ntp 192.0.2.123]... [--tftp-server NAME] [--bootfile NAME] [--private CODE=VALUE]...
//
// --ntp, --tftp-server, --bootfile and --private are a VMI interface's dhcpOptions
// (options 42, 66, 67 and 224..254).
//
// Prints "ready" once the socket is bound; after every handled datagram writes the
// counters and the lease phase as JSON to FILE (atomically, via rename). SIGTERM or
// SIGINT stop it.
//
// It reads the socket itself (recvmsg with IP_PKTINFO) rather than through
// responder::handle_readable, to learn each request's destination address: a REQUEST
// with ciaddr and no server identifier is RENEWING when unicast to the server and
// REBINDING when broadcast (RFC 2131 §4.3.2), a difference the responder does not need
// but the tests check. ACKs are counted by the request's state ("acks_by_state") and
// every handled request is logged to stderr.
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <string_view>

#include "net/dhcp/codec.hpp"
#include "net/dhcp/responder.hpp"
#include "net/dhcp/socket.hpp"

using namespace podvisor::net::dhcp;

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "podvisor_dhcp_serve: " << why << "\n";
  std::exit(2);
}

ipv4_address ip_arg(std::string_view text) {
  auto a = parse_ipv4(text);
  if (!a)
    usage("not an IPv4 address: " + std::string(text));
  return *a;
}

// "A.B.C.D/N" → address and prefix.
std::pair<ipv4_address, std::uint8_t> cidr_arg(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos)
    usage("expected ADDRESS/PREFIX: " + std::string(text));
  int prefix = std::atoi(std::string(text.substr(slash + 1)).c_str());
  if (prefix < 0 || prefix > 32)
    usage("bad prefix: " + std::string(text));
  return {ip_arg(text.substr(0, slash)), static_cast<std::uint8_t>(prefix)};
}

// RFC 2131 §4.3.2: which state a REQUEST comes from, as far as its fields and its
// destination tell.
std::string request_state(const dhcp_packet& p, bool broadcast) {
  if (p.server_identifier())
    return "selecting";
  if (!p.ciaddr.is_zero())
    return broadcast ? "rebinding" : "renewing";
  if (p.requested_address())
    return "init_reboot";
  return "unknown";
}

using state_counts = std::map<std::string, std::uint64_t>;

void write_stats(const std::string& path, const responder& r, const state_counts& acks_by_state) {
  if (path.empty())
    return;
  const auto& s = r.stats();
  const auto& l = r.lease();
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "{\"received\": " << s.received << ", \"offers\": " << s.replies(message_type::offer)
        << ", \"acks\": " << s.replies(message_type::ack) << ", \"naks\": " << s.replies(message_type::nak)
        << ", \"declines\": " << s.declines << ", \"releases\": " << s.releases << ", \"phase\": \""
        << to_string(l.phase) << "\", \"last_xid\": " << l.last_xid << ", \"dropped\": {";
    for (std::size_t i = 0; i < packet_drop_count; ++i)
      out << (i == 0 ? "" : ", ") << '"' << to_string(static_cast<packet_drop>(i)) << "\": " << s.dropped[i];
    out << "}, \"acks_by_state\": {";
    bool first = true;
    for (const auto& [state, n] : acks_by_state) {
      out << (first ? "" : ", ") << '"' << state << "\": " << n;
      first = false;
    }
    out << "}}\n";
  }
  std::rename(tmp.c_str(), path.c_str());
}

} // namespace

int main(int argc, char** argv) {
  lease_config config;
  config.lease_seconds = infinite_lease;
  std::string interface;
  std::string stats_path;
  bool have_mac = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (i + 1 >= argc)
      usage("missing value for " + std::string(flag));
    std::string_view value = argv[++i];
    if (flag == "--interface") {
      interface = value;
    } else if (flag == "--mac") {
      auto m = parse_mac(value);
      if (!m)
        usage("bad MAC: " + std::string(value));
      config.client_mac = *m;
      have_mac = true;
    } else if (flag == "--address") {
      std::tie(config.address, config.prefix) = cidr_arg(value);
    } else if (flag == "--server") {
      config.server_address = ip_arg(value);
    } else if (flag == "--gateway") {
      config.gateway = ip_arg(value);
    } else if (flag == "--dns") {
      config.dns_servers.push_back(ip_arg(value));
    } else if (flag == "--search") {
      config.search_domains.emplace_back(value);
    } else if (flag == "--route") {
      auto comma = value.find(',');
      if (comma == std::string_view::npos)
        usage("expected DEST/PREFIX,GATEWAY: " + std::string(value));
      auto [dest, prefix] = cidr_arg(value.substr(0, comma));
      config.routes.push_back(route{dest, prefix, ip_arg(value.substr(comma + 1))});
    } else if (flag == "--mtu") {
      config.mtu = static_cast<std::uint16_t>(std::atoi(std::string(value).c_str()));
    } else if (flag == "--hostname") {
      config.hostname = value;
    } else if (flag == "--domain") {
      config.domain_name = value;
    } else if (flag == "--lease-seconds") {
      config.lease_seconds = static_cast<std::uint32_t>(std::stoul(std::string(value)));
    } else if (flag == "--ntp") {
      config.ntp_servers.push_back(ip_arg(value));
    } else if (flag == "--tftp-server") {
      config.tftp_server_name = value;
    } else if (flag == "--bootfile") {
      config.bootfile_name = value;
    } else if (flag == "--private") {
      auto eq = value.find('=');
      if (eq == std::string_view::npos)
        usage("expected CODE=VALUE: " + std::string(value));
      int code = std::atoi(std::string(value.substr(0, eq)).c_str());
      if (code < 1 || code > 254)
        usage("bad option code: " + std::string(value));
      config.private_options.push_back(private_option{static_cast<std::uint8_t>(code), std::string(value.substr(eq + 1))});
    } else if (flag == "--stats") {
      stats_path = value;
    } else {
      usage("unknown flag " + std::string(flag));
    }
  }
  if (interface.empty() || !have_mac)
    usage("--interface and --mac are required");
  if (auto e = validate(config))
    usage(e.to_string());

  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  int sfd = signalfd(-1, &stop, SFD_CLOEXEC);

  auto socket = dhcp_socket::open(interface);
  if (!socket) {
    std::cerr << "podvisor_dhcp_serve: " << socket.error().to_string() << "\n";
    return 1;
  }
  int one = 1;
  if (::setsockopt((*socket)->fd(), IPPROTO_IP, IP_PKTINFO, &one, sizeof one) != 0) {
    std::cerr << "podvisor_dhcp_serve: IP_PKTINFO: " << std::strerror(errno) << "\n";
    return 1;
  }
  responder r{config, **socket};
  state_counts acks_by_state;
  write_stats(stats_path, r, acks_by_state);
  std::cout << "ready" << std::endl;

  std::array<std::uint8_t, 1500> buffer{};
  pollfd fds[2] = {{(*socket)->fd(), POLLIN, 0}, {sfd, POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 2, -1) < 0)
      continue; // EINTR
    if ((fds[1].revents & POLLIN) != 0)
      break;
    for (;;) {
      iovec iov{buffer.data(), buffer.size()};
      alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in_pktinfo))> control{};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.data();
      msg.msg_controllen = control.size();
      auto n = ::recvmsg((*socket)->fd(), &msg, MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
          break;
        std::cerr << "podvisor_dhcp_serve: recvmsg: " << std::strerror(errno) << "\n";
        return 1;
      }
      bool truncated = static_cast<std::size_t>(n) > buffer.size();
      std::size_t size = truncated ? buffer.size() : static_cast<std::size_t>(n);
      bool broadcast = false;
      for (auto* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
          in_pktinfo info{};
          std::memcpy(&info, CMSG_DATA(c), sizeof info);
          broadcast = info.ipi_addr.s_addr == INADDR_BROADCAST;
        }
      std::span<const std::uint8_t> bytes(buffer.data(), size);
      std::string state;
      if (auto parsed = parse_packet(bytes); parsed && parsed->type() == message_type::request)
        state = request_state(*parsed, broadcast);
      auto h = r.handle_datagram(bytes, truncated);
      if (h.dropped)
        std::cerr << "dropped: " << to_string(*h.dropped) << (h.detail ? " (" + h.detail.to_string() + ")" : "")
                  << "\n";
      else if (h.request_type)
        std::cerr << to_string(*h.request_type) << (state.empty() ? "" : " (" + state + ")")
                  << (broadcast ? " broadcast" : " unicast") << " -> "
                  << (h.reply_type ? to_string(*h.reply_type) : std::string_view{"no reply"}) << "\n";
      if (h.reply_type == message_type::ack && !state.empty())
        ++acks_by_state[state];
      write_stats(stats_path, r, acks_by_state);
    }
  }
  write_stats(stats_path, r, acks_by_state);
  return 0;
}
