#include "kube/apiserver/store/persistence.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/apiserver/store/temp_dir.hpp"

using namespace podvisor::kube::apiserver;
using podvisor::kube::api::enum_table;
using podvisor::kube::api::parse_enum;
using podvisor::kube::api::to_string;
using podvisor::test::temp_dir;

namespace {

store_result<bool> write(persistence& db, event_type type, std::uint64_t rv, const object_key& key,
                         const std::string& object, std::uint64_t previous_rv = 0, std::uint64_t trim = 0) {
  change_record change;
  change.type = type;
  change.rv = rv;
  change.key = &key;
  change.object = &object;
  change.previous_rv = previous_rv;
  change.trim_through = trim;
  return db.commit(change);
}

/// The RVs of the rows in the log, oldest first.
std::vector<std::int64_t> log_rows(const temp_dir& dir) {
  sqlite::database raw;
  REQUIRE(raw.open((dir.path() / "store.db").string()));
  auto rows = raw.prepare("SELECT rv FROM log ORDER BY rv");
  REQUIRE(rows.has_value());
  std::vector<std::int64_t> out;
  while (rows->step().value())
    out.push_back(rows->column_int64(0));
  return out;
}

} // namespace

TEST_CASE("durability round-trips through its string table", "[kube][apiserver][store]") {
  for (const auto& entry : enum_table<durability>::entries) {
    CHECK(to_string(entry.value) == entry.name);
    CHECK(parse_enum<durability>(entry.name) == entry.value);
  }
}

TEST_CASE("persistence starts a fresh database at the genesis RV", "[kube][apiserver][store]") {
  temp_dir dir;
  auto db = persistence::open(dir.path() / "nested" / "data", durability::process_crash);
  REQUIRE(db.has_value());
  auto state = db.value()->load(100);
  REQUIRE(state.has_value());
  CHECK(state->resource_version == 1);
  CHECK(state->events.empty());
  CHECK(state->objects.empty());
}

TEST_CASE("persistence reloads objects and history, sharing equal versions", "[kube][apiserver][store]") {
  temp_dir dir;
  object_key a{"v1/pods", "ns", "a"};
  object_key b{"v1/pods", "ns", "b"};
  std::string a2 = R"({"v":"a2"})", a3 = R"({"v":"a3"})", b4 = R"({"v":"b4"})", b5 = R"({"v":"b5"})";
  {
    auto db = persistence::open(dir.path(), durability::power_loss);
    REQUIRE(db.has_value());
    REQUIRE(db.value()->load(100).has_value());
    REQUIRE(write(*db.value(), event_type::added, 2, a, a2));
    REQUIRE(write(*db.value(), event_type::modified, 3, a, a3, 2));
    REQUIRE(write(*db.value(), event_type::added, 4, b, b4));
    REQUIRE(write(*db.value(), event_type::deleted, 5, b, b5, 4));
  }
  auto db = persistence::open(dir.path(), durability::process_crash);
  REQUIRE(db.has_value());
  auto state = db.value()->load(3);
  REQUIRE(state.has_value());
  CHECK(state->resource_version == 5);
  REQUIRE(state->events.size() == 3); // the newest three of four
  CHECK(state->events[0]->rv == 3);
  CHECK(state->events[0]->type == event_type::modified);
  CHECK(*state->events[0]->previous == a2); // from a row outside the window
  CHECK(state->events[2]->type == event_type::deleted);
  CHECK(state->events[2]->key == b);
  CHECK(*state->events[2]->object == b5);
  // b's DELETED event reuses the string of b's ADDED event, as a running store does.
  CHECK(state->events[2]->previous == state->events[1]->object);
  REQUIRE(state->objects.size() == 1);
  CHECK(state->objects[0].first == a);
  CHECK(state->objects[0].second.rv == 3);
  CHECK(state->objects[0].second.json == state->events[0]->object);
}

