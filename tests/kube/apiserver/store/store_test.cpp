#include "kube/apiserver/store/store.hpp"

#include <catch2/catch_test_macros.hpp>

#include <nlohmann/json.hpp>

#include "tests/kube/apiserver/store/store_fixture.hpp"

using namespace podvisor::kube::apiserver;
using namespace podvisor::test;

namespace {

std::string rv_in(const stored_object& object) {
  return nlohmann::json::parse(object.text())["metadata"]["resourceVersion"].get<std::string>();
}

} // namespace

TEST_CASE("store creates, gets, lists, updates and removes objects", "[kube][apiserver][store]") {
  temp_dir dir;
  auto s = open_store(dir);
  CHECK(s->current_rv() == 1); // never "0", even when empty
  CHECK(s->list(pods).resource_version == 1);

  auto created = s->create({pods, "ns", "a"}, object_json("ns", "a", "1"));
  REQUIRE(created.has_value());
  CHECK(created->rv == 2);
  CHECK(rv_in(created.value()) == "2");
  CHECK(s->current_rv() == 2);

  auto got = s->get({pods, "ns", "a"});
  REQUIRE(got.has_value());
  CHECK(got->text() == created->text());

  REQUIRE(s->create({pods, "ns", "b"}, object_json("ns", "b", "1")));
  REQUIRE(s->create({pods, "other", "c"}, object_json("other", "c", "1")));
  REQUIRE(s->create({vmis, "ns", "a"}, object_json("ns", "a", "1")));
  auto all = s->list(pods);
  REQUIRE(all.items.size() == 3);
  CHECK(all.resource_version == 5);
  CHECK(all.items[0].rv == 2);
  CHECK(all.items[1].rv == 3);
  CHECK(all.items[2].rv == 4);
  CHECK(s->list(pods, "ns").items.size() == 2);
  CHECK(s->list(pods, "none").items.empty());
  CHECK(s->list(vmis).items.size() == 1);
  CHECK(s->size() == 4);

  auto updated = s->update({pods, "ns", "a"}, object_json("ns", "a", "2"));
  REQUIRE(updated.has_value());
  CHECK(updated->changed);
  CHECK(updated->object.rv == 6);
  CHECK(rv_in(updated->object) == "6");

  auto removed = s->remove({pods, "ns", "a"});
  REQUIRE(removed.has_value());
  CHECK(removed->rv == 7);
  CHECK(rv_in(removed.value()) == "7"); // the final state carries the deletion's RV
  CHECK(nlohmann::json::parse(removed->text())["spec"]["value"] == "2");
  CHECK(s->get({pods, "ns", "a"}).code() == store_errc::not_found);
  CHECK(s->current_rv() == 7);
}

TEST_CASE("store reports already_exists, not_found and invalid input", "[kube][apiserver][store]") {
  temp_dir dir;
  auto s = open_store(dir);
  REQUIRE(s->create({pods, "ns", "a"}, object_json("ns", "a", "1")));
  auto again = s->create({pods, "ns", "a"}, object_json("ns", "a", "2"));
  CHECK(again.code() == store_errc::already_exists);
  CHECK(s->update({pods, "ns", "zz"}, object_json("ns", "zz", "1")).code() == store_errc::not_found);
  CHECK(s->remove({pods, "ns", "zz"}).code() == store_errc::not_found);
  CHECK(s->get({pods, "ns", "zz"}).code() == store_errc::not_found);
  CHECK(s->create({pods, "ns", "b"}, "{not json").code() == store_errc::invalid);
  CHECK(s->create({pods, "ns", "b"}, object_json("ns", "other-name", "1")).code() == store_errc::invalid);
  CHECK(s->create({pods, "ns", ""}, object_json("ns", "", "1")).code() == store_errc::invalid);
  CHECK(s->update({pods, "ns", "a"}, "[]").code() == store_errc::invalid);
  // Failed writes consume no RV.
  CHECK(s->current_rv() == 2);
}

TEST_CASE("store enforces resourceVersion and uid preconditions", "[kube][apiserver][store]") {
  temp_dir dir;
  auto s = open_store(dir);
  auto created = s->create({pods, "ns", "a"}, object_json("ns", "a", "1", "uid-a"));
  REQUIRE(created.has_value());
  auto first = s->update({pods, "ns", "a"}, object_json("ns", "a", "2", "uid-a"), {.resource_version = created->rv});
  REQUIRE(first.has_value());

  // A second writer still holding the old RV loses.
  auto stale = s->update({pods, "ns", "a"}, object_json("ns", "a", "3", "uid-a"), {.resource_version = created->rv});
  REQUIRE_FALSE(stale.has_value());
  CHECK(stale.code() == store_errc::conflict);
  CHECK(stale.error().message ==
        "the object has been modified; please apply your changes to the latest version and try again");

  CHECK(s->remove({pods, "ns", "a"}, {.resource_version = created->rv}).code() == store_errc::conflict);
  auto wrong_uid = s->remove({pods, "ns", "a"}, {.uid = "uid-b"});
  CHECK(wrong_uid.code() == store_errc::conflict);
  CHECK(wrong_uid.error().message == "Precondition failed: UID in precondition: uid-b, UID in object meta: uid-a");
  CHECK(s->get({pods, "ns", "a"})->rv == first->object.rv);

  auto removed = s->remove({pods, "ns", "a"}, {.resource_version = first->object.rv, .uid = "uid-a"});
  REQUIRE(removed.has_value());
}

