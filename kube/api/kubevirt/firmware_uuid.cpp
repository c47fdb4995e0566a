#include "kube/api/kubevirt/firmware_uuid.hpp"

#include <cstddef>
#include <vector>

namespace podvisor::kube::api {

namespace {

constexpr std::uint32_t rotl(std::uint32_t x, int n) {
  return (x << n) | (x >> (32 - n));
}

std::uint32_t load_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

// One 64-byte block of the SHA-1 compression function.
void sha1_block(std::array<std::uint32_t, 5>& h, const std::uint8_t* block) {
  std::array<std::uint32_t, 80> w{};
  for (std::size_t t = 0; t < 16; ++t)
    w[t] = load_be32(block + 4 * t);
  for (std::size_t t = 16; t < 80; ++t)
    w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (std::size_t t = 0; t < 80; ++t) {
    std::uint32_t f = 0;
    std::uint32_t k = 0;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    std::uint32_t temp = rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = temp;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

} // namespace

std::array<std::uint8_t, 20> sha1(std::string_view data) {
  std::array<std::uint32_t, 5> h = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  // Padding: 0x80, zeros to 56 mod 64, then the bit length as a 64-bit big-endian number.
  std::vector<std::uint8_t> msg(data.begin(), data.end());
  const std::uint64_t bit_length = static_cast<std::uint64_t>(data.size()) * 8;
  msg.push_back(0x80);
  while (msg.size() % 64 != 56)
    msg.push_back(0);
  for (int shift = 56; shift >= 0; shift -= 8)
    msg.push_back(static_cast<std::uint8_t>(bit_length >> shift));
  for (std::size_t off = 0; off < msg.size(); off += 64)
    sha1_block(h, msg.data() + off);
  std::array<std::uint8_t, 20> out{};
  for (std::size_t i = 0; i < 5; ++i) {
    out[4 * i] = static_cast<std::uint8_t>(h[i] >> 24);
    out[4 * i + 1] = static_cast<std::uint8_t>(h[i] >> 16);
    out[4 * i + 2] = static_cast<std::uint8_t>(h[i] >> 8);
    out[4 * i + 3] = static_cast<std::uint8_t>(h[i]);
  }
  return out;
}

uuid_bytes uuid_v5(const uuid_bytes& ns, std::string_view name) {
  std::string input(ns.begin(), ns.end());
  input.append(name);
  auto digest = sha1(input);
  uuid_bytes id{};
  for (std::size_t i = 0; i < id.size(); ++i)
    id[i] = digest[i];
  id[6] = static_cast<std::uint8_t>((id[6] & 0x0f) | 0x50); // version 5
  id[8] = static_cast<std::uint8_t>((id[8] & 0x3f) | 0x80); // RFC 4122 variant
  return id;
}

std::string format_uuid(const uuid_bytes& id) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out += '-';
    out += digits[id[i] >> 4];
    out += digits[id[i] & 0x0f];
  }
  return out;
}

std::string firmware_uuid_for(std::string_view name) {
  return format_uuid(uuid_v5(firmware_uuid_namespace, name));
}

} // namespace podvisor::kube::api
