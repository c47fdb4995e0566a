// A VMI interface's dhcpOptions in replies (net/dhcp lease_reply.cpp, lease.cpp): option
// 67 boot file, 66 TFTP server, 42 NTP servers and the private options 224..254 — how
// they are encoded, where they go in the order, what is trimmed first when the reply is
// too large for the client, and what `validate` refuses.
#include <catch2/catch_test_macros.hpp>

#include <functional>
#include <string>

#include "net/dhcp/codec.hpp"
#include "net/dhcp/lease.hpp"
#include "net/dhcp/lease_reply.hpp"
#include "test_packets.hpp"

using namespace podvisor;
using namespace podvisor::net::dhcp;
using namespace podvisor::net::dhcp::test;
using bytes = std::vector<std::uint8_t>;

namespace {

lease_config with_extras() {
  auto c = masquerade_config();
  c.bootfile_name = "pxelinux.0";
  c.tftp_server_name = "tftp.example.org";
  c.ntp_servers = {ip("192.0.2.123"), ip("192.0.2.124")};
  c.private_options = {{240, "hello world"}, {224, "x"}};
  return c;
}

bytes text(const std::string& s) {
  return {s.begin(), s.end()};
}

bytes codes_of(const dhcp_packet& p) {
  bytes out;
  for (const auto& o : p.options)
    out.push_back(o.code);
  return out;
}

// A REQUEST in SELECTING state from udhcpc: its default list, its 576-byte limit.
dhcp_packet udhcpc_request() {
  auto req = request(message_type::request);
  req.set(option_code::requested_address, address_bytes(ip("10.0.2.2")));
  req.set(option_code::server_identifier, address_bytes(ip("10.0.2.1")));
  req.set(option_code::parameter_request_list, {1, 3, 6, 12, 15, 28, 42});
  req.set(option_code::max_message_size, {0x02, 0x40});
  return req;
}

bool has(const bytes& v, std::uint8_t code) {
  return std::find(v.begin(), v.end(), code) != v.end();
}

} // namespace

TEST_CASE("OFFER and ACK carry boot file, TFTP server, NTP and private options", "[net][dhcp][extras]") {
  auto config = with_extras();
  REQUIRE(validate(config).ok());
  lease_state state;
  for (auto type : {message_type::discover, message_type::request}) {
    auto req = udhcpc_request();
    req.set(option_code::message_type, {static_cast<std::uint8_t>(type)});
    auto d = decide(config, state, req);
    REQUIRE(d.reply);
    CHECK(d.trimmed.empty());
    const auto& reply = *d.reply;
    CHECK(reply.find(option_code::bootfile_name)->data == text("pxelinux.0"));
    CHECK(reply.find(option_code::tftp_server_name)->data == text("tftp.example.org"));
    CHECK(reply.find(option_code::ntp_servers)->data == bytes{192, 0, 2, 123, 192, 0, 2, 124});
    // Private values are the string's bytes, no terminating NUL (as KubeVirt sends them).
    CHECK(reply.find(240)->data == text("hello world"));
    CHECK(reply.find(224)->data == text("x"));
    // Requested ones in the list's order (42 last of udhcpc's), then the unasked ones:
    // 26 and the extras in configuration order.
    CHECK(codes_of(reply) == bytes{53, 54, 51, 1, 3, 6, 12, 15, 28, 42, 26, 66, 67, 240, 224});
    // The reply parses back the same (what a client sees).
    auto parsed = parse_packet(serialize(reply));
    REQUIRE(parsed);
    CHECK(parsed->find(240)->data == text("hello world"));
  }
  CHECK(state.offers == 1);
  CHECK(state.acks == 1);
}

