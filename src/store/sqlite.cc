#include "store/sqlite.h"

namespace sightline::store {
namespace {

// A full disk is ResourceExhausted, as for segment files, so that callers react alike
// (retention runs at once).
Status SqlError(sqlite3* db, std::string_view what) {
  std::string msg = "sqlite: " + std::string(what) + ": " + sqlite3_errmsg(db);
  if (sqlite3_errcode(db) == SQLITE_FULL) return ResourceExhaustedError(std::move(msg));
  return IoError(std::move(msg));
}

}  // namespace

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, bool read_only) {
  sqlite3* raw = nullptr;
  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &raw, flags, nullptr) != SQLITE_OK) {
    Status s = IoError("open index " + path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
    sqlite3_close(raw);
    return s;
  }
  std::unique_ptr<Db> db(new Db(raw, path));
  sqlite3_busy_timeout(raw, 5000);
  if (!read_only) {
    // The WAL is checkpointed every 256 pages (1 MiB) and cut back to 1 MiB after: the index
    // often shares a disk with the recordings, and a WAL grown to SQLite's default 4 MiB and
    // more can take the space retention needs to commit its deletes.
    RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                             " PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=256;"
                             " PRAGMA journal_size_limit=1048576;"));
  }
  return db;
}

Db::~Db() { sqlite3_close_v2(db_); }

Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  const std::string s(sql);
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = "sqlite: " + s.substr(0, 60) + ": " + (err ? err : "?");
    sqlite3_free(err);
    if (sqlite3_errcode(db_) == SQLITE_FULL) return ResourceExhaustedError(std::move(msg));
    return IoError(std::move(msg));
  }
  return Status();
}

Result<Stmt> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return SqlError(db_, "prepare " + std::string(sql.substr(0, 60)));
  }
  return Stmt(db_, stmt);
}

int64_t Db::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}
Stmt& Stmt::Bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::Bind(int i, ByteSpan v) {
  // A zero-length blob must still be a blob, not NULL: pass a non-null pointer.
  static const uint8_t kEmpty = 0;
  sqlite3_bind_blob(stmt_, i, v.empty() ? &kEmpty : v.data(), static_cast<int>(v.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

Result<bool> Stmt::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqlError(db_, std::string("step ") + sqlite3_sql(stmt_));
}

Status Stmt::Run() {
  for (;;) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) break;
  }
  Reset();
  return Status();
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
std::string Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}
double Stmt::Double(int col) const { return sqlite3_column_double(stmt_, col); }
bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
Bytes Stmt::Blob(int col) const {
  const ByteSpan view = BlobView(col);
  return Bytes(view.begin(), view.end());
}
ByteSpan Stmt::BlobView(int col) const {
  // sqlite3_column_blob before sqlite3_column_bytes: the documented safe order.
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, col));
  if (p == nullptr) return {};
  return ByteSpan(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

}  // namespace sightline::store
