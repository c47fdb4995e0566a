#include "kube/apiserver/resources/jsonpath.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::apiserver;
using json = nlohmann::json;

namespace {

json sample() {
  return json::parse(R"({"metadata":{"name":"a","labels":{"kubevirt.io/size":"small"}},
    "status":{"phase":"Running","interfaces":[{"ipAddress":"10.0.0.5"},{"ipAddress":"10.0.0.6"}],
      "conditions":[{"type":"Ready","status":"True"},{"type":"Paused","status":"False","n":3}]}})");
}

std::optional<json> eval(const char* path) {
  std::string error;
  auto p = json_path::parse(path, error);
  REQUIRE(p);
  return p->first(sample());
}

} // namespace

TEST_CASE("json_path evaluates the printer-column subset", "[kube][apiserver][resources][jsonpath]") {
  CHECK(eval(".status.phase") == json("Running"));
  CHECK(eval("{.status.phase}") == json("Running"));
  CHECK(eval("$.metadata.name") == json("a"));
  CHECK(eval(".status.interfaces[0].ipAddress") == json("10.0.0.5"));
  CHECK(eval(".status.interfaces[-1].ipAddress") == json("10.0.0.6"));
  CHECK(eval(".status.conditions[?(@.type=='Ready')].status") == json("True"));
  CHECK(eval(R"(.status.conditions[?(@.type=="Paused")].status)") == json("False"));
  CHECK(eval(".status.conditions[?(@.n==3)].type") == json("Paused"));
  CHECK(eval(".status.conditions[?(@.type!='Ready')].type") == json("Paused"));
  CHECK(eval(".metadata.labels['kubevirt.io/size']") == json("small"));
  CHECK(eval(R"(.metadata.labels.kubevirt\.io/size)") == json("small"));
  CHECK_FALSE(eval(".status.conditions[?(@.type=='LiveMigratable')].status"));
  CHECK_FALSE(eval(".status.interfaces[5].ipAddress"));
  CHECK_FALSE(eval(".spec.nothing"));

  std::string error;
  auto all = json_path::parse(".status.interfaces[*].ipAddress", error);
  REQUIRE(all);
  CHECK(all->evaluate(sample()) == std::vector<json>{"10.0.0.5", "10.0.0.6"});
}

TEST_CASE("json_path refuses what it cannot evaluate", "[kube][apiserver][resources][jsonpath]") {
  std::string error;
  CHECK_FALSE(json_path::parse("", error));
  CHECK_FALSE(json_path::parse("..status", error));
  CHECK(error.find("recursive descent") != std::string::npos);
  CHECK_FALSE(json_path::parse(".a[1:2]", error));
  CHECK_FALSE(json_path::parse(".a[?(@.x > 1)]", error));
  CHECK_FALSE(json_path::parse(".a['x]", error));
  CHECK_FALSE(json_path::parse("status", error));
}

TEST_CASE("lookup follows plain dotted paths", "[kube][apiserver][resources][jsonpath]") {
  auto s = sample();
  REQUIRE(lookup(s, "status.phase") != nullptr);
  CHECK(*lookup(s, "status.phase") == "Running");
  CHECK(lookup(s, "status.phase.x") == nullptr);
  CHECK(lookup(s, "spec") == nullptr);
  CHECK(render_cell_text(json("x")) == "x");
  CHECK(render_cell_text(json(3)) == "3");
  CHECK(render_cell_text(json(true)) == "true");
}
