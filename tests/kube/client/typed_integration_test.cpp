// Typed CRUD (kube/client/typed.hpp) against the real embedded API server over HTTPS:
// kube/api structs in, kube/api structs out, with the server's defaults and identity
// fields decoded, and unknown fields surviving a read-modify-write.

#include <catch2/catch_test_macros.hpp>

#include "kube/api/core/config.hpp"
#include "kube/api/kubevirt/vmi.hpp"
#include "kube/client/typed.hpp"
#include "tests/kube/client/server_fixture.hpp"

namespace api = podvisor::kube::api;
namespace typed = podvisor::kube::client::typed;
using podvisor::errc;

TEST_CASE("typed: a VMI is created, read, listed, given a status and deleted", "[kube][client][typed][integration]") {
  podvisor::test::server_fixture f;
  auto client = f.client();

  api::virtual_machine_instance vmi;
  vmi.metadata.name = "web";
  vmi.metadata.labels["app"] = "web";
  vmi.spec.domain.resources.requests["memory"] = api::quantity::parse("128Mi").value();
  auto created = typed::create(*client, vmi, "default");
  REQUIRE(created);
  CHECK(created->metadata.uid.size() == 36);
  CHECK(created->metadata.namespace_ == "default");
  CHECK(created->spec.domain.machine.has_value()); // KubeVirt defaults applied by the server

  auto got = typed::get<api::virtual_machine_instance>(*client, "default", "web");
  REQUIRE(got);
  CHECK(got->metadata.resource_version == created->metadata.resource_version);

  got->status.phase = api::vmi_phase::running;
  got->status.node_name = "node-a";
  auto with_status = typed::update_status(*client, *got);
  REQUIRE(with_status);
  CHECK(with_status->status.phase == api::vmi_phase::running);
  CHECK(with_status->metadata.generation == 1);

  // The stale object now conflicts.
  auto stale = typed::update(*client, *got);
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code == errc::conflict);

  podvisor::kube::client::list_options by_label;
  by_label.label_selector = "app=web";
  auto listed = typed::list<api::virtual_machine_instance>(*client, "default", by_label);
  REQUIRE(listed);
  REQUIRE(listed->items.size() == 1);
  CHECK(listed->items[0].status.node_name == "node-a");
  CHECK_FALSE(listed->resource_version.empty());

  REQUIRE(typed::remove<api::virtual_machine_instance>(*client, "default", "web"));
  auto gone = typed::get<api::virtual_machine_instance>(*client, "default", "web");
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == errc::not_found);
}

TEST_CASE("typed: fields this version does not know survive a read-modify-write", "[kube][client][typed][integration]") {
  podvisor::test::server_fixture f;
  auto client = f.client();
  auto raw = nlohmann::json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},
                                      "data":{"k":"1"},"futureField":{"x":1}})");
  REQUIRE(client->create(typed::resource_of<api::config_map>(), "default", raw));
  auto cm = typed::get<api::config_map>(*client, "default", "c");
  REQUIRE(cm);
  cm->data["k"] = "2";
  REQUIRE(typed::update(*client, *cm));
  auto back = client->get(typed::resource_of<api::config_map>(), "default", "c");
  REQUIRE(back);
  CHECK((*back)["data"]["k"] == "2");
  CHECK((*back)["futureField"]["x"] == 1);
}
