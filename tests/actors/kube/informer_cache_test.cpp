#include "actors/kube/informer_cache.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

using namespace podvisor::actors::kube;
using podvisor::protocols::kube_object;

namespace {

kube_object pod(const std::string& ns, const std::string& name, int rv, const std::string& node = {},
                const std::string& owner = {}) {
  nlohmann::json j = {{"metadata", {{"namespace", ns}, {"name", name}, {"resourceVersion", std::to_string(rv)}}},
                      {"spec", nlohmann::json::object()}};
  if (!node.empty())
    j["spec"]["nodeName"] = node;
  if (!owner.empty())
    j["metadata"]["ownerReferences"] = {{{"uid", owner}, {"kind", "VirtualMachineInstance"}}};
  j["metadata"]["labels"] = {{"app", name.substr(0, 1)}};
  return kube_object{std::move(j)};
}

std::vector<std::string> names(const std::vector<kube_object>& objects) {
  std::vector<std::string> out;
  for (const auto& o : objects)
    out.emplace_back(o.name());
  return out;
}

index_set node_and_owner() {
  return {{"node", field_index("spec.nodeName")}, {"owner", owner_uid_index()}, {"app", label_index("app")}};
}

} // namespace

TEST_CASE("informer_cache: get, list and the namespace index", "[actors][kube][informer_cache]") {
  informer_cache cache;
  CHECK(cache.upsert("a/x", pod("a", "x", 1)).is_null());
  cache.upsert("b/y", pod("b", "y", 2));
  cache.upsert("a/w", pod("a", "w", 3));
  CHECK(cache.size() == 3);
  CHECK(cache.get("a/x").resource_version() == "1");
  CHECK(cache.get("nope").is_null());
  CHECK(names(cache.list()) == std::vector<std::string>{"w", "x", "y"});
  CHECK(names(cache.by_index("namespace", "a")) == std::vector<std::string>{"w", "x"});
  CHECK(cache.has_index("namespace"));
  CHECK_FALSE(cache.has_index("node"));
  CHECK(cache.by_index("node", "n1").empty());
}

TEST_CASE("informer_cache: indexes follow updates and removals", "[actors][kube][informer_cache]") {
  informer_cache cache{node_and_owner()};
  cache.upsert("ns/p1", pod("ns", "p1", 1, "n1", "vmi-a"));
  cache.upsert("ns/p2", pod("ns", "p2", 2, "n1", "vmi-b"));
  CHECK(names(cache.by_index("node", "n1")) == std::vector<std::string>{"p1", "p2"});
  CHECK(names(cache.by_index("owner", "vmi-a")) == std::vector<std::string>{"p1"});
  CHECK(names(cache.by_index("app", "p")) == std::vector<std::string>{"p1", "p2"});

  auto previous = cache.upsert("ns/p1", pod("ns", "p1", 3, "n2", "vmi-a"));
  CHECK(previous.resource_version() == "1");
  CHECK(names(cache.by_index("node", "n1")) == std::vector<std::string>{"p2"});
  CHECK(names(cache.by_index("node", "n2")) == std::vector<std::string>{"p1"});
  CHECK(cache.keys_by_index("node", "n2") == std::vector<std::string>{"ns/p1"});

  CHECK(cache.remove("ns/p2").name() == "p2");
  CHECK(cache.remove("ns/p2").is_null());
  CHECK(cache.by_index("node", "n1").empty());
  CHECK(cache.by_index("owner", "vmi-b").empty());
}

TEST_CASE("informer_cache: objects without an index value are not indexed", "[actors][kube][informer_cache]") {
  informer_cache cache{node_and_owner()};
  cache.upsert("ns/p", pod("ns", "p", 1));
  CHECK(cache.by_index("node", "").empty());
  CHECK(cache.by_index("owner", "").empty());
  informer_cache nodes;
  nodes.upsert("n1", kube_object{nlohmann::json{{"metadata", {{"name", "n1"}}}}});
  CHECK(nodes.by_index("namespace", "").empty());
  CHECK(nodes.get("n1").name() == "n1");
}

TEST_CASE("informer_cache: synced and resourceVersion", "[actors][kube][informer_cache]") {
  informer_cache cache;
  CHECK_FALSE(cache.synced());
  cache.set_resource_version("42");
  cache.set_synced();
  CHECK(cache.synced());
  CHECK(cache.resource_version() == "42");
}

TEST_CASE("informer_cache: readers on other threads see whole objects while the writer writes",
          "[actors][kube][informer_cache]") {
  informer_cache cache{node_and_owner()};
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t)
    readers.emplace_back([&] {
      while (!done.load()) {
        for (const auto& o : cache.by_index("node", "n1"))
          if (o.name().empty() || o->at("spec").at("nodeName") != "n1")
            ++bad;
        auto one = cache.get("ns/p7");
        if (one && one.name() != "p7")
          ++bad;
      }
    });
  for (int round = 0; round < 200; ++round)
    for (int i = 0; i < 20; ++i) {
      auto name = "p" + std::to_string(i);
      cache.upsert("ns/" + name, pod("ns", name, round * 20 + i, round % 2 == 0 ? "n1" : "n2"));
    }
  done = true;
  for (auto& r : readers)
    r.join();
  CHECK(bad.load() == 0);
  CHECK(cache.size() == 20);
}

TEST_CASE("resource_version_less orders decimal versions numerically", "[actors][kube][informer_cache]") {
  CHECK(resource_version_less("9", "10"));
  CHECK_FALSE(resource_version_less("10", "9"));
  CHECK(resource_version_less("100", "101"));
  CHECK_FALSE(resource_version_less("5", "5"));
}
