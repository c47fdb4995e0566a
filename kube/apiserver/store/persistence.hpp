#pragma once
// The store's durable half: one SQLite database in WAL mode holding a log of object
// versions. Every write appends one row (the new version, or for a delete the final
// state) in its own transaction, so the object and its event can never disagree, and the
// JSON is written once per change.
//
// Schema (user_version 1):
//   log(rv PRIMARY KEY, type, resource, namespace, name, json, previous_rv)
//   meta(key, value): 'genesis_rv' = 1, 'trimmed_through' = T
//
// What the log holds, for a window of W events and the last RV N:
//   - every row with rv > T (T ≤ N − W): the event history, contiguous;
//   - the current version of every live object, however old;
//   - the version each retained row replaced (its previous_rv), so that the window's
//     MODIFIED and DELETED events have their old state after a restart.
// Trimming (`change_record::trim_through`) walks the rows in (T, cutoff]: each one's
// previous version is no longer needed by a retained event, and a DELETED row is no
// longer anybody's current version; both go. The newest row is never trimmed, so
// max(rv) is the last RV handed out; 'genesis_rv' covers an empty store.
//
// At start the whole log is read once in rv order (live objects + window + their previous
// versions), and every version becomes one shared string in memory.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kube/api/enum_table.hpp"
#include "kube/apiserver/store/result.hpp"
#include "kube/apiserver/store/sqlite.hpp"
#include "kube/apiserver/store/watch_event.hpp"

namespace podvisor::kube::apiserver {

/// What an acknowledged write survives. Both settings survive kill -9 of the process;
/// they differ on a kernel crash or power loss.
enum class durability {
  /// synchronous=NORMAL. In WAL mode a commit has been written (write(2)) into the WAL
  /// file before it returns, so it lives in the kernel's page cache and survives the death
  /// of the process, including SIGKILL; the WAL is fsynced only at checkpoints, so an OS
  /// crash or power cut may lose the last commits (but never corrupts the database).
  process_crash,
  /// synchronous=FULL: the WAL is fsynced on every commit (about 0.3 ms here), so
  /// acknowledged writes also survive power loss.
  power_loss,
};

/// Everything `persistence::load` reads back at start.
struct loaded_state {
  /// The last resourceVersion handed out (at least the genesis value 1).
  std::uint64_t resource_version = 1;
  /// The retained history, oldest first.
  std::vector<event_ptr> events;
  /// The current objects, in no particular order.
  std::vector<std::pair<object_key, stored_object>> objects;
};

/// One committed change as written to disk.
struct change_record {
  event_type type = event_type::added;
  std::uint64_t rv = 0;
  const object_key* key = nullptr;
  /// The new state (for DELETED: the final state stamped with `rv`).
  const std::string* object = nullptr;
  /// The RV of the version this change replaced (0 for ADDED).
  std::uint64_t previous_rv = 0;
  /// Events with rv at or below this are outside the history window (0: keep all).
  std::uint64_t trim_through = 0;
};

/// The SQLite database of one store.
/// Thread safety: none. The store calls `load` once during open and `commit` only under
/// its writer mutex.
class persistence {
public:
  /// Opens or creates `data_dir/store.db`, takes an exclusive lock on the directory (a
  /// second process or a second store on the same directory gets io_error "... is locked
  /// by another store") and creates the schema.
  static store_result<std::unique_ptr<persistence>> open(const std::filesystem::path& data_dir,
                                                         durability mode);

  /// Reads the counter, the newest `history_limit` events (fewer if the log holds fewer)
  /// and every live object. Events and objects that hold the same version of an object
  /// share one string in memory.
  store_result<loaded_state> load(std::size_t history_limit);

  /// Appends `change` (and trims, if asked) in one transaction and commits it; on error
  /// nothing is written.
  store_result<bool> commit(const change_record& change);

  persistence(const persistence&) = delete;
  persistence& operator=(const persistence&) = delete;

private:
  persistence() = default;
  store_result<bool> prepare_statements();
  store_result<bool> write(const change_record& change);

  /// The flock on data_dir/store.lock; first member, so released after the database closes.
  struct lock_file {
    int fd = -1;
    lock_file() = default;
    lock_file(const lock_file&) = delete;
    lock_file& operator=(const lock_file&) = delete;
    ~lock_file();
  };

  lock_file lock_;
  sqlite::database db_;
  sqlite::statement begin_;
  sqlite::statement commit_;
  sqlite::statement rollback_;
  sqlite::statement append_;
  sqlite::statement trim_replaced_;
  sqlite::statement trim_deleted_;
  sqlite::statement set_trimmed_;
  std::uint64_t trimmed_through_ = 0;
};

} // namespace podvisor::kube::apiserver

template <>
struct podvisor::kube::api::enum_table<podvisor::kube::apiserver::durability> {
  using e = podvisor::kube::apiserver::durability;
  static constexpr std::array entries = {enum_entry{e::process_crash, "process_crash"},
                                         enum_entry{e::power_loss, "power_loss"}};
};
