#include "actors/kube/relist_diff.hpp"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

using podvisor::actors::kube::informer_cache;
using podvisor::actors::kube::object_change;
using podvisor::actors::kube::relist_diff;
using podvisor::protocols::kube_object;

namespace {

kube_object obj(const std::string& name, int rv, const std::string& uid = {}) {
  return kube_object{nlohmann::json{
    {"metadata",
     {{"namespace", "ns"}, {"name", name}, {"uid", uid.empty() ? "uid-" + name : uid},
      {"resourceVersion", std::to_string(rv)}}}}};
}

informer_cache::object_map cache_of(const std::vector<kube_object>& objects) {
  informer_cache::object_map map;
  for (const auto& o : objects)
    map.emplace(o.key(), o);
  return map;
}

/// "added ns/a@3", "updated ns/a@1->3", "deleted ns/a@1 (unknown)".
std::vector<std::string> describe(const std::vector<object_change>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) {
    if (!c.old_object)
      out.push_back("added " + c.key + "@" + std::string{c.new_object.resource_version()});
    else if (!c.new_object)
      out.push_back("deleted " + c.key + "@" + std::string{c.old_object.resource_version()} +
                    (c.final_state_unknown ? " (unknown)" : ""));
    else
      out.push_back("updated " + c.key + "@" + std::string{c.old_object.resource_version()} + "->" +
                    std::string{c.new_object.resource_version()});
  }
  return out;
}

} // namespace

TEST_CASE("relist_diff: an empty cache gets every listed object as added, in resourceVersion order",
          "[actors][kube][relist_diff]") {
  auto changes = relist_diff({}, {obj("b", 12), obj("a", 9), obj("c", 100)});
  CHECK(describe(changes) == std::vector<std::string>{"added ns/a@9", "added ns/b@12", "added ns/c@100"});
}

TEST_CASE("relist_diff: unchanged objects produce nothing", "[actors][kube][relist_diff]") {
  auto a = obj("a", 1);
  auto b = obj("b", 2);
  CHECK(relist_diff(cache_of({a, b}), {obj("a", 1), obj("b", 2)}).empty());
}

TEST_CASE("relist_diff: only the differences: updated, added, deleted", "[actors][kube][relist_diff]") {
  auto cached = cache_of({obj("a", 1), obj("b", 2), obj("c", 3), obj("d", 4)});
  auto changes = relist_diff(cached, {obj("a", 1), obj("b", 7), obj("d", 4), obj("e", 6)});
  CHECK(describe(changes) ==
        std::vector<std::string>{"added ns/e@6", "updated ns/b@2->7", "deleted ns/c@3 (unknown)"});
  // The deletion carries the last state the cache saw.
  CHECK(changes.back().old_object == cached.at("ns/c"));
}

TEST_CASE("relist_diff: a re-created object (same name, new uid) is deleted then added",
          "[actors][kube][relist_diff]") {
  auto changes = relist_diff(cache_of({obj("a", 1, "old")}), {obj("a", 5, "new")});
  CHECK(describe(changes) == std::vector<std::string>{"deleted ns/a@1 (unknown)", "added ns/a@5"});
  CHECK(changes[1].new_object.uid() == "new");
}

TEST_CASE("relist_diff: deletions come last, sorted by key", "[actors][kube][relist_diff]") {
  auto changes = relist_diff(cache_of({obj("z", 1), obj("m", 2), obj("a", 3)}), {obj("n", 9)});
  CHECK(describe(changes) == std::vector<std::string>{"added ns/n@9", "deleted ns/a@3 (unknown)",
                                                      "deleted ns/m@2 (unknown)", "deleted ns/z@1 (unknown)"});
}

TEST_CASE("relist_diff: nameless items are skipped and the last duplicate counts", "[actors][kube][relist_diff]") {
  kube_object nameless{nlohmann::json{{"metadata", {{"resourceVersion", "3"}}}}};
  auto changes = relist_diff({}, {nameless, obj("a", 4), obj("a", 5)});
  CHECK(describe(changes) == std::vector<std::string>{"added ns/a@5"});
}

TEST_CASE("relist_diff: resourceVersions order numerically, not as text", "[actors][kube][relist_diff]") {
  auto changes = relist_diff({}, {obj("x", 10), obj("y", 9), obj("z", 100)});
  CHECK(describe(changes) == std::vector<std::string>{"added ns/y@9", "added ns/x@10", "added ns/z@100"});
}
