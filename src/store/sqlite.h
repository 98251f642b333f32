#pragma once
// Thin RAII over the SQLite C API: a connection and prepared statements, errors as Status
// naming the SQL that failed. A Db and its statements are used by one thread at a time.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace sightline::store {

class Stmt;

class Db {
 public:
  // Opens (creating unless read_only) the database at `path`, in WAL mode with
  // synchronous=FULL: a committed transaction survives a power cut, which the delete
  // procedure relies on (docs/design/storage.md).
  static Result<std::unique_ptr<Db>> Open(const std::string& path, bool read_only);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status Exec(std::string_view sql);  // one or more statements, no results
  Result<Stmt> Prepare(std::string_view sql);
  int64_t LastInsertRowId() const;
  const std::string& path() const { return path_; }
  sqlite3* raw() const { return db_; }

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

class Stmt {
 public:
  Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, double v);
  Stmt& Bind(int i, std::string_view v);
  Stmt& Bind(int i, ByteSpan v);
  Stmt& BindNull(int i);
  // Steps once: true with a row, false when done; errors name the SQL.
  Result<bool> Step();
  Status Run();  // steps to completion, ignoring rows
  void Reset();  // clears bindings, ready to run again

  int64_t Int(int col) const;
  double Double(int col) const;
  bool IsNull(int col) const;
  std::string Text(int col) const;
  Bytes Blob(int col) const;
  // The blob without a copy: valid until the next Step, Reset or column call on this column.
  ByteSpan BlobView(int col) const;

 private:
  friend class Db;
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// A write transaction (BEGIN IMMEDIATE: it takes the write lock at once, so a busy database
// fails here rather than at the first write), rolled back unless committed.
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Status Begin() {
    Status s = db_.Exec("BEGIN IMMEDIATE");
    active_ = s.ok();
    return s;
  }
  Status Commit() {
    active_ = false;
    Status s = db_.Exec("COMMIT");
    if (!s.ok()) db_.Exec("ROLLBACK").IgnoreError();
    return s;
  }
  ~Transaction() {
    if (active_) db_.Exec("ROLLBACK").IgnoreError();
  }

 private:
  Db& db_;
  bool active_ = false;
};

}  // namespace sightline::store
