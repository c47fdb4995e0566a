#include "net/dhcp/codec.hpp"

#include <catch2/catch_test_macros.hpp>

#include "test_packets.hpp"

using namespace podvisor;
using namespace podvisor::net::dhcp;
using namespace podvisor::net::dhcp::test;
using bytes = std::vector<std::uint8_t>;

namespace {

// The fixed header of a request from the guest, cookie included, options to be appended.
bytes header_bytes() {
  dhcp_packet p = request(message_type::discover);
  p.options.clear();
  auto out = serialize(p);
  out.resize(options_offset);
  return out;
}

bytes with_options(const bytes& options) {
  auto out = header_bytes();
  out.insert(out.end(), options.begin(), options.end());
  return out;
}

std::string parse_error_of(const bytes& b) {
  auto p = parse_packet(b);
  REQUIRE_FALSE(p.has_value());
  CHECK(p.error().code == errc::parse_error);
  return p.error().message;
}

} // namespace

TEST_CASE("a packet round-trips through serialize and parse", "[net][dhcp][codec]") {
  dhcp_packet p = request(message_type::request);
  p.hops = 1;
  p.xid = 0xdeadbeef;
  p.secs = 7;
  p.flags = broadcast_flag;
  p.ciaddr = ip("10.0.2.2");
  p.yiaddr = ip("10.0.2.3");
  p.siaddr = ip("10.0.2.4");
  p.giaddr = ip("10.0.2.5");
  p.sname[0] = 's';
  p.file[127] = 'f';
  p.set(option_code::requested_address, {10, 0, 2, 2});
  p.set(option_code::client_identifier, {1, 0x52, 0x54, 0, 0x12, 0x34, 0x56});
  p.set(option_code::parameter_request_list, {1, 3, 6, 121, 119});
  p.options.push_back(dhcp_option{80, {}}); // rapid commit: an option may be empty
  auto b = serialize(p);
  CHECK(b.size() == min_reply_size);
  CHECK(b[0] == 1);
  CHECK(b[4] == 0xde);
  CHECK(b[10] == 0x80); // broadcast bit, network order
  auto back = parse_packet(b);
  REQUIRE(back.has_value());
  CHECK(*back == p);
  CHECK(back->broadcast());
}

TEST_CASE("serialize pads to 300 bytes and never shrinks longer packets", "[net][dhcp][codec]") {
  dhcp_packet p;
  p.op = bootp_op::reply;
  auto small = serialize(p);
  CHECK(small.size() == 300);
  CHECK(small[options_offset] == 255);
  p.set(option_code::hostname, bytes(200, 'h'));
  auto big = serialize(p);
  CHECK(big.size() == options_offset + 202 + 1);
  CHECK(big.back() == 255);
}

TEST_CASE("options longer than 255 bytes go out as several instances (RFC 3396)", "[net][dhcp][codec]") {
  dhcp_packet p = request(message_type::ack);
  p.op = bootp_op::reply;
  bytes value(600);
  for (std::size_t i = 0; i < value.size(); ++i)
    value[i] = static_cast<std::uint8_t>(i);
  p.set(option_code::domain_search, value);
  auto b = serialize(p);
  // 53 first (3 bytes), then 119 as 255 + 255 + 90.
  std::size_t at = options_offset + 3;
  CHECK(b[at] == 119);
  CHECK(b[at + 1] == 255);
  CHECK(b[at + 2 + 255] == 119);
  CHECK(b[at + 2 + 255 + 1] == 255);
  CHECK(b[at + 4 + 510] == 119);
  CHECK(b[at + 4 + 510 + 1] == 90);
  auto back = parse_packet(b);
  REQUIRE(back.has_value());
  CHECK(back->find(option_code::domain_search)->data == value);
}

TEST_CASE("split instances are concatenated, as in RFC 3397's example", "[net][dhcp][codec]") {
  auto b = with_options({53, 1, 1,
                         119, 9, 3, 'e', 'n', 'g', 5, 'a', 'p', 'p', 'l',
                         119, 18, 'e', 3, 'c', 'o', 'm', 0, 9, 'm', 'a', 'r', 'k', 'e', 't', 'i', 'n', 'g', 0xc0, 0x04,
                         255});
  auto p = parse_packet(b);
  REQUIRE(p.has_value());
  const auto* search = p->find(option_code::domain_search);
  REQUIRE(search != nullptr);
  CHECK(search->data.size() == 27);
  CHECK(decode_domain_search(search->data).value() ==
        std::vector<std::string>{"eng.apple.com", "marketing.apple.com"});
}

