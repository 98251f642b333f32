#pragma once
// The audit log's table (schema.sql `audit`, `audit_chain`): appending a row to the hash
// chain, reading rows back, verifying the chain, and retention. AccountStore calls these with
// its connection; `sightline check` verifies the chain with its own.
//
// The chain: every row carries hash = SHA-256(previous row's hash, the row's fields), the
// first kept row chaining to audit_chain.origin_hash (64 zeros for a log that never dropped a
// row; else the hash of the last row retention dropped). Editing, inserting or deleting a row
// in the middle breaks the chain at that row. It cannot tell a cut tail or a recomputed chain
// from the truth: someone who can write the file can do both; `sightline check` prints the
// head so an operator can note it elsewhere.
//
// Threads: the functions take a Db that the caller uses from one thread at a time. Appending
// and retention need the caller's write transaction (BEGIN IMMEDIATE), so that another
// process (`sightline user`) cannot append between reading the head and writing the row.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/sqlite.h"

namespace sightline::auth {

struct AuditRecord {
  int64_t id = 0;       // assigned by Audit()
  int64_t time_us = 0;  // 0 in Audit(): now
  std::string user{};
  std::string action{};
  std::string camera{};  // empty: none
  int64_t start_us = 0;  // the time range viewed or exported; 0: none
  int64_t end_us = 0;
  std::string remote{};
  std::string detail{};  // at most kMaxAuditDetailBytes, cut at a character boundary
  bool ok = true;
};
inline constexpr size_t kMaxAuditDetailBytes = 1000;

// Empty strings and zero times match everything.
struct AuditFilter {
  std::string user{};
  std::string action{};
  std::string camera{};
  int64_t since_us = 0;  // time_us >= since_us
  int64_t until_us = 0;  // time_us < until_us
  int limit = 100;       // 1 to 1000
  int64_t before_id = 0;  // paging: only records older than this id (the last one returned)
};

// The origin of a chain that never dropped a row.
inline constexpr std::string_view kAuditChainGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The hash a row with these fields carries after `prev_hash` (lowercase hex SHA-256 of an
// unambiguous encoding: every field length-prefixed).
std::string AuditRowHash(std::string_view prev_hash, const AuditRecord& record);

// At most `max` bytes of `s`, not splitting a UTF-8 sequence.
std::string CutUtf8(std::string_view s, size_t max);

// Appends `record` (detail cut to kMaxAuditDetailBytes) to the chain; returns its id. The
// caller holds a write transaction.
Result<int64_t> AppendAuditRow(store::Db& db, const AuditRecord& record);

// How many rows the log ever had, and how many of them retention dropped: ids are given in
// order and never reused, and retention drops the oldest first, so these are the newest id
// and the chain's origin id. Two indexed lookups, for the metrics.
struct AuditTotals {
  int64_t appended = 0;
  int64_t dropped = 0;
};
Result<AuditTotals> ReadAuditTotals(store::Db& db);

// Newest first.
Result<std::vector<AuditRecord>> QueryAuditRows(store::Db& db, const AuditFilter& filter);

struct AuditChainReport {
  int64_t rows = 0;
  int64_t origin_id = 0;        // rows up to this id were dropped by retention
  int64_t head_id = 0;          // the newest row; origin_id when the log is empty
  std::string head_hash{};
  int64_t broken_rows = 0;      // rows whose hash does not follow from their predecessor
  std::optional<AuditRecord> first_broken{};
  bool ok() const { return broken_rows == 0; }
};

// Reads every row in id order and recomputes the chain. A row is broken when its stored hash
// is not the hash of its fields after its predecessor's stored hash: an edited row breaks
// itself only; a deleted row breaks its successor.
Result<AuditChainReport> VerifyAuditChain(store::Db& db);

// Schema upgrade: gives every row without a hash (written before version 2) its place in the
// chain, in id order. The caller holds the write transaction of the upgrade and has lifted the
// update trigger for it.
Status ChainUnhashedAuditRows(store::Db& db);

// Retention: drops the oldest rows, in id order, while each is older than `cutoff_us` and
// describes no recording still present (a row naming a camera and a time range is kept while
// that camera has a segment starting at or before the range's end). Stops at the first row to
// keep, so the rest stays one chain; audit_chain then holds the last dropped row's id and hash.
// At most `max_rows` rows per call, so the caller's transaction stays short (the recorder
// writes to the same file). Returns the number dropped.
struct AuditDrop {
  int64_t rows = 0;
  int64_t last_id = 0;       // the newest row dropped
  int64_t last_time_us = 0;
};
Result<AuditDrop> DropOldAuditRows(store::Db& db, int64_t cutoff_us, int64_t max_rows);

}  // namespace sightline::auth
