#include "kube/apiserver/store/persistence.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>
#include <unordered_map>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace podvisor::kube::apiserver {

namespace {

constexpr std::int64_t schema_version = 1;

// The RV a fresh store starts from. The first write gets 2, so that the RV a list returns
// on an empty store is never "0" (which a watch would read as "any version").
constexpr std::int64_t genesis_rv = 1;

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS meta(
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log(
  rv INTEGER PRIMARY KEY,
  type INTEGER NOT NULL,
  resource TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  json TEXT NOT NULL,
  previous_rv INTEGER
);
)sql";

store_error io_error(std::string message) {
  return {store_errc::io_error, std::move(message)};
}

std::int64_t to_sql(std::uint64_t value) {
  return static_cast<std::int64_t>(value);
}

std::uint64_t from_sql(std::int64_t value) {
  return value < 0 ? 0 : static_cast<std::uint64_t>(value);
}

} // namespace

store_result<std::unique_ptr<persistence>> persistence::open(const std::filesystem::path& data_dir,
                                                             durability mode) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec)
    return io_error("create " + data_dir.string() + ": " + ec.message());
  std::unique_ptr<persistence> p(new persistence());
  // One store per data directory: a second server on the same files would diverge from
  // our in-memory state. flock is released by the kernel when the process dies, even by
  // SIGKILL, so a crash never leaves a stale lock behind.
  auto lock_path = (data_dir / "store.lock").string();
  p->lock_.fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (p->lock_.fd < 0)
    return io_error("open " + lock_path + ": " + std::strerror(errno));
  if (flock(p->lock_.fd, LOCK_EX | LOCK_NB) != 0)
    return io_error(data_dir.string() + " is locked by another store (" + lock_path + ")");
  auto db_path = (data_dir / "store.db").string();
  if (auto r = p->db_.open(db_path); !r)
    return r.error();
  // EXCLUSIVE before WAL: the connection is the database's only user, so it keeps its
  // file locks for its lifetime instead of taking and dropping six fcntl locks around
  // every transaction, and the WAL index lives in heap memory (no -shm file). SQLite then
  // checkpoints inside the commit that pushes the WAL past 1,000 pages: a few ms every
  // few hundred writes, measured cheaper overall than a background checkpoint thread,
  // which would need a second connection and so shared locking.
  if (auto r = p->db_.exec("PRAGMA locking_mode=EXCLUSIVE"); !r)
    return r.error();
  // Objects are a few KiB: with 8 KiB pages a version usually fits one page, and a write
  // touches about two pages instead of four (measured: half the WAL writes, +50% writes/s).
  // Takes effect only when the database is created.
  if (auto r = p->db_.exec("PRAGMA page_size=8192"); !r)
    return r.error();
  auto journal = p->db_.query_text("PRAGMA journal_mode=WAL");
  if (!journal)
    return journal.error();
  if (journal.value() != "wal")
    return io_error("cannot switch " + data_dir.string() + " to WAL mode (journal_mode is " +
                    journal.value() + ")");
  // See `durability`: NORMAL survives process death (the store's promise, tested with
  // SIGKILL); FULL adds an fsync per commit for power loss.
  auto sync = mode == durability::power_loss ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  if (auto r = p->db_.exec(sync); !r)
    return r.error();
  // Keep the WAL from staying large after a burst has been checkpointed.
  if (auto r = p->db_.exec("PRAGMA journal_size_limit=67108864"); !r)
    return r.error();
  auto version = p->db_.query_int("PRAGMA user_version");
  if (!version)
    return version.error();
  if (version.value() > schema_version)
    return io_error(data_dir.string() + " was written by a newer Podvisor (schema " +
                    std::to_string(version.value()) + ")");
  std::string setup = "BEGIN IMMEDIATE;" + std::string(schema) +
                      "INSERT OR IGNORE INTO meta(key, value) VALUES('genesis_rv', " +
                      std::to_string(genesis_rv) + ");PRAGMA user_version=" +
                      std::to_string(schema_version) + ";COMMIT;";
  if (auto r = p->db_.exec(setup); !r) {
    (void)p->db_.exec("ROLLBACK");
    return r.error();
  }
  if (auto r = p->prepare_statements(); !r)
    return r.error();
  return p;
}

persistence::lock_file::~lock_file() {
  if (fd >= 0)
    ::close(fd); // releases the flock
}

