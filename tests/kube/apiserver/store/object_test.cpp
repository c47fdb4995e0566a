#include "kube/apiserver/store/object.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::apiserver;

TEST_CASE("resource versions parse like Kubernetes' decimal strings", "[kube][apiserver][store]") {
  CHECK(parse_resource_version("") == 0u);
  CHECK(parse_resource_version("0") == 0u);
  CHECK(parse_resource_version("42") == 42u);
  CHECK(parse_resource_version("18446744073709551615") == 18446744073709551615u);
  CHECK_FALSE(parse_resource_version("18446744073709551616").has_value());
  CHECK_FALSE(parse_resource_version("-1").has_value());
  CHECK_FALSE(parse_resource_version("+1").has_value());
  CHECK_FALSE(parse_resource_version(" 1").has_value());
  CHECK_FALSE(parse_resource_version("1a").has_value());
  CHECK(format_resource_version(7) == "7");
}

TEST_CASE("index keys order by resource, namespace, name and split back", "[kube][apiserver][store]") {
  object_key a{"v1/pods", "default", "web"};
  CHECK(key_from_index(index_key(a)) == a);
  object_key cluster{"v1/nodes", "", "node01"};
  CHECK(key_from_index(index_key(cluster)) == cluster);
  // A resource whose name extends another's must not fall into the other's range.
  auto prefix = index_prefix("v1/pod", std::nullopt);
  CHECK_FALSE(index_key(a).starts_with(prefix));
  CHECK(index_key(a).starts_with(index_prefix("v1/pods", std::nullopt)));
  CHECK(index_key(a).starts_with(index_prefix("v1/pods", "default")));
  CHECK_FALSE(index_key(a).starts_with(index_prefix("v1/pods", "default2")));
  CHECK_FALSE(index_key({"v1/pods", "default2", "x"}).starts_with(index_prefix("v1/pods", "default")));
}