TEST_CASE("option overload (52) reads options from file and sname", "[net][dhcp][codec]") {
  auto b = with_options({53, 1, 1, 52, 1, 3, 12, 2, 'a', 'b', 255});
  // file (offset 108): more of option 12, then END; sname (offset 44): option 50.
  b[108] = 12;
  b[109] = 1;
  b[110] = 'c';
  b[111] = 255;
  b[44] = 50;
  b[45] = 4;
  b[46] = 10;
  b[47] = 0;
  b[48] = 2;
  b[49] = 2;
  auto p = parse_packet(b);
  REQUIRE(p.has_value());
  CHECK(p->find(option_code::hostname)->data == bytes{'a', 'b', 'c'});
  CHECK(to_string(*p->requested_address()) == "10.0.2.2");
  CHECK(p->find(option_code::overload) == nullptr);
  CHECK(p->file == decltype(p->file){});
  CHECK(p->sname == decltype(p->sname){});
  // What we build from it has no overload and parses to the same packet.
  CHECK(parse_packet(serialize(*p)).value() == *p);
}

TEST_CASE("malformed packets give clear errors", "[net][dhcp][codec]") {
  CHECK(parse_error_of(bytes(100)).find("truncated: 100 bytes") != std::string::npos);
  CHECK(parse_error_of(bytes(238)).find("magic cookie") != std::string::npos);
  auto no_cookie = with_options({255});
  no_cookie[236] = 0x63;
  no_cookie[239] = 0x00;
  CHECK(parse_error_of(no_cookie).find("bad magic cookie") != std::string::npos);
  CHECK(parse_error_of(with_options({53, 1, 1})).find("without the END") != std::string::npos);
  CHECK(parse_error_of(with_options({53, 1, 1, 0, 0, 0})).find("without the END") != std::string::npos);
  CHECK(parse_error_of(with_options({53, 5, 1, 255})).find("runs past the end") != std::string::npos);
  CHECK(parse_error_of(with_options({53})).find("before its length byte") != std::string::npos);
  CHECK(parse_error_of(with_options({53, 2, 1, 1, 255})).find("option 53 (message_type): length 2") !=
        std::string::npos);
  CHECK(parse_error_of(with_options({54, 3, 1, 2, 3, 255})).find("length 3, must be 4") != std::string::npos);
  CHECK(parse_error_of(with_options({6, 6, 1, 2, 3, 4, 5, 6, 255})).find("multiple of 4") != std::string::npos);
  CHECK(parse_error_of(with_options({52, 1, 4, 255})).find("overload") != std::string::npos);
  auto overloaded_bad = with_options({52, 1, 1, 255});
  overloaded_bad[108] = 12;
  overloaded_bad[109] = 200; // runs past the file field
  CHECK(parse_error_of(overloaded_bad).find("in file") != std::string::npos);
  auto bad_op = with_options({255});
  bad_op[0] = 3;
  CHECK(parse_error_of(bad_op).find("bad op 3") != std::string::npos);
  auto bad_hlen = with_options({255});
  bad_hlen[2] = 17;
  CHECK(parse_error_of(bad_hlen).find("bad hlen 17") != std::string::npos);
  CHECK(parse_error_of(bytes(max_packet_size + 1)).find("oversized") != std::string::npos);
}

TEST_CASE("a valid packet cut at every length gives an error, never a crash", "[net][dhcp][codec]") {
  dhcp_packet p = request(message_type::request);
  p.set(option_code::requested_address, {10, 0, 2, 2});
  p.set(option_code::hostname, bytes(300, 'h'));
  auto b = serialize(p);
  REQUIRE(parse_packet(b).has_value());
  // Without the padding, the END option is the last byte: every shorter prefix is broken.
  for (std::size_t n = 0; n < b.size(); ++n) {
    INFO("length " << n);
    auto cut = parse_packet(std::span(b).first(n));
    REQUIRE_FALSE(cut.has_value());
    CHECK(cut.error().code == errc::parse_error);
    CHECK_FALSE(cut.error().message.empty());
  }
}

TEST_CASE("trailing bytes after END are ignored", "[net][dhcp][codec]") {
  auto b = with_options({53, 1, 1, 255, 0xde, 0xad});
  auto p = parse_packet(b);
  REQUIRE(p.has_value());
  CHECK(p->options.size() == 1);
}

TEST_CASE("max_reply_size follows option 57 minus the IP and UDP headers", "[net][dhcp][codec]") {
  dhcp_packet p = request(message_type::discover);
  CHECK(max_reply_size(p) == 548);
  p.set(option_code::max_message_size, {0x02, 0x40});
  CHECK(max_reply_size(p) == 548);
  p.set(option_code::max_message_size, {0x05, 0xdc});
  CHECK(max_reply_size(p) == 1472);
  p.set(option_code::max_message_size, {0x01, 0x00}); // below the legal minimum
  CHECK(max_reply_size(p) == 548);
}
