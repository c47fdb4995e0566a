#include "kube/apiserver/store/object_json.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::apiserver;

TEST_CASE("keys must name something and contain no NUL", "[kube][apiserver][store]") {
  CHECK(check_key({"v1/pods", "ns", "a"}).has_value());
  CHECK(check_key({"v1/nodes", "", "a"}).has_value());
  CHECK(check_key({"", "ns", "a"}).code() == store_errc::invalid);
  CHECK(check_key({"v1/pods", "ns", ""}).code() == store_errc::invalid);
  CHECK(check_key({"v1/pods", std::string("n\0s", 3), "a"}).code() == store_errc::invalid);
}

TEST_CASE("objects must be JSON objects whose metadata matches the key", "[kube][apiserver][store]") {
  object_key key{"v1/pods", "ns", "a"};
  CHECK(parse_object(R"({"metadata":{"name":"a","namespace":"ns"}})", key).has_value());
  CHECK(parse_object(R"({"metadata":{"name":"a"}})", key).has_value());
  CHECK(parse_object(R"({"metadata":{"name":"b","namespace":"ns"}})", key).code() == store_errc::invalid);
  CHECK(parse_object(R"({"metadata":{"name":"a","namespace":"other"}})", key).code() == store_errc::invalid);
  CHECK(parse_object(R"({"metadata":{"namespace":"ns"}})", key).code() == store_errc::invalid);
  CHECK(parse_object(R"({"metadata":[]})", key).code() == store_errc::invalid);
  CHECK(parse_object(R"([1,2])", key).code() == store_errc::invalid);
  CHECK(parse_object(R"({"metadata":)", key).code() == store_errc::invalid);
  CHECK(parse_object(std::string(1000, '['), key).code() == store_errc::invalid);
  object_key cluster{"v1/nodes", "", "n"};
  CHECK(parse_object(R"({"metadata":{"name":"n","namespace":""}})", cluster).has_value());
  CHECK(parse_object(R"({"metadata":{"name":"n","namespace":"x"}})", cluster).code() == store_errc::invalid);
}

TEST_CASE("stamping sets metadata.resourceVersion and serializes canonically", "[kube][apiserver][store]") {
  object_key key{"v1/pods", "ns", "a"};
  auto doc = parse_object(R"({"spec":{"b":1,"a":2},"metadata":{"name":"a","resourceVersion":"3"}})", key);
  REQUIRE(doc.has_value());
  CHECK(stamp_object(doc.value(), 17) ==
        R"({"metadata":{"name":"a","resourceVersion":"17"},"spec":{"a":2,"b":1}})");
  CHECK(object_uid(doc.value()).empty());
  auto with_uid = parse_object(R"({"metadata":{"name":"a","uid":"u-1"}})", key);
  REQUIRE(with_uid.has_value());
  CHECK(object_uid(with_uid.value()) == "u-1");
}
