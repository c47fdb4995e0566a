#include "introspect/publication.hpp"

#include <catch2/catch_test_macros.hpp>

#include "common/base64.hpp"

using namespace podvisor;
using namespace podvisor::introspect;

TEST_CASE("publication: endpoint URL, Secret and Node patch", "[introspect][publication]") {
  CHECK(endpoint_url("10.44.0.2", 8443) == "https://10.44.0.2:8443");
  CHECK(endpoint_url("fd00::2", 8443) == "https://[fd00::2]:8443");
  auto secret = credentials_secret("tok", "PEM");
  CHECK(secret["metadata"]["namespace"] == "kube-system");
  CHECK(secret["metadata"]["name"] == "podvisor-introspection");
  CHECK(base64_decode(secret["data"]["token"].get<std::string>()) == "tok");
  CHECK(base64_decode(secret["data"]["ca.crt"].get<std::string>()) == "PEM");
  CHECK(endpoint_annotation_patch("https://x:1")["metadata"]["annotations"]["podvisor.io/introspection-endpoint"] ==
        "https://x:1");
}