store_result<bool> persistence::prepare_statements() {
  struct entry {
    sqlite::statement* target;
    std::string sql;
  };
  const auto deleted = std::to_string(static_cast<int>(event_type::deleted));
  const entry entries[] = {
    {&begin_, "BEGIN IMMEDIATE"},
    {&commit_, "COMMIT"},
    {&rollback_, "ROLLBACK"},
    {&append_, "INSERT INTO log(rv, type, resource, namespace, name, json, previous_rv) "
               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
    // Order matters: the first reads the previous_rv of the DELETED rows the second removes.
    {&trim_replaced_, "DELETE FROM log WHERE rv IN (SELECT previous_rv FROM log "
                      "WHERE rv > ?1 AND rv <= ?2 AND previous_rv IS NOT NULL)"},
    {&trim_deleted_, "DELETE FROM log WHERE rv > ?1 AND rv <= ?2 AND type = " + deleted},
    {&set_trimmed_, "INSERT OR REPLACE INTO meta(key, value) VALUES('trimmed_through', ?1)"},
  };
  for (const auto& e : entries) {
    auto stmt = db_.prepare(e.sql);
    if (!stmt)
      return stmt.error();
    *e.target = std::move(stmt).value();
  }
  return true;
}

store_result<loaded_state> persistence::load(std::size_t history_limit) {
  loaded_state state;
  state.resource_version = from_sql(genesis_rv);
  auto newest = db_.query_int("SELECT coalesce(max(rv), 0) FROM log");
  if (!newest)
    return newest.error();
  state.resource_version = std::max(state.resource_version, from_sql(newest.value()));
  auto trimmed = db_.query_int("SELECT coalesce(max(value), 0) FROM meta WHERE key = 'trimmed_through'");
  if (!trimmed)
    return trimmed.error();
  trimmed_through_ = from_sql(trimmed.value());
  // Rows after `trimmed_through` are contiguous; the window is the newest of them.
  std::uint64_t window_start = trimmed_through_;
  if (state.resource_version > history_limit)
    window_start = std::max(window_start, state.resource_version - history_limit);

  // Every version read, by RV, for the previous state of window events (each is read
  // before the rows that replaced it, the log being in RV order); and the newest version
  // of each key, which becomes the current object unless it is a deletion.
  std::unordered_map<std::uint64_t, json_ptr> by_rv;
  struct newest_version {
    std::uint64_t rv;
    event_type type;
    json_ptr json;
  };
  std::unordered_map<std::string, newest_version> latest;

  auto rows = db_.prepare("SELECT rv, type, resource, namespace, name, json, previous_rv FROM log ORDER BY rv");
  if (!rows)
    return rows.error();
  for (;;) {
    auto row = rows->step();
    if (!row)
      return row.error();
    if (!row.value())
      break;
    auto rv = from_sql(rows->column_int64(0));
    auto type = rows->column_int64(1);
    if (type < 0 || type > static_cast<std::int64_t>(event_type::deleted))
      return io_error("log row " + std::to_string(rv) + " has unknown type " + std::to_string(type));
    object_key key{std::string(rows->column_text(2)), std::string(rows->column_text(3)),
                   std::string(rows->column_text(4))};
    auto json = std::make_shared<const std::string>(rows->column_text(5));
    auto previous_rv = rows->column_is_null(6) ? 0 : from_sql(rows->column_int64(6));
    by_rv.emplace(rv, json);
    latest[index_key(key)] = {rv, static_cast<event_type>(type), json};
    if (rv <= window_start)
      continue;
    auto e = std::make_shared<watch_event>();
    e->type = static_cast<event_type>(type);
    e->rv = rv;
    e->key = std::move(key);
    e->object = std::move(json);
    if (previous_rv != 0) {
      auto it = by_rv.find(previous_rv);
      if (it == by_rv.end())
        return io_error("log row " + std::to_string(rv) + " replaced version " + std::to_string(previous_rv) +
                        ", which is missing");
      e->previous = it->second;
    }
    state.events.push_back(std::move(e));
  }
  for (auto& [index, version] : latest)
    if (version.type != event_type::deleted)
      state.objects.emplace_back(key_from_index(index), stored_object{version.rv, std::move(version.json)});
  return state;
}

store_result<bool> persistence::commit(const change_record& change) {
  if (auto r = begin_.run(); !r)
    return r;
  auto written = write(change);
  if (written)
    written = commit_.run();
  if (!written) {
    // A failed statement or COMMIT leaves the transaction open (or already rolled back,
    // in which case this ROLLBACK is a harmless error). Either way nothing was written.
    (void)rollback_.run();
    return written;
  }
  trimmed_through_ = std::max(trimmed_through_, change.trim_through);
  return true;
}

store_result<bool> persistence::write(const change_record& change) {
  const object_key& key = *change.key;
  append_.bind(1, to_sql(change.rv));
  append_.bind(2, static_cast<std::int64_t>(change.type));
  append_.bind(3, key.resource);
  append_.bind(4, key.namespace_);
  append_.bind(5, key.name);
  append_.bind(6, *change.object);
  if (change.previous_rv != 0)
    append_.bind(7, to_sql(change.previous_rv));
  else
    append_.bind_null(7);
  if (auto r = append_.run(); !r)
    return r;
  if (change.trim_through <= trimmed_through_)
    return true;
  for (auto* stmt : {&trim_replaced_, &trim_deleted_}) {
    stmt->bind(1, to_sql(trimmed_through_));
    stmt->bind(2, to_sql(change.trim_through));
    if (auto r = stmt->run(); !r)
      return r;
  }
  set_trimmed_.bind(1, to_sql(change.trim_through));
  return set_trimmed_.run();
}

} // namespace podvisor::kube::apiserver
