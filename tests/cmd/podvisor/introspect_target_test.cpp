#include "cmd/podvisor/introspect_target.hpp"

#include <catch2/catch_test_macros.hpp>

#include "common/base64.hpp"
#include "kube/client/resource.hpp"
#include "tests/fakes/fake_api_client.hpp"

using namespace podvisor;
using namespace podvisor::cli;
using nlohmann::json;
namespace res = podvisor::kube::client::resources;

namespace {

json vmi(std::string node, std::string phase = "Running") {
  json status = {{"phase", phase}};
  if (!node.empty())
    status["nodeName"] = node;
  return {{"apiVersion", "kubevirt.io/v1"}, {"kind", "VirtualMachineInstance"},
          {"metadata", {{"name", "vm1"}, {"namespace", "default"}}}, {"status", status}};
}

json node(std::string name, json annotations = json::object()) {
  return {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}, {"annotations", annotations}}}};
}

json secret(json data) {
  return {{"apiVersion", "v1"}, {"kind", "Secret"},
          {"metadata", {{"name", "podvisor-introspection"}, {"namespace", "kube-system"}}}, {"data", data}};
}

const json good_data = {{"token", base64_encode("tok-123\n")}, {"ca.crt", base64_encode("-----BEGIN CERTIFICATE-----\n")}};
const json endpoint = {{"podvisor.io/introspection-endpoint", "https://10.44.0.2:8443"}};

} // namespace

TEST_CASE("introspect: the endpoint comes from the VMI's node and the credentials from the Secret",
          "[cmd][podvisor][introspect]") {
  fakes::fake_api_client api;
  REQUIRE(api.create(res::virtual_machine_instances(), "default", vmi("node-2")));
  REQUIRE(api.create(res::nodes(), "", node("node-1", {{"podvisor.io/introspection-endpoint", "https://10.44.0.1:8443"}})));
  REQUIRE(api.create(res::nodes(), "", node("node-2", endpoint)));
  REQUIRE(api.create(res::secrets(), "kube-system", secret(good_data)));
  auto t = find_introspection_target(api, "default", "vm1");
  REQUIRE(t.has_value());
  CHECK(t->node == "node-2");
  CHECK(t->endpoint == "https://10.44.0.2:8443");
  CHECK(t->token == "tok-123"); // the newline of `echo token | base64` is not part of it
  CHECK(t->ca_pem == "-----BEGIN CERTIFICATE-----\n");
  CHECK(supervisor_path("default", "vm1", false) == "/v1/supervisors/default/vm1");
  CHECK(supervisor_path("default", "vm1", true) == "/v1/supervisors/default/vm1?watch=true");
}