TEST_CASE("an INFORM is answered with the extras too; a NAK carries none", "[net][dhcp][extras]") {
  auto config = with_extras();
  lease_state state;
  auto inform = request(message_type::inform);
  inform.ciaddr = ip("10.0.2.2");
  auto ack = *decide(config, state, inform).reply;
  CHECK(ack.find(option_code::bootfile_name) != nullptr);
  CHECK(ack.find(224) != nullptr);
  auto wrong = request(message_type::request);
  wrong.set(option_code::requested_address, address_bytes(ip("10.0.2.99")));
  auto nak = *decide(config, state, wrong).reply;
  REQUIRE(nak.type() == message_type::nak);
  CHECK(nak.find(option_code::ntp_servers) == nullptr);
  CHECK(nak.find(option_code::bootfile_name) == nullptr);
  CHECK(nak.find(224) == nullptr);
}

TEST_CASE("an empty private value is sent as a zero-length option", "[net][dhcp][extras]") {
  auto config = masquerade_config();
  config.private_options = {{254, ""}};
  REQUIRE(validate(config).ok());
  lease_state state;
  auto reply = *decide(config, state, udhcpc_request()).reply;
  REQUIRE(reply.find(254) != nullptr);
  CHECK(reply.find(254)->data.empty());
  CHECK(parse_packet(serialize(reply))->find(254) != nullptr);
}

TEST_CASE("unrequested extras are trimmed before any network option", "[net][dhcp][extras]") {
  auto config = with_extras();
  config.bootfile_name = std::string(130, 'b');
  config.private_options = {{224, std::string(120, 'p')}, {225, std::string(120, 'q')}};
  config.search_domains.clear();
  for (int i = 0; i < 6; ++i)
    config.search_domains.push_back("team" + std::to_string(i) + ".example.org");
  lease_state state;
  auto req = udhcpc_request();
  req.set(option_code::parameter_request_list, {1, 3, 6, 12, 15, 28, 42, 119, 121});
  auto d = decide(config, state, req);
  auto wire = serialize(*d.reply);
  CHECK(wire.size() <= 548);
  // The last private option first, then the other; then it fits: the network options, the
  // requested NTP, 66 and 67 stay whole, the search list is not shortened.
  CHECK(d.trimmed == bytes{225, 224});
  CHECK(d.reply->find(option_code::ntp_servers) != nullptr);
  CHECK(d.reply->find(option_code::tftp_server_name) != nullptr);
  CHECK(d.reply->find(option_code::bootfile_name)->data == bytes(130, 'b'));
  // A longer boot file does not fit next to 66: the unrequested 66 goes, then 67.
  config.bootfile_name = std::string(255, 'b');
  auto longer = decide(config, state, req);
  CHECK(serialize(*longer.reply).size() <= 548);
  CHECK(longer.trimmed == bytes{225, 224, 66, 67});
  CHECK(decode_domain_search(longer.reply->find(option_code::domain_search)->data).value() == config.search_domains);
  CHECK(decode_domain_search(d.reply->find(option_code::domain_search)->data).value() == config.search_domains);
  CHECK(d.reply->find(option_code::hostname) != nullptr);
  // With room for everything nothing goes.
  req.set(option_code::max_message_size, {0x05, 0xdc});
  auto big = decide(config, state, req);
  CHECK(big.trimmed.empty());
  CHECK(big.reply->find(225) != nullptr);
  CHECK(serialize(*big.reply).size() <= 1472);
}

TEST_CASE("requested extras go after unrequested options but before requested network options",
          "[net][dhcp][extras]") {
  auto config = masquerade_config();
  config.bootfile_name = std::string(200, 'b');
  config.tftp_server_name = std::string(200, 't');
  lease_state state;
  auto req = udhcpc_request();
  // A PXE-style client asks for 66 and 67 and everything else; 576 bytes cannot hold both.
  req.set(option_code::parameter_request_list, {1, 3, 6, 12, 15, 26, 28, 66, 67});
  auto d = decide(config, state, req);
  CHECK(serialize(*d.reply).size() <= 548);
  // 66 goes first (drop order 42, 66, 67); once it is gone the rest fits.
  CHECK(d.trimmed == bytes{66});
  REQUIRE(d.reply->find(option_code::bootfile_name) != nullptr);
  CHECK(d.reply->find(option_code::bootfile_name)->data == bytes(200, 'b'));
  for (auto code : {option_code::subnet_mask, option_code::router, option_code::dns_servers, option_code::hostname,
                    option_code::domain_name, option_code::interface_mtu, option_code::broadcast_address})
    CHECK(d.reply->find(code) != nullptr);
}

