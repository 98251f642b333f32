#include "central/pg.h"

#include <cstdlib>

namespace sightline::central {
namespace {

// libpq's messages end with a newline; ours do not.
std::string Trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

int64_t PgResult::Affected() const {
  const char* n = PQcmdTuples(r_);
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return UnavailableError("postgresql: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    Status s = UnavailableError("postgresql: connect: " + Trimmed(PQerrorMessage(conn)));
    PQfinish(conn);
    return s;
  }
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

Status PgConnection::ExecScript(const std::string& sql) {
  return CheckResult(PgResult(PQexec(conn_, sql.c_str())), sql).status();
}

Result<PgResult> PgConnection::Exec(std::string_view sql, const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  const std::string text(sql);
  return CheckResult(PgResult(PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr,
                                           values.data(), nullptr, nullptr, 0)),
                     text);
}

Result<PgResult> PgConnection::CheckResult(PgResult r, const std::string& sql) const {
  const ExecStatusType status = r.status();
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
  const std::string what = "postgresql: " + sql.substr(0, 60) + ": ";
  const char* sqlstate = r.ErrorField(PG_DIAG_SQLSTATE);
  const std::string message = Trimmed(r.ErrorField(PG_DIAG_MESSAGE_PRIMARY));
  const std::string detail = message.empty() ? Trimmed(PQerrorMessage(conn_)) : message;
  return (Healthy() ? InvalidArgumentError : UnavailableError)(
      what + detail + (sqlstate ? " (SQLSTATE " + std::string(sqlstate) + ")" : ""));
}

PgTransaction::~PgTransaction() {
  if (active_) pg_.Exec("ROLLBACK").status().IgnoreError();
}

Status PgTransaction::Begin() {
  RETURN_IF_ERROR(pg_.Exec("BEGIN").status());
  active_ = true;
  return Status();
}

Status PgTransaction::Commit() {
  active_ = false;
  return pg_.Exec("COMMIT").status();
}

}  // namespace sightline::central
