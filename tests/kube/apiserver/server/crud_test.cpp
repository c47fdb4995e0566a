// CRUD semantics of api_handler, in-process: identity fields, generateName, generation,
// optimistic concurrency, the status subresource, admission errors.

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/apiserver/server/handler_fixture.hpp"

using podvisor::test::handler_fixture;
using podvisor::test::vmi_manifest;
using podvisor::test::vmis;

TEST_CASE("create stamps uid, creationTimestamp, generation and resourceVersion") {
  handler_fixture f;
  auto created = f.send("POST", vmis, vmi_manifest("web"));
  REQUIRE(created.status == 201);
  const auto& meta = created.body["metadata"];
  CHECK(meta["uid"].get<std::string>().size() == 36);
  CHECK(meta.contains("creationTimestamp"));
  CHECK(meta["generation"] == 1);
  CHECK(meta["namespace"] == "default");
  auto got = f.send("GET", std::string(vmis) + "/web");
  REQUIRE(got.status == 200);
  CHECK(got.body["metadata"]["resourceVersion"] == meta["resourceVersion"]);
  // KubeVirt defaults were applied before storage.
  CHECK(got.body["spec"]["domain"]["machine"]["type"] == "q35");
}

TEST_CASE("a second create of the same name is 409 AlreadyExists") {
  handler_fixture f;
  REQUIRE(f.send("POST", vmis, vmi_manifest("web")).status == 201);
  auto again = f.send("POST", vmis, vmi_manifest("web"));
  CHECK(again.status == 409);
  CHECK(again.body["reason"] == "AlreadyExists");
}

TEST_CASE("generateName makes distinct names from one prefix") {
  handler_fixture f;
  std::string body = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"cfg-"}})";
  auto a = f.send("POST", "/api/v1/namespaces/default/configmaps", body);
  auto b = f.send("POST", "/api/v1/namespaces/default/configmaps", body);
  REQUIRE(a.status == 201);
  REQUIRE(b.status == 201);
  auto name_a = a.body["metadata"]["name"].get<std::string>();
  CHECK(name_a.rfind("cfg-", 0) == 0);
  CHECK(name_a.size() == 9);
  CHECK(name_a != b.body["metadata"]["name"].get<std::string>());
}

TEST_CASE("an update with a stale resourceVersion is 409 Conflict and changes nothing") {
  handler_fixture f;
  auto created = f.send("POST", vmis, vmi_manifest("web"));
  auto stale = created.body;
  REQUIRE(f.send("PATCH", std::string(vmis) + "/web", R"({"metadata":{"labels":{"x":"1"}}})").status == 200);
  stale["metadata"]["labels"]["y"] = "2";
  auto put = f.send("PUT", std::string(vmis) + "/web", stale.dump());
  CHECK(put.status == 409);
  CHECK(put.body["reason"] == "Conflict");
  CHECK(put.body["message"].get<std::string>().find("the object has been modified") != std::string::npos);
  auto now = f.send("GET", std::string(vmis) + "/web");
  CHECK_FALSE(now.body["metadata"]["labels"].contains("y"));
}

TEST_CASE("generation changes with the spec only; status goes through /status only") {
  handler_fixture f;
  f.send("POST", vmis, vmi_manifest("web"));
  auto labelled = f.send("PATCH", std::string(vmis) + "/web", R"({"metadata":{"labels":{"x":"1"}}})");
  CHECK(labelled.body["metadata"]["generation"] == 1);
  auto ignored = f.send("PATCH", std::string(vmis) + "/web", R"({"status":{"phase":"Running"}})");
  CHECK(ignored.status == 200);
  CHECK_FALSE((ignored.body.contains("status") && ignored.body["status"].contains("phase")));
  auto status = f.send("PATCH", std::string(vmis) + "/web/status", R"({"status":{"phase":"Running"},"spec":{"domain":{"cpu":{"cores":4}}}})");
  REQUIRE(status.status == 200);
  CHECK(status.body["status"]["phase"] == "Running");
  CHECK(status.body["metadata"]["generation"] == 1);
  CHECK_FALSE(status.body["spec"]["domain"]["cpu"]["cores"] == 4);
  auto spec = f.send("PATCH", std::string(vmis) + "/web", R"({"spec":{"domain":{"cpu":{"cores":2}}}})");
  REQUIRE(spec.status == 200);
  CHECK(spec.body["metadata"]["generation"] == 2);
  CHECK(spec.body["status"]["phase"] == "Running");
}

TEST_CASE("an invalid VMI is 422 with every field error and is not stored") {
  handler_fixture f;
  std::string bad = R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":"bad"},
    "spec":{"domain":{"devices":{"disks":[{"name":"d","disk":{"bus":"ide"}}],
    "interfaces":[{"name":"x","bridge":{},"macAddress":"01:00:00:00:00:01"}]}}}})";
  auto r = f.send("POST", vmis, bad);
  REQUIRE(r.status == 422);
  CHECK(r.body["reason"] == "Invalid");
  auto message = r.body["message"].get<std::string>();
  CHECK(message.find("spec.domain.devices.disks[0].disk.bus") != std::string::npos);
  CHECK(message.find("spec.domain.devices.interfaces[0].macAddress") != std::string::npos);
  CHECK(r.body["details"]["causes"].size() >= 3);
  CHECK(f.send("GET", std::string(vmis) + "/bad").status == 404);
}

TEST_CASE("a body whose kind does not match the URL is refused") {
  handler_fixture f;
  auto r = f.send("POST", vmis, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}})");
  CHECK(r.status == 400);
  CHECK(r.body["kind"] == "Status");
}

TEST_CASE("names that could be paths never reach the store") {
  handler_fixture f;
  for (const char* path : {"/api/v1/namespaces/default/configmaps/..", "/api/v1/namespaces/../configmaps/x",
                           "/api/v1/namespaces/default/configmaps/a/../../b"}) {
    auto r = f.send("GET", path);
    INFO(path);
    CHECK((r.status == 400 || r.status == 404));
    CHECK(r.body["kind"] == "Status");
  }
  auto r = f.send("POST", "/api/v1/namespaces/default/configmaps",
                  R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"../etc"}})");
  CHECK(r.status == 422);
}

TEST_CASE("unknown resources and groups are 404 NotFound Status bodies") {
  handler_fixture f;
  auto r = f.send("GET", "/apis/example.com/v1/widgets");
  CHECK(r.status == 404);
  CHECK(r.body["reason"] == "NotFound");
  CHECK(f.send("GET", "/api/v1/namespaces/default/widgets").status == 404);
}

TEST_CASE("an update without resourceVersion overwrites a built-in kind and is refused for a custom kind") {
  handler_fixture f;
  std::string cm = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"1"}})";
  REQUIRE(f.send("POST", "/api/v1/namespaces/default/configmaps", cm).status == 201);
  auto put = f.send("PUT", "/api/v1/namespaces/default/configmaps/c",
                    R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"2"}})");
  REQUIRE(put.status == 200);
  CHECK(put.body["data"]["k"] == "2");

  auto created = f.send("POST", vmis, vmi_manifest("web"));
  auto unconditional = created.body;
  unconditional["metadata"].erase("resourceVersion");
  auto refused = f.send("PUT", std::string(vmis) + "/web", unconditional.dump());
  CHECK(refused.status == 422);
  CHECK(refused.body["message"].get<std::string>().find("metadata.resourceVersion") != std::string::npos);
}