TEST_CASE("every combination of extras and limits stays within the client's maximum", "[net][dhcp][extras]") {
  auto config = with_extras();
  config.hostname = std::string(200, 'h');
  config.domain_name = std::string(200, 'd');
  config.bootfile_name = std::string(255, 'b');
  config.private_options.clear();
  for (std::uint8_t code = 224; code < 234; ++code)
    config.private_options.push_back({code, std::string(100, static_cast<char>('a' + (code - 224)))});
  REQUIRE(validate(config).ok());
  for (std::uint16_t limit : {576, 600, 800, 1000, 1500}) {
    for (const auto& prl : {bytes{}, bytes{1, 3, 6, 12, 15, 28, 42}, bytes{224, 225, 67, 66, 42, 1, 3}}) {
      lease_state state;
      auto req = udhcpc_request();
      req.set(option_code::max_message_size,
              {static_cast<std::uint8_t>(limit >> 8), static_cast<std::uint8_t>(limit & 0xff)});
      if (prl.empty())
        req.remove(option_code::parameter_request_list);
      else
        req.set(option_code::parameter_request_list, prl);
      auto d = decide(config, state, req);
      INFO("limit " << limit << ", list size " << prl.size());
      REQUIRE(d.reply);
      CHECK(serialize(*d.reply).size() <= static_cast<std::size_t>(limit - 28));
      CHECK(d.reply->find(option_code::subnet_mask) != nullptr);
      // Whatever was trimmed, the network options outlast unrequested extras.
      if (has(d.trimmed, 1) || has(d.trimmed, 3))
        for (std::uint8_t code = 224; code < 234; ++code)
          if (!has(prl, code))
            CHECK(d.reply->find(code) == nullptr);
    }
  }
}

TEST_CASE("validate refuses bad extras, naming the field", "[net][dhcp][extras]") {
  auto check = [](const std::function<void(lease_config&)>& change, const char* part) {
    auto c = with_extras();
    change(c);
    auto e = validate(c);
    INFO(part);
    CHECK(e == errc::invalid_argument);
    CHECK(e.to_string().find(part) != std::string::npos);
  };
  check([](auto& c) { c.private_options = {{223, "x"}}; }, "private_options[0]: option 223 is not a site-specific");
  check([](auto& c) { c.private_options = {{255, "x"}}; }, "option 255 is not a site-specific");
  check([](auto& c) { c.private_options = {{0, "x"}}; }, "private_options[0]");
  check([](auto& c) { c.private_options = {{230, "a"}, {231, "b"}, {230, "c"}}; },
        "private_options[2]: option 230 given twice (first at private_options[0])");
  check([](auto& c) { c.private_options = {{230, std::string(256, 'v')}}; }, "longer than 255 bytes");
  check([](auto& c) { c.ntp_servers = {ip("192.0.2.1"), ip("0.0.0.0")}; }, "ntp_servers[1]: 0.0.0.0");
  check([](auto& c) { c.ntp_servers = {ip("255.255.255.255")}; }, "ntp_servers[0]: 255.255.255.255");
  check([](auto& c) { c.bootfile_name = std::string(256, 'b'); }, "bootfile_name");
  check([](auto& c) { c.tftp_server_name = std::string(256, 't'); }, "tftp_server_name");
  auto edges = masquerade_config();
  edges.private_options = {{224, ""}, {254, std::string(255, 'v')}};
  edges.bootfile_name = std::string(255, 'b');
  CHECK(validate(edges).ok());
  CHECK(validate(with_extras()).ok());
}

TEST_CASE("the extras' option codes have names", "[net][dhcp][extras]") {
  CHECK(to_string(option_code::ntp_servers) == "ntp_servers");
  CHECK(to_string(option_code::tftp_server_name) == "tftp_server_name");
  CHECK(to_string(option_code::bootfile_name) == "bootfile_name");
  CHECK(parse_option_code("bootfile_name") == option_code::bootfile_name);
}
