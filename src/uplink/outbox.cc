#include "uplink/outbox.h"

#include "uplink/outbox_sql.h"

namespace sightline::uplink {
namespace {

// The triggers that record rows (outbox.sql); Uninstall drops exactly these.
constexpr const char* kRecordingTriggers[] = {"outbox_store_event", "outbox_motion_event_inserted",
                                              "outbox_motion_event_closed", "outbox_audit"};

Result<int64_t> SingleInt(store::Db& db, const std::string& sql, Lane lane) {
  ASSIGN_OR_RETURN(store::Stmt s, db.Prepare(sql));
  s.Bind(1, int64_t{static_cast<int>(lane)});
  ASSIGN_OR_RETURN(bool row, s.Step());
  return row && !s.IsNull(0) ? s.Int(0) : 0;
}

Result<bool> TableExists(store::Db& db, const char* name) {
  ASSIGN_OR_RETURN(store::Stmt s, db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"));
  s.Bind(1, std::string_view(name));
  return s.Step();
}

}  // namespace

Status Outbox::Install(store::Db& db) {
  store::Transaction tx(db);
  RETURN_IF_ERROR(tx.Begin());
  RETURN_IF_ERROR(db.Exec(kOutboxSql).WithContext("installing the uplink outbox in " + db.path()));
  return tx.Commit();
}

Result<int64_t> Outbox::Uninstall(store::Db& db) {
  ASSIGN_OR_RETURN(bool installed, TableExists(db, "outbox"));
  if (!installed) return int64_t{0};
  store::Transaction tx(db);
  RETURN_IF_ERROR(tx.Begin());
  for (const char* trigger : kRecordingTriggers) {
    RETURN_IF_ERROR(db.Exec(std::string("DROP TRIGGER IF EXISTS ") + trigger));
  }
  ASSIGN_OR_RETURN(store::Stmt count, db.Prepare("SELECT count(*) FROM outbox"));
  ASSIGN_OR_RETURN(bool row, count.Step());
  const int64_t left = row ? count.Int(0) : 0;
  RETURN_IF_ERROR(tx.Commit());
  return left;
}

Result<std::unique_ptr<Outbox>> Outbox::Open(const std::string& index_path) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Db> db, store::Db::Open(index_path, /*read_only=*/false));
  ASSIGN_OR_RETURN(store::Stmt s, db->Prepare("SELECT value FROM outbox_meta WHERE key = 'epoch'"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row || !IsValidEpoch(s.Text(0))) {
    return FailedPreconditionError("the outbox in " + index_path + " has no valid epoch");
  }
  std::string epoch = s.Text(0);
  return std::unique_ptr<Outbox>(new Outbox(std::move(db), std::move(epoch)));
}

Result<std::vector<OutboxRow>> Outbox::ReadAfter(Lane lane, int64_t after_seq, int limit) {
  ASSIGN_OR_RETURN(store::Stmt s, db_->Prepare("SELECT seq, kind, time_us, body FROM outbox"
                                               " WHERE lane = ? AND seq > ? ORDER BY seq LIMIT ?"));
  s.Bind(1, int64_t{static_cast<int>(lane)}).Bind(2, after_seq).Bind(3, int64_t{limit});
  std::vector<OutboxRow> rows;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    rows.push_back({lane, s.Int(0), s.Text(1), s.Int(2), s.Text(3)});
  }
  return rows;
}

Status Outbox::DeleteThrough(Lane lane, int64_t seq) {
  ASSIGN_OR_RETURN(store::Stmt s, db_->Prepare("DELETE FROM outbox WHERE lane = ? AND seq <= ?"));
  return s.Bind(1, int64_t{static_cast<int>(lane)}).Bind(2, seq).Run();
}

Result<int64_t> Outbox::AcknowledgedThrough(Lane lane) {
  // One statement, one snapshot: a row committed between two queries would otherwise be
  // counted as acknowledged.
  return SingleInt(*db_,
                   "SELECT coalesce((SELECT min(seq) - 1 FROM outbox WHERE lane = ?1),"
                   " (SELECT last_seq FROM outbox_lanes WHERE lane = ?1), 0)",
                   lane);
}

Result<LaneBacklog> Outbox::Backlog(Lane lane) {
  LaneBacklog b;
  ASSIGN_OR_RETURN(b.rows, SingleInt(*db_, "SELECT count(*) FROM outbox WHERE lane = ?", lane));
  ASSIGN_OR_RETURN(b.last_seq, SingleInt(*db_, "SELECT last_seq FROM outbox_lanes WHERE lane = ?", lane));
  return b;
}

}  // namespace sightline::uplink
