#include "kube/api/validation/mac.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::api;

TEST_CASE("MAC addresses parse in both separator styles", "[kube][api][validation]") {
  auto colon = parse_mac("02:00:5e:AB:cd:EF");
  REQUIRE(colon);
  CHECK(*colon == mac_octets{0x02, 0x00, 0x5e, 0xab, 0xcd, 0xef});
  CHECK(parse_mac("02-00-5e-ab-cd-ef") == colon);
  for (const char* bad : {"", "02:00:5e:ab:cd", "02:00:5e:ab:cd:ef:01", "02:00-5e:ab:cd:ef",
                          "02:00:5e:ab:cd:eg", "0200.5eab.cdef", "2:00:5e:ab:cd:ef0", "02.00.5e.ab.cd.ef"})
    CHECK_FALSE(parse_mac(bad));
}

TEST_CASE("MAC address validation", "[kube][api][validation]") {
  field_path p = field_path{"spec"}.child("domain", "devices", "interfaces").index(0).child("macAddress");
  field_errors errors;
  validate_mac_address("", p, errors);
  validate_mac_address("02:00:00:00:00:01", p, errors);
  validate_mac_address("de-ad-be-ef-00-00", p, errors); // 0xde: I/G bit clear
  CHECK(errors.empty());

  validate_mac_address("02:00:00:00:00", p, errors);
  validate_mac_address("01:00:5e:00:00:01", p, errors);
  validate_mac_address("00:00:00:00:00:00", p, errors);
  validate_mac_address("ff:ff:ff:ff:ff:ff", p, errors);
  REQUIRE(errors.size() == 4);
  CHECK(errors[0].message()
        == R"(spec.domain.devices.interfaces[0].macAddress: Invalid value: "02:00:00:00:00": must be a MAC address of six hexadecimal pairs separated by ':' or '-' (e.g. '02:00:00:00:00:01'))");
  CHECK(errors[1].message()
        == R"(spec.domain.devices.interfaces[0].macAddress: Invalid value: "01:00:5e:00:00:01": must be a unicast address (the least significant bit of the first octet must be 0))");
  CHECK(errors[2].message()
        == R"(spec.domain.devices.interfaces[0].macAddress: Invalid value: "00:00:00:00:00:00": must not be the all-zero address)");
  CHECK(errors[3].detail
        == "must be a unicast address (the least significant bit of the first octet must be 0)");
}
