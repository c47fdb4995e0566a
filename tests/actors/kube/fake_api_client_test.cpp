// The fake itself: the kube bridge's unit tests are only as good as its semantics.

#include "tests/fakes/fake_api_client.hpp"

#include <thread>
#include <vector>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;
using fakes::fake_api_client;
using podvisor::kube::client::watch_event;
using verb = fake_api_client::verb;

namespace {

const auto pods = podvisor::kube::client::resources::pods();

nlohmann::json pod(const std::string& name, const std::string& node = "n1") {
  return {{"metadata", {{"name", name}, {"labels", {{"app", "web"}}}}}, {"spec", {{"nodeName", node}}}};
}

} // namespace

TEST_CASE("fake_api_client: create, get, update with optimistic concurrency, status, delete",
          "[actors][kube][fake]") {
  fake_api_client c;
  auto created = c.create(pods, "ns", pod("a"));
  REQUIRE(created);
  CHECK((*created)["metadata"]["resourceVersion"] == "1");
  CHECK((*created)["metadata"]["namespace"] == "ns");
  CHECK(c.create(pods, "ns", pod("a")).error().code == errc::already_exists);

  auto stale = *created;
  auto updated = *created;
  updated["spec"]["x"] = 1;
  REQUIRE(c.update(pods, updated));
  CHECK(c.update(pods, stale).error().code == errc::conflict);

  auto current = *c.get(pods, "ns", "a");
  current["status"] = {{"phase", "Running"}};
  current["spec"]["x"] = 99; // ignored by a status write
  auto written = c.update_status(pods, current);
  REQUIRE(written);
  CHECK((*written)["spec"]["x"] == 1);
  CHECK((*written)["status"]["phase"] == "Running");
  CHECK(c.resource_version() == 3);

  auto patched = c.patch(pods, "ns", "a", podvisor::kube::client::patch_type::merge, {{"spec", {{"y", 2}}}});
  REQUIRE(patched);
  CHECK((*patched)["spec"]["y"] == 2);
  REQUIRE(c.remove(pods, "ns", "a", {}));
  CHECK(c.get(pods, "ns", "a").error().code == errc::not_found);
  CHECK(c.calls(verb::update) == 2);
}

TEST_CASE("fake_api_client: pods/binding sets spec.nodeName once", "[actors][kube][fake]") {
  fake_api_client c;
  REQUIRE(c.create(pods, "ns", {{"metadata", {{"name", "p"}}}, {"spec", nlohmann::json::object()}}));
  auto binding = [](const std::string& node) {
    return nlohmann::json{{"apiVersion", "v1"},
                          {"kind", "Binding"},
                          {"metadata", {{"name", "p"}, {"namespace", "ns"}}},
                          {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
  };
  CHECK(c.create_subresource(pods, "ns", "p", "binding", {{"target", nlohmann::json::object()}}).error().code ==
        errc::invalid_argument);
  auto bound = c.create_subresource(pods, "ns", "p", "binding", binding("n2"));
  REQUIRE(bound);
  CHECK((*bound)["status"] == "Success");
  CHECK((*c.get(pods, "ns", "p"))["spec"]["nodeName"] == "n2");

  auto again = c.create_subresource(pods, "ns", "p", "binding", binding("n3"));
  REQUIRE_FALSE(again);
  CHECK(again.error().code == errc::conflict);
  CHECK((*c.get(pods, "ns", "p"))["spec"]["nodeName"] == "n2");

  CHECK(c.create_subresource(pods, "ns", "missing", "binding", binding("n2")).error().code == errc::not_found);
  CHECK(c.create_subresource(pods, "ns", "p", "eviction", {}).error().code == errc::unsupported);
  CHECK(c.calls(verb::create_subresource) == 5);
}

TEST_CASE("fake_api_client: lists with selectors and injected failures", "[actors][kube][fake]") {
  fake_api_client c;
  REQUIRE(c.create(pods, "ns", pod("a", "n1")));
  REQUIRE(c.create(pods, "ns", pod("b", "n2")));
  REQUIRE(c.create(pods, "other", pod("c", "n1")));
  podvisor::kube::client::list_options options;
  options.field_selector = "spec.nodeName=n1";
  auto listed = c.list(pods, "", options);
  REQUIRE(listed);
  CHECK(listed->items.size() == 2);
  CHECK(listed->resource_version == "3");
  CHECK(c.list(pods, "ns", {})->items.size() == 2);
  options = {};
  options.label_selector = "app=db";
  CHECK(c.list(pods, "", options)->items.empty());

  c.fail_next(verb::list, {errc::unavailable, "down"}, 2);
  CHECK(c.list(pods, "", {}).error().code == errc::unavailable);
  CHECK(c.list(pods, "", {}).error().code == errc::unavailable);
  CHECK(c.list(pods, "", {}));
}

TEST_CASE("fake_api_client: watch from a version, clean end, and 410 for compacted history",
          "[actors][kube][fake]") {
  fake_api_client c;
  REQUIRE(c.create(pods, "ns", pod("a")));
  REQUIRE(c.create(pods, "ns", pod("b")));
  std::vector<std::string> seen;
  podvisor::error result;
  podvisor::kube::client::watch_options options;
  options.resource_version = "1";
  std::thread watcher{[&] {
    result = c.watch(pods, "ns", options, [&](watch_event& e) {
      seen.push_back(std::string{to_string(e.type)} + " " + e.object["metadata"]["name"].get<std::string>());
      return true;
    });
  }};
  REQUIRE(c.wait_for_watches(1, std::chrono::seconds{10}));
  REQUIRE(c.remove(pods, "ns", "a", {}));
  c.end_watches();
  watcher.join();
  CHECK(result.ok());
  CHECK(seen == std::vector<std::string>{"ADDED b", "DELETED a"});

  c.set_history_limit(1);
  bool got_error_event = false;
  options.resource_version = "1";
  auto gone = c.watch(pods, "ns", options, [&](watch_event& e) {
    got_error_event = e.type == watch_event::kind::error;
    return true;
  });
  CHECK(gone.code == errc::gone);
  CHECK(got_error_event);
}

TEST_CASE("fake_api_client: a cancelled watch returns cancelled", "[actors][kube][fake]") {
  fake_api_client c;
  podvisor::kube::client::watch_handle handle;
  podvisor::error result;
  std::thread watcher{[&] { result = c.watch(pods, "", {}, [](watch_event&) { return true; }, &handle); }};
  REQUIRE(c.wait_for_watches(1, std::chrono::seconds{10}));
  handle.cancel();
  watcher.join();
  CHECK(result.code == errc::cancelled);
  CHECK(c.running_watches() == 0);
}
