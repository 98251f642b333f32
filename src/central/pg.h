#pragma once
// Thin RAII over libpq: a connection, results, and a transaction, with errors as Status that
// name the statement and carry PostgreSQL's SQLSTATE. One thread uses a connection at a time.

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sightline::central {

class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r) {}
  PgResult(PgResult&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  PgResult& operator=(PgResult&&) = delete;
  ~PgResult() { PQclear(r_); }

  int rows() const { return PQntuples(r_); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::string Text(int row, int col) const { return PQgetvalue(r_, row, col); }
  // Rows an INSERT, UPDATE or DELETE touched.
  int64_t Affected() const;
  ExecStatusType status() const { return r_ ? PQresultStatus(r_) : PGRES_FATAL_ERROR; }
  const char* ErrorField(int field) const { return r_ ? PQresultErrorField(r_, field) : nullptr; }

 private:
  PGresult* r_;
};

class PgConnection {
 public:
  // Connects with a libpq connection string ("host=/run/postgresql dbname=sightline").
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo);
  ~PgConnection() { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // A statement with text parameters $1, $2, ... (nullopt: NULL). A refusal by PostgreSQL
  // over a working connection is InvalidArgument; a broken connection is Unavailable.
  Result<PgResult> Exec(std::string_view sql, const std::vector<std::optional<std::string>>& params = {});
  // Several statements without parameters (a schema file), in one round trip.
  Status ExecScript(const std::string& sql);
  // Whether the connection still works: after a failed statement, tells a broken server or
  // network (reconnect) from a statement PostgreSQL refused (the data's fault).
  bool Healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  // `r` if it succeeded, else the error naming `sql` (see Exec).
  Result<PgResult> CheckResult(PgResult r, const std::string& sql) const;
  PGconn* conn_;
};

// BEGIN on Begin, ROLLBACK unless committed.
class PgTransaction {
 public:
  explicit PgTransaction(PgConnection& pg) : pg_(pg) {}
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  ~PgTransaction();
  Status Begin();
  Status Commit();

 private:
  PgConnection& pg_;
  bool active_ = false;
};

}  // namespace sightline::central
