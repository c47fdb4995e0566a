#pragma once
// A thin RAII layer over the SQLite C API: one connection, prepared statements, and
// errors as store_error values (code io_error) instead of return codes to check by hand.
// Only the persistence layer uses it.

#include <cstdint>
#include <string>
#include <string_view>

#include "kube/apiserver/store/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace podvisor::kube::apiserver::sqlite {

/// A prepared statement. Thread safety: none; used under the store's writer mutex (or
/// during open, before any other thread can see the store).
class statement {
public:
  statement() = default;
  statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  statement(statement&& other) noexcept;
  statement& operator=(statement&& other) noexcept;
  ~statement();

  /// Binds parameter `index` (1-based). Text is bound without copying: it must stay alive
  /// until the statement is reset.
  void bind(int index, std::string_view text);
  void bind(int index, std::int64_t value);
  void bind_null(int index);

  /// Runs one step: true when a row is available, false when done; errors as values.
  store_result<bool> step();
  /// Runs the statement to completion (for writes) and resets it.
  store_result<bool> run();
  /// Makes the statement ready to run again and drops the bindings.
  void reset();

  std::int64_t column_int64(int index) const;
  /// The column's text (empty for NULL); valid until the next step or reset.
  std::string_view column_text(int index) const;
  bool column_is_null(int index) const;

private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

/// One connection. Thread safety: none; the store serializes every use.
class database {
public:
  database() = default;
  database(const database&) = delete;
  database& operator=(const database&) = delete;
  ~database();

  /// Opens (creating if needed) the database file at `path`.
  store_result<bool> open(const std::string& path);
  /// Runs one or more statements that return no rows of interest.
  store_result<bool> exec(const std::string& sql);
  /// Prepares one statement.
  store_result<statement> prepare(std::string_view sql);
  /// Runs a query expected to return one integer (`PRAGMA x`, `SELECT count(*)`).
  store_result<std::int64_t> query_int(std::string_view sql);
  /// Runs a query expected to return one text value (`PRAGMA journal_mode`).
  store_result<std::string> query_text(std::string_view sql);

  sqlite3* handle() const { return db_; }

private:
  sqlite3* db_ = nullptr;
};

} // namespace podvisor::kube::apiserver::sqlite