TEST_CASE("store treats an update that changes nothing as a no-op", "[kube][apiserver][store]") {
  temp_dir dir;
  auto s = open_store(dir);
  auto created = s->create({pods, "ns", "a"}, object_json("ns", "a", "1"));
  REQUIRE(created.has_value());
  auto w = s->watch({.resource = pods, .from_rv = created->rv});
  REQUIRE(w.has_value());

  // Same content, different key order and a stale RV in the body: still no change.
  auto same = s->update({pods, "ns", "a"},
                        R"({"spec":{"value":"1"},"metadata":{"uid":"uid-1","resourceVersion":"999","namespace":"ns","name":"a"}})");
  REQUIRE(same.has_value());
  CHECK_FALSE(same->changed);
  CHECK(same->object.rv == created->rv);
  CHECK(same->object.json == created->json);
  CHECK(s->current_rv() == created->rv);
  CHECK(w.value()->next(std::chrono::milliseconds(0)).status == watch_status::timeout);

  auto changed = s->update({pods, "ns", "a"}, object_json("ns", "a", "2"));
  REQUIRE(changed.has_value());
  CHECK(changed->changed);
  auto next = w.value()->next(std::chrono::seconds(5));
  REQUIRE(next.status == watch_status::event);
  CHECK(next.event->rv == changed->object.rv);
}

TEST_CASE("store keeps objects and the RV counter across a restart", "[kube][apiserver][store]") {
  temp_dir dir;
  std::uint64_t last = 0;
  {
    auto s = open_store(dir);
    for (int i = 0; i < 20; ++i)
      REQUIRE(s->create({pods, "ns", "p" + std::to_string(i)}, object_json("ns", "p" + std::to_string(i), "1")));
    REQUIRE(s->update({pods, "ns", "p3"}, object_json("ns", "p3", "2")));
    REQUIRE(s->remove({pods, "ns", "p4"}));
    // The newest write removes the newest object: the counter must not fall back to the
    // highest RV still stored on an object.
    REQUIRE(s->remove({pods, "ns", "p19"}));
    last = s->current_rv();
  }
  auto s = open_store(dir);
  CHECK(s->current_rv() == last);
  CHECK(s->size() == 18);
  CHECK(s->get({pods, "ns", "p4"}).code() == store_errc::not_found);
  auto p3 = s->get({pods, "ns", "p3"});
  REQUIRE(p3.has_value());
  CHECK(nlohmann::json::parse(p3->text())["spec"]["value"] == "2");
  CHECK(rv_in(p3.value()) == std::to_string(p3->rv));
  auto next = s->create({pods, "ns", "new"}, object_json("ns", "new", "1"));
  REQUIRE(next.has_value());
  CHECK(next->rv == last + 1);
}

TEST_CASE("store refuses a data directory another store holds", "[kube][apiserver][store]") {
  temp_dir dir;
  auto s = open_store(dir);
  auto second = store::open({.data_dir = dir.path()});
  REQUIRE_FALSE(second.has_value());
  CHECK(second.code() == store_errc::io_error);
  CHECK(store::open({.data_dir = dir.path() / "x", .history_size = 0}).code() == store_errc::invalid);
}

TEST_CASE("cluster-scoped objects live under the empty namespace", "[kube][apiserver][store]") {
  temp_dir dir;
  auto s = open_store(dir);
  REQUIRE(s->create({"v1/nodes", "", "node01"}, object_json("", "node01", "1")));
  CHECK(s->list("v1/nodes").items.size() == 1);
  CHECK(s->list("v1/nodes", "").items.size() == 1);
  CHECK(s->get({"v1/nodes", "", "node01"}).has_value());
}

TEST_CASE("store accepts already parsed objects", "[kube][apiserver][store]") {
  temp_dir dir;
  auto s = open_store(dir);
  auto doc = nlohmann::json::parse(object_json("ns", "a", "1"));
  auto created = s->create_parsed({pods, "ns", "a"}, doc);
  REQUIRE(created.has_value());
  CHECK(rv_in(created.value()) == std::to_string(created->rv));
  CHECK_FALSE(s->update_parsed({pods, "ns", "a"}, doc)->changed);
  doc["spec"]["value"] = "2";
  auto updated = s->update_parsed({pods, "ns", "a"}, doc, {.resource_version = created->rv});
  REQUIRE(updated.has_value());
  CHECK(updated->changed);
  CHECK(s->update_parsed({pods, "ns", "a"}, doc, {.resource_version = created->rv}).code() == store_errc::conflict);
  CHECK(s->create_parsed({pods, "ns", "b"}, nlohmann::json::array()).code() == store_errc::invalid);
  CHECK(s->create_parsed({pods, "ns", "b"}, doc).code() == store_errc::invalid); // names "a"
}
