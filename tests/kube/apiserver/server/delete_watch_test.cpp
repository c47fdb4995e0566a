// Deletion (finalizers, owner references), patch types and watches of api_handler,
// in-process.

#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "kube/apiserver/server/watch_session.hpp"
#include "tests/kube/apiserver/server/handler_fixture.hpp"

using podvisor::test::handler_fixture;
using podvisor::test::vmi_manifest;
using podvisor::test::vmis;

namespace {

/// Reads event lines from a watch until `count` arrived or 5 s passed.
std::vector<nlohmann::json> read_events(podvisor::kube::apiserver::watch_session& session, std::size_t count) {
  std::vector<nlohmann::json> events;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (events.size() < count && std::chrono::steady_clock::now() < deadline) {
    auto chunk = session.next(std::chrono::milliseconds(100));
    if (!chunk)
      break;
    std::size_t start = 0;
    for (auto nl = chunk->find('\n'); nl != std::string::npos; nl = chunk->find('\n', start)) {
      events.push_back(nlohmann::json::parse(chunk->substr(start, nl - start)));
      start = nl + 1;
    }
  }
  return events;
}

} // namespace

TEST_CASE("delete with a finalizer is 202 and keeps the object until the finalizer goes") {
  handler_fixture f;
  auto obj = nlohmann::json::parse(vmi_manifest("held"));
  obj["metadata"]["finalizers"] = {"example.com/hold"};
  REQUIRE(f.send("POST", vmis, obj.dump()).status == 201);
  auto del = f.send("DELETE", std::string(vmis) + "/held");
  CHECK(del.status == 202);
  auto still = f.send("GET", std::string(vmis) + "/held");
  REQUIRE(still.status == 200);
  CHECK(still.body["metadata"].contains("deletionTimestamp"));
  REQUIRE(f.send("PATCH", std::string(vmis) + "/held", R"({"metadata":{"finalizers":null}})").status == 200);
  CHECK(f.send("GET", std::string(vmis) + "/held").status == 404);
}

TEST_CASE("strategic merge patch is 415 for a custom kind and works for a pod") {
  handler_fixture f;
  f.send("POST", vmis, vmi_manifest("web"));
  auto r = f.send("PATCH", std::string(vmis) + "/web", R"({"metadata":{"labels":{"s":"1"}}})",
                  "application/strategic-merge-patch+json");
  CHECK(r.status == 415);
  CHECK(r.body["reason"] == "UnsupportedMediaType");

  std::string pod = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[
      {"name":"a","image":"i"},{"name":"b","image":"i"}]}})";
  REQUIRE(f.send("POST", "/api/v1/namespaces/default/pods", pod).status == 201);
  auto patched = f.send("PATCH", "/api/v1/namespaces/default/pods/p",
                        R"({"spec":{"containers":[{"name":"b","image":"j"}]}})",
                        "application/strategic-merge-patch+json");
  REQUIRE(patched.status == 200);
  REQUIRE(patched.body["spec"]["containers"].size() == 2);
  CHECK(patched.body["spec"]["containers"][1]["image"] == "j");
}

TEST_CASE("a JSON patch whose test fails changes nothing") {
  handler_fixture f;
  f.send("POST", vmis, vmi_manifest("web"));
  auto r = f.send("PATCH", std::string(vmis) + "/web",
                  R"([{"op":"test","path":"/metadata/labels/app","value":"db"},{"op":"add","path":"/metadata/labels/x","value":"1"}])",
                  "application/json-patch+json");
  CHECK(r.status >= 400);
  CHECK_FALSE(f.send("GET", std::string(vmis) + "/web").body["metadata"]["labels"].contains("x"));
}

