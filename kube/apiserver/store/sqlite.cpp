#include "kube/apiserver/store/sqlite.hpp"

#include <utility>

#include <sqlite3.h>

namespace podvisor::kube::apiserver::sqlite {

namespace {

store_error failure(sqlite3* db, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  return {store_errc::io_error, std::move(message)};
}

} // namespace

statement::statement(statement&& other) noexcept
  : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

statement& statement::operator=(statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

statement::~statement() {
  sqlite3_finalize(stmt_);
}

void statement::bind(int index, std::string_view text) {
  // SQLITE_STATIC: the caller keeps the text alive until reset (documented in the header),
  // which saves a copy of every object on the write path.
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
}

void statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
}

store_result<bool> statement::step() {
  switch (sqlite3_step(stmt_)) {
    case SQLITE_ROW:
      return true;
    case SQLITE_DONE:
      return false;
    default:
      return failure(db_, sqlite3_sql(stmt_));
  }
}

store_result<bool> statement::run() {
  auto result = step();
  reset();
  return result;
}

void statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t statement::column_int64(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

std::string_view statement::column_text(int index) const {
  // sqlite3_column_text returns unsigned char; the bytes are the UTF-8 we stored.
  const void* text = sqlite3_column_text(stmt_, index);
  auto size = sqlite3_column_bytes(stmt_, index);
  if (text == nullptr)
    return {};
  return {static_cast<const char*>(text), static_cast<std::size_t>(size)};
}

bool statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

database::~database() {
  // close_v2 defers the close until every statement is finalized, so member order in the
  // owner does not matter.
  sqlite3_close_v2(db_);
}

store_result<bool> database::open(const std::string& path) {
  // NOMUTEX: the store serializes every use of the connection itself; SQLite's own
  // per-call mutex would be pure overhead.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK)
    return failure(db_, "open " + path);
  sqlite3_extended_result_codes(db_, 1);
  return true;
}

store_result<bool> database::exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK)
    return true;
  std::string text = sql + ": " + (message != nullptr ? message : sqlite3_errstr(rc));
  sqlite3_free(message);
  return store_error{store_errc::io_error, std::move(text)};
}

store_result<statement> database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK)
    return failure(db_, "prepare " + std::string(sql));
  return statement(db_, stmt);
}

store_result<std::int64_t> database::query_int(std::string_view sql) {
  auto stmt = prepare(sql);
  if (!stmt)
    return stmt.error();
  auto row = stmt->step();
  if (!row)
    return row.error();
  if (!row.value())
    return store_error{store_errc::io_error, std::string(sql) + ": no row"};
  return stmt->column_int64(0);
}

store_result<std::string> database::query_text(std::string_view sql) {
  auto stmt = prepare(sql);
  if (!stmt)
    return stmt.error();
  auto row = stmt->step();
  if (!row)
    return row.error();
  if (!row.value())
    return store_error{store_errc::io_error, std::string(sql) + ": no row"};
  return std::string(stmt->column_text(0));
}

} // namespace podvisor::kube::apiserver::sqlite
