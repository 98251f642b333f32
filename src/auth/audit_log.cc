#include "auth/audit_log.h"

#include "auth/crypto.h"

namespace sightline::auth {
namespace {

using store::Db;
using store::Stmt;

constexpr const char* kAuditColumns =
    "id, time_us, user, action, camera, start_us, end_us, remote, detail, ok, hash";

// The kAuditColumns of the current row; the hash goes to `hash` when given.
AuditRecord ReadAuditRow(const Stmt& s, std::string* hash = nullptr) {
  if (hash != nullptr) *hash = s.Text(10);
  return {.id = s.Int(0),
          .time_us = s.Int(1),
          .user = s.Text(2),
          .action = s.Text(3),
          .camera = s.Text(4),
          .start_us = s.Int(5),
          .end_us = s.Int(6),
          .remote = s.Text(7),
          .detail = s.Text(8),
          .ok = s.Int(9) != 0};
}

struct ChainOrigin {
  int64_t id = 0;
  std::string hash;
};

Result<ChainOrigin> ReadOrigin(Db& db) {
  ASSIGN_OR_RETURN(Stmt s, db.Prepare("SELECT origin_id, origin_hash FROM audit_chain WHERE id = 1"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return DataLossError("the audit log's chain origin (table audit_chain) is missing");
  return ChainOrigin{s.Int(0), s.Text(1)};
}

// The id the next row gets: past every id ever used (AUTOINCREMENT's sqlite_sequence), also
// those of rows retention dropped.
Result<int64_t> NextId(Db& db, int64_t origin_id) {
  ASSIGN_OR_RETURN(Stmt s, db.Prepare(
      "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0),"
      " coalesce((SELECT max(id) FROM audit), 0), ?)"));
  s.Bind(1, origin_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  return (row ? s.Int(0) : origin_id) + 1;
}

}  // namespace

Result<AuditTotals> ReadAuditTotals(Db& db) {
  ASSIGN_OR_RETURN(ChainOrigin origin, ReadOrigin(db));
  ASSIGN_OR_RETURN(int64_t next, NextId(db, origin.id));
  return AuditTotals{next - 1, origin.id};
}

std::string CutUtf8(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

std::string AuditRowHash(std::string_view prev_hash, const AuditRecord& r) {
  // Length-prefixed texts: no choice of separators can make two rows encode alike.
  std::string s = "sightline-audit-v1\n";
  s += prev_hash;
  s += '\n';
  auto number = [&s](int64_t v) {
    s += std::to_string(v);
    s += '\n';
  };
  auto text = [&s](std::string_view t) {
    s += std::to_string(t.size());
    s += ':';
    s += t;
    s += '\n';
  };
  number(r.id);
  number(r.time_us);
  text(r.user);
  text(r.action);
  text(r.camera);
  number(r.start_us);
  number(r.end_us);
  text(r.remote);
  text(r.detail);
  number(r.ok ? 1 : 0);
  return TokenDigest(s);  // SHA-256, lowercase hex
}

Result<int64_t> AppendAuditRow(Db& db, const AuditRecord& record) {
  if (record.action.empty()) return InvalidArgumentError("an audit record needs an action");
  AuditRecord r = record;
  r.detail = CutUtf8(r.detail, kMaxAuditDetailBytes);
  ASSIGN_OR_RETURN(ChainOrigin origin, ReadOrigin(db));
  ASSIGN_OR_RETURN(r.id, NextId(db, origin.id));
  std::string prev = origin.hash;
  {
    ASSIGN_OR_RETURN(Stmt s, db.Prepare("SELECT hash FROM audit ORDER BY id DESC LIMIT 1"));
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) prev = s.Text(0);
  }
  ASSIGN_OR_RETURN(Stmt s, db.Prepare(
      "INSERT INTO audit (id, time_us, user, action, camera, start_us, end_us, remote, detail,"
      " ok, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, r.id).Bind(2, r.time_us).Bind(3, r.user).Bind(4, r.action).Bind(5, r.camera);
  s.Bind(6, r.start_us).Bind(7, r.end_us).Bind(8, r.remote).Bind(9, r.detail);
  s.Bind(10, int64_t{r.ok ? 1 : 0}).Bind(11, AuditRowHash(prev, r));
  RETURN_IF_ERROR(s.Run().WithContext("appending to the audit log"));
  return r.id;
}

Result<std::vector<AuditRecord>> QueryAuditRows(Db& db, const AuditFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) {
    return InvalidArgumentError("an audit query returns 1 to 1000 records, not " +
                                std::to_string(filter.limit));
  }
  // Only the conditions given, so that SQLite can use the (user, id) and (camera, id) indexes.
  std::string sql = std::string("SELECT ") + kAuditColumns + " FROM audit WHERE 1";
  std::vector<std::string> texts;
  std::vector<int64_t> ints;
  auto text_if = [&](const std::string& v, const char* condition) {
    if (v.empty()) return;
    sql += condition;
    texts.push_back(v);
  };
  auto int_if = [&](int64_t v, const char* condition) {
    if (v == 0) return;
    sql += condition;
    ints.push_back(v);
  };
  // Every text condition comes before every integer one, so binding the texts and then the
  // integers follows the order of the ?s.
  text_if(filter.user, " AND user = ?");
  text_if(filter.action, " AND action = ?");
  text_if(filter.camera, " AND camera = ?");
  int_if(filter.since_us, " AND time_us >= ?");
  int_if(filter.until_us, " AND time_us < ?");
  int_if(filter.before_id, " AND id < ?");
  sql += " ORDER BY id DESC LIMIT ?";
  ints.push_back(filter.limit);

  ASSIGN_OR_RETURN(Stmt s, db.Prepare(sql));
  int i = 1;
  for (const std::string& t : texts) s.Bind(i++, t);
  for (int64_t v : ints) s.Bind(i++, v);
  std::vector<AuditRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadAuditRow(s));
  }
  return out;
}

Result<AuditChainReport> VerifyAuditChain(Db& db) {
  ASSIGN_OR_RETURN(ChainOrigin origin, ReadOrigin(db));
  AuditChainReport report;
  report.origin_id = origin.id;
  report.head_id = origin.id;
  report.head_hash = origin.hash;
  ASSIGN_OR_RETURN(Stmt s, db.Prepare(std::string("SELECT ") + kAuditColumns +
                                      " FROM audit ORDER BY id"));
  std::string prev = origin.hash;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    std::string stored;
    AuditRecord r = ReadAuditRow(s, &stored);
    ++report.rows;
    // A row at or below the origin should have been dropped with it.
    if (r.id <= origin.id || stored != AuditRowHash(prev, r)) {
      if (report.broken_rows++ == 0) report.first_broken = r;
    }
    // The next row is checked against what is stored, so that one edited row is reported
    // alone rather than with every row after it.
    prev = stored;
    report.head_id = r.id;
    report.head_hash = stored;
  }
  return report;
}

Status ChainUnhashedAuditRows(Db& db) {
  ASSIGN_OR_RETURN(ChainOrigin origin, ReadOrigin(db));
  std::string prev = origin.hash;
  int64_t after = origin.id;
  // In batches: a version 1 log may be large, and each batch's rows are held in memory.
  for (;;) {
    std::vector<std::pair<AuditRecord, std::string>> batch;
    {
      ASSIGN_OR_RETURN(Stmt s, db.Prepare(std::string("SELECT ") + kAuditColumns +
                                          " FROM audit WHERE id > ? ORDER BY id LIMIT 1000"));
      s.Bind(1, after);
      for (;;) {
        ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        std::string hash;
        AuditRecord r = ReadAuditRow(s, &hash);
        batch.emplace_back(std::move(r), std::move(hash));
      }
    }
    if (batch.empty()) return Status();
    ASSIGN_OR_RETURN(Stmt update, db.Prepare("UPDATE audit SET hash = ? WHERE id = ?"));
    for (auto& [r, hash] : batch) {
      if (hash.empty()) {
        hash = AuditRowHash(prev, r);
        update.Reset();
        RETURN_IF_ERROR(update.Bind(1, hash).Bind(2, r.id).Run());
      }
      prev = hash;
      after = r.id;
    }
  }
}

Result<AuditDrop> DropOldAuditRows(Db& db, int64_t cutoff_us, int64_t max_rows) {
  AuditDrop drop;
  std::string last_hash;
  {
    // `oldest`: per camera, the start of its oldest segment still in the index (one index
    // seek per stream). A row "describes a recording" when it names a camera and a range.
    ASSIGN_OR_RETURN(Stmt s, db.Prepare(
        "WITH oldest (camera, start_us) AS ("
        "  SELECT st.camera, min((SELECT min(sg.start_us) FROM segments sg"
        "                         WHERE sg.stream_id = st.id))"
        "  FROM streams st GROUP BY st.camera)"
        " SELECT a.id, a.time_us, a.hash,"
        "  a.time_us >= ?1 OR (a.camera != '' AND a.start_us != 0 AND EXISTS ("
        "    SELECT 1 FROM oldest o WHERE o.camera = a.camera"
        "    AND o.start_us <= max(a.start_us, a.end_us)))"
        " FROM audit a ORDER BY a.id LIMIT ?2"));
    s.Bind(1, cutoff_us).Bind(2, max_rows);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row || s.Int(3) != 0) break;
      ++drop.rows;
      drop.last_id = s.Int(0);
      drop.last_time_us = s.Int(1);
      last_hash = s.Text(2);
    }
  }
  if (drop.rows == 0) return drop;
  // The origin moves first: the delete trigger admits only rows at or below it.
  {
    ASSIGN_OR_RETURN(Stmt s, db.Prepare(
        "UPDATE audit_chain SET origin_id = ?, origin_hash = ? WHERE id = 1"));
    RETURN_IF_ERROR(s.Bind(1, drop.last_id).Bind(2, last_hash).Run());
  }
  ASSIGN_OR_RETURN(Stmt s, db.Prepare("DELETE FROM audit WHERE id <= ?"));
  RETURN_IF_ERROR(s.Bind(1, drop.last_id).Run().WithContext("dropping old audit rows"));
  return drop;
}

}  // namespace sightline::auth