TEST_CASE("a watch sees ADDED, MODIFIED and DELETED in order") {
  handler_fixture f;
  auto listed = f.send("GET", vmis);
  auto rv = listed.body["metadata"]["resourceVersion"].get<std::string>();
  auto w = f.send("GET", std::string(vmis) + "?watch=1&resourceVersion=" + rv);
  REQUIRE(w.status == 200);
  REQUIRE(w.watch);
  f.send("POST", vmis, vmi_manifest("web"));
  f.send("PATCH", std::string(vmis) + "/web", R"({"metadata":{"labels":{"x":"1"}}})");
  f.send("DELETE", std::string(vmis) + "/web");
  auto events = read_events(*w.watch, 3);
  REQUIRE(events.size() == 3);
  CHECK(events[0]["type"] == "ADDED");
  CHECK(events[1]["type"] == "MODIFIED");
  CHECK(events[2]["type"] == "DELETED");
  CHECK(std::stoull(events[0]["object"]["metadata"]["resourceVersion"].get<std::string>())
        < std::stoull(events[1]["object"]["metadata"]["resourceVersion"].get<std::string>()));
}

TEST_CASE("a label-selected watch sees objects enter and leave the selection") {
  handler_fixture f;
  f.send("POST", vmis, vmi_manifest("web"));
  auto rv = f.send("GET", vmis).body["metadata"]["resourceVersion"].get<std::string>();
  auto w = f.send("GET", std::string(vmis) + "?watch=true&labelSelector=tier%3Dfront&resourceVersion=" + rv);
  REQUIRE(w.watch);
  f.send("PATCH", std::string(vmis) + "/web", R"({"metadata":{"labels":{"tier":"front"}}})");
  f.send("PATCH", std::string(vmis) + "/web", R"({"metadata":{"labels":{"tier":"back"}}})");
  auto events = read_events(*w.watch, 2);
  REQUIRE(events.size() == 2);
  CHECK(events[0]["type"] == "ADDED");
  CHECK(events[1]["type"] == "DELETED");
}

TEST_CASE("a watch from a resourceVersion older than the history gets a 410 ERROR event") {
  handler_fixture f(/*history=*/5);
  auto first = f.send("POST", vmis, vmi_manifest("web"));
  auto first_rv = first.body["metadata"]["resourceVersion"].get<std::string>();
  for (int i = 0; i < 20; ++i)
    f.send("PATCH", std::string(vmis) + "/web", R"({"metadata":{"labels":{"n":")" + std::to_string(i) + "\"}}}");
  auto w = f.send("GET", std::string(vmis) + "?watch=1&resourceVersion=" + first_rv);
  REQUIRE(w.status == 200);
  REQUIRE_FALSE(w.watch);
  CHECK(w.body["type"] == "ERROR");
  CHECK(w.body["object"]["code"] == 410);
  CHECK(w.body["object"]["reason"] == "Expired");
}

TEST_CASE("watch parameters that do not parse are 400") {
  handler_fixture f;
  CHECK(f.send("GET", std::string(vmis) + "?watch=1&resourceVersion=abc").status == 400);
  CHECK(f.send("GET", std::string(vmis) + "?watch=1&allowWatchBookmarks=maybe").status == 400);
  CHECK(f.send("GET", std::string(vmis) + "?watch=1&timeoutSeconds=-3").status == 400);
  CHECK(f.send("GET", std::string(vmis) + "?labelSelector=a%20in%20(").status == 400);
}

TEST_CASE("a bound pod deleted gracefully survives status updates until deleted with grace period 0") {
  handler_fixture f;
  std::string pod = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"nodeName":"node-a","containers":[{"name":"a","image":"i"}]}})";
  REQUIRE(f.send("POST", "/api/v1/namespaces/default/pods", pod).status == 201);
  auto del = f.send("DELETE", "/api/v1/namespaces/default/pods/p");
  REQUIRE(del.status == 200);
  CHECK(del.body["metadata"].contains("deletionTimestamp"));
  CHECK(del.body["metadata"]["deletionGracePeriodSeconds"] == 30);
  // The node reports the pod stopping: the update must not complete the deletion.
  auto status = f.send("PATCH", "/api/v1/namespaces/default/pods/p/status", R"({"status":{"phase":"Succeeded"}})");
  CHECK(status.status == 200);
  CHECK(f.send("GET", "/api/v1/namespaces/default/pods/p").status == 200);
  auto now = f.send("DELETE", "/api/v1/namespaces/default/pods/p?gracePeriodSeconds=0");
  CHECK(now.status == 200);
  CHECK(f.send("GET", "/api/v1/namespaces/default/pods/p").status == 404);
}