TEST_CASE("introspect: each missing piece is a clear error", "[cmd][podvisor][introspect]") {
  fakes::fake_api_client api;
  auto missing_vmi = find_introspection_target(api, "default", "vm1");
  REQUIRE_FALSE(missing_vmi.has_value());
  CHECK(missing_vmi.error() == errc::not_found);
  CHECK(missing_vmi.error().message == "VirtualMachineInstance default/vm1 not found");

  REQUIRE(api.create(res::virtual_machine_instances(), "default", vmi("", "Scheduling")));
  auto unscheduled = find_introspection_target(api, "default", "vm1");
  CHECK(unscheduled.error() == errc::unavailable);
  CHECK(unscheduled.error().message.find("not scheduled to a node yet (phase Scheduling)") != std::string::npos);

  auto scheduled = api.get(res::virtual_machine_instances(), "default", "vm1");
  REQUIRE(scheduled);
  (*scheduled)["status"]["nodeName"] = "node-1";
  REQUIRE(api.update_status(res::virtual_machine_instances(), *scheduled));
  auto no_node = find_introspection_target(api, "default", "vm1");
  CHECK(no_node.error() == errc::not_found);
  CHECK(no_node.error().message.find("node node-1") != std::string::npos);

  REQUIRE(api.create(res::nodes(), "", node("node-1")));
  auto no_annotation = find_introspection_target(api, "default", "vm1");
  CHECK(no_annotation.error() == errc::not_found);
  CHECK(no_annotation.error().message.find("podvisor.io/introspection-endpoint") != std::string::npos);

  auto n = api.get(res::nodes(), "", "node-1");
  REQUIRE(n);
  (*n)["metadata"]["annotations"] = {{"podvisor.io/introspection-endpoint", "http://10.44.0.1:8443"}};
  REQUIRE(api.update(res::nodes(), *n));
  CHECK(find_introspection_target(api, "default", "vm1").error() == errc::invalid_argument);
  n = api.get(res::nodes(), "", "node-1");
  (*n)["metadata"]["annotations"] = endpoint;
  REQUIRE(api.update(res::nodes(), *n));

  auto no_secret = find_introspection_target(api, "default", "vm1");
  CHECK(no_secret.error() == errc::not_found);
  CHECK(no_secret.error().message.find("Secret kube-system/podvisor-introspection not found") != std::string::npos);

  REQUIRE(api.create(res::secrets(), "kube-system", secret({{"ca.crt", good_data["ca.crt"]}})));
  auto no_token = find_introspection_target(api, "default", "vm1");
  CHECK(no_token.error() == errc::not_found);
  CHECK(no_token.error().message.find("\"token\"") != std::string::npos);

  auto s = api.get(res::secrets(), "kube-system", "podvisor-introspection");
  REQUIRE(s);
  (*s)["data"] = {{"token", "!!not base64"}, {"ca.crt", good_data["ca.crt"]}};
  REQUIRE(api.update(res::secrets(), *s));
  CHECK(find_introspection_target(api, "default", "vm1").error() == errc::invalid_argument);

  s = api.get(res::secrets(), "kube-system", "podvisor-introspection");
  (*s)["data"] = {{"token", good_data["token"]}};
  REQUIRE(api.update(res::secrets(), *s));
  auto no_ca = find_introspection_target(api, "default", "vm1");
  CHECK(no_ca.error() == errc::not_found);
  CHECK(no_ca.error().message.find("\"ca.crt\"") != std::string::npos);
}

TEST_CASE("introspect: API failures other than not-found are passed on", "[cmd][podvisor][introspect]") {
  fakes::fake_api_client api;
  api.fail_next(fakes::fake_api_client::verb::get, {errc::forbidden, "no"});
  CHECK(find_introspection_target(api, "default", "vm1").error() == errc::forbidden);
}

TEST_CASE("introspect: the command line", "[cmd][podvisor][introspect]") {
  auto o = parse_introspect_args({"vmi", "vm1", "-n", "prod", "--kubeconfig=/k", "-o", "json", "--watch"});
  REQUIRE(o.has_value());
  CHECK(o->name == "vm1");
  CHECK(o->namespace_ == "prod");
  CHECK(o->kubeconfig == "/k");
  CHECK(o->json);
  CHECK(o->watch);
  auto plain = parse_introspect_args({"vmi", "vm1"});
  REQUIRE(plain.has_value());
  CHECK_FALSE(plain->json);
  CHECK_FALSE(plain->watch);
  CHECK(parse_introspect_args({"vmi", "vm1", "-ojson"})->json);
  CHECK(parse_introspect_args({"vmi", "vm1", "--output=text"}).has_value());
  CHECK(parse_introspect_args({"--help"})->help);
  CHECK(parse_introspect_args({}).error() == errc::invalid_argument);
  CHECK(parse_introspect_args({"vm", "vm1"}).error() == errc::invalid_argument);
  CHECK(parse_introspect_args({"vmi"}).error() == errc::invalid_argument);
  CHECK(parse_introspect_args({"vmi", "a", "b"}).error() == errc::invalid_argument);
  CHECK(parse_introspect_args({"vmi", "a", "-o", "yaml"}).error() == errc::invalid_argument);
  CHECK(parse_introspect_args({"vmi", "a", "-n"}).error() == errc::invalid_argument);
  CHECK(parse_introspect_args({"vmi", "a", "--force"}).error() == errc::invalid_argument);
}