TEST_CASE("persistence trims what no retained event or live object needs", "[kube][apiserver][store]") {
  temp_dir dir;
  object_key a{"v1/pods", "ns", "a"}, b{"v1/pods", "ns", "b"}, c{"v1/pods", "ns", "c"};
  std::string text = "{}";
  {
    auto db = persistence::open(dir.path(), durability::process_crash);
    REQUIRE(db.has_value());
    REQUIRE(db.value()->load(100).has_value());
    REQUIRE(write(*db.value(), event_type::added, 2, a, text));        // replaced by 3
    REQUIRE(write(*db.value(), event_type::modified, 3, a, text, 2));  // replaced by 6
    REQUIRE(write(*db.value(), event_type::added, 4, b, text));        // deleted by 5
    REQUIRE(write(*db.value(), event_type::deleted, 5, b, text, 4));   // a tombstone
    REQUIRE(write(*db.value(), event_type::modified, 6, a, text, 3));
    REQUIRE(write(*db.value(), event_type::added, 7, c, text));        // old but live
    REQUIRE(write(*db.value(), event_type::modified, 8, a, text, 6));
    // Keep the window (5, 8]: 3 is still needed as the previous state of 6; 2 and 4 are
    // replaced inside the trimmed range; 5 deleted b for good.
    REQUIRE(write(*db.value(), event_type::modified, 9, a, text, 8, 5));
  }
  CHECK(log_rows(dir) == std::vector<std::int64_t>{3, 6, 7, 8, 9});
  {
    auto db = persistence::open(dir.path(), durability::process_crash);
    REQUIRE(db.has_value());
    auto state = db.value()->load(100); // a larger window than was kept: only (5, 9] is whole
    REQUIRE(state.has_value());
    CHECK(state->resource_version == 9);
    REQUIRE(state->events.size() == 4);
    CHECK(state->events.front()->rv == 6);
    CHECK(state->events.front()->previous != nullptr);
    CHECK(state->objects.size() == 2); // a and c
    // Trimming continues from where it stopped.
    REQUIRE(write(*db.value(), event_type::modified, 10, a, text, 9, 8));
  }
  CHECK(log_rows(dir) == std::vector<std::int64_t>{7, 8, 9, 10});
}

TEST_CASE("persistence never goes back from the newest RV, even when it was a deletion", "[kube][apiserver][store]") {
  temp_dir dir;
  object_key a{"v1/pods", "ns", "a"};
  std::string text = "{}";
  {
    auto db = persistence::open(dir.path(), durability::process_crash);
    REQUIRE(db.has_value());
    REQUIRE(db.value()->load(100).has_value());
    REQUIRE(write(*db.value(), event_type::added, 2, a, text));
    REQUIRE(write(*db.value(), event_type::deleted, 3, a, text, 2, 2));
  }
  auto db = persistence::open(dir.path(), durability::process_crash);
  REQUIRE(db.has_value());
  auto state = db.value()->load(100);
  REQUIRE(state.has_value());
  CHECK(state->resource_version == 3);
  REQUIRE(state->events.size() == 1);
  CHECK(state->events[0]->rv == 3);
  CHECK(state->objects.empty());
}

TEST_CASE("persistence refuses a second opener of the same directory", "[kube][apiserver][store]") {
  temp_dir dir;
  auto first = persistence::open(dir.path(), durability::process_crash);
  REQUIRE(first.has_value());
  auto second = persistence::open(dir.path(), durability::process_crash);
  REQUIRE_FALSE(second.has_value());
  CHECK(second.code() == store_errc::io_error);
  CHECK(second.error().message.find("locked") != std::string::npos);
}

TEST_CASE("persistence rolls back a failed transaction entirely", "[kube][apiserver][store]") {
  temp_dir dir;
  object_key a{"v1/pods", "ns", "a"};
  std::string text = "{}";
  auto raw_exec = [&](const std::string& sql) {
    sqlite::database raw;
    REQUIRE(raw.open((dir.path() / "store.db").string()));
    REQUIRE(raw.exec(sql));
  };
  // Make the last statement of a trimming transaction fail, after the append and the
  // trim deletes (the store holds the database exclusively, so set this up beforehand).
  raw_exec("CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
           "CREATE TRIGGER fail_trim BEFORE INSERT ON meta WHEN NEW.key = 'trimmed_through' "
           "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  {
    auto db = persistence::open(dir.path(), durability::process_crash);
    REQUIRE(db.has_value());
    REQUIRE(db.value()->load(100).has_value());
    REQUIRE(write(*db.value(), event_type::added, 2, a, text));
    REQUIRE(write(*db.value(), event_type::modified, 3, a, text, 2));
    auto failed = write(*db.value(), event_type::modified, 4, a, text, 3, 3);
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.code() == store_errc::io_error);
    CHECK(failed.error().message.find("injected failure") != std::string::npos);
    // The connection is still usable.
    REQUIRE(write(*db.value(), event_type::modified, 4, a, text, 3));
  }
  CHECK(log_rows(dir) == std::vector<std::int64_t>{2, 3, 4}); // nothing trimmed
  raw_exec("DROP TRIGGER fail_trim");
  {
    auto db = persistence::open(dir.path(), durability::process_crash);
    REQUIRE(db.has_value());
    REQUIRE(db.value()->load(100).has_value());
    REQUIRE(write(*db.value(), event_type::modified, 5, a, text, 4, 3));
  }
  CHECK(log_rows(dir) == std::vector<std::int64_t>{3, 4, 5});
}

TEST_CASE("persistence refuses a database from a newer schema", "[kube][apiserver][store]") {
  temp_dir dir;
  {
    sqlite::database raw;
    REQUIRE(raw.open((dir.path() / "store.db").string()));
    REQUIRE(raw.exec("PRAGMA user_version=99"));
  }
  auto db = persistence::open(dir.path(), durability::process_crash);
  REQUIRE_FALSE(db.has_value());
  CHECK(db.error().message.find("newer") != std::string::npos);
}
