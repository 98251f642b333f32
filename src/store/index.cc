#include "store/index.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>

#include "store/schema_sql.h"      // generated from schema.sql: kSchemaSql
#include "store/upgrade_v2_sql.h"  // generated from upgrade_v2.sql: kUpgradeV2Sql
#include "store/upgrade_v3_sql.h"  // generated from upgrade_v3.sql: kUpgradeV3Sql

namespace sightline::store {
namespace {

constexpr const char* kSegmentColumns =
    "id, stream_id, seq, dir_id, start_us, end_us, codec, width, height, init_length,"
    " durable_length, frames, fragments, open, protected, motion";

// Numbered upgrade steps: kUpgrades[i] takes version i + 1 to i + 2.
constexpr const char* kUpgrades[] = {kUpgradeV2Sql, kUpgradeV3Sql};
static_assert(std::size(kUpgrades) == kSchemaVersion - 1, "one upgrade step per version after 1");

SegmentRow ReadSegment(const Stmt& s) {
  SegmentRow r;
  r.id = s.Int(0);
  r.stream_id = s.Int(1);
  r.seq = s.Int(2);
  r.dir_id = s.Int(3);
  r.start_us = s.Int(4);
  r.end_us = s.Int(5);
  r.codec = s.Text(6);
  r.width = static_cast<int>(s.Int(7));
  r.height = static_cast<int>(s.Int(8));
  r.init_length = static_cast<uint64_t>(s.Int(9));
  r.durable_length = static_cast<uint64_t>(s.Int(10));
  r.frames = s.Int(11);
  r.fragments = s.Blob(12);
  r.open = s.Int(13) != 0;
  r.is_protected = s.Int(14) != 0;
  r.motion = s.Int(15) != 0;
  return r;
}

std::string JoinZones(const std::vector<std::string>& zones) {
  std::string out;
  for (const std::string& z : zones) {
    if (!out.empty()) out += ',';
    out += z;
  }
  return out;
}

std::vector<std::string> SplitZones(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// Collects search hits in time order into ranges, merging hits at most kMotionMergeGapUs
// apart; stops taking new ranges at `limit`.
class RangeMerger {
 public:
  explicit RangeMerger(int limit) : limit_(static_cast<size_t>(std::max(limit, 0))) {}
  // False once a hit would start a range beyond the limit: the search can stop.
  bool Add(int64_t start_us, int64_t end_us) {
    if (!ranges_.empty() && start_us - ranges_.back().end_us <= kMotionMergeGapUs) {
      ranges_.back().end_us = std::max(ranges_.back().end_us, end_us);
      return true;
    }
    if (ranges_.size() >= limit_) return false;
    ranges_.push_back({start_us, end_us});
    return true;
  }
  std::vector<MotionRange> Take() { return std::move(ranges_); }

 private:
  size_t limit_;
  std::vector<MotionRange> ranges_;
};

Result<std::vector<SegmentRow>> ReadSegments(Stmt& s) {
  std::vector<SegmentRow> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadSegment(s));
  }
  return out;
}

}  // namespace

Result<std::string> NewUuid(const std::function<bool(uint8_t (&)[16])>& random) {
  uint8_t b[16] = {};
  if (!random(b)) return InternalError("cannot read random bytes for a uuid");
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4 (RFC 4122 section 4.4)
  b[8] = (b[8] & 0x3f) | 0x80;  // variant 10
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return std::string(out);
}

Result<std::string> NewUuid() {
  return NewUuid([](uint8_t (&b)[16]) {
    // 16 bytes never come back short from getrandom(2) once the pool is initialised; EINTR
    // only before that.
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (::getrandom(b, sizeof b, 0) == static_cast<ssize_t>(sizeof b)) return true;
      if (errno != EINTR) return false;
    }
    return false;
  });
}

std::string SegmentRelativePath(const std::string& camera, const std::string& stream,
                                int64_t seq) {
  char name[32];
  std::snprintf(name, sizeof name, "%010lld.mp4", static_cast<long long>(seq));
  return camera + "/" + stream + "/" + name;
}

Result<std::unique_ptr<Index>> Index::Open(const std::string& path, bool read_only) {
  ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(path, read_only));
  std::unique_ptr<Index> index(new Index(std::move(db)));
  if (!read_only) RETURN_IF_ERROR(index->Migrate());
  ASSIGN_OR_RETURN(Stmt s, index->db_->Prepare("SELECT value FROM meta WHERE key = 'db_uuid'"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return DataLossError("index " + path + ": no db_uuid in table meta");
  index->db_uuid_ = s.Text(0);
  return index;
}

Status Index::Migrate() {
  ASSIGN_OR_RETURN(Stmt v, db_->Prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(bool row, v.Step());
  const int64_t version = row ? v.Int(0) : 0;
  if (version > kSchemaVersion) {
    return FailedPreconditionError("index " + db_->path() + " has schema version " +
                                   std::to_string(version) + ", newer than this Sightline's " +
                                   std::to_string(kSchemaVersion) + ": upgrade Sightline");
  }
  if (version == kSchemaVersion) return Status();
  if (version == 0) {
    // An empty database: the current schema at once.
    Transaction tx(*db_);
    RETURN_IF_ERROR(tx.Begin());
    RETURN_IF_ERROR(db_->Exec(kSchemaSql).WithContext("creating schema"));
    ASSIGN_OR_RETURN(Stmt ins, db_->Prepare("INSERT INTO meta (key, value) VALUES (?, ?)"));
    ASSIGN_OR_RETURN(const std::string uuid, NewUuid());
    RETURN_IF_ERROR(ins.Bind(1, std::string_view("db_uuid")).Bind(2, uuid).Run());
    RETURN_IF_ERROR(ins.Bind(1, std::string_view("generation")).Bind(2, std::string_view("0")).Run());
    RETURN_IF_ERROR(db_->Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion)));
    return tx.Commit();
  }
  // Each step in its own transaction: a crash between steps leaves a database at a version
  // this code knows, and the next start goes on from there.
  for (int64_t v = version; v < kSchemaVersion; ++v) {
    const std::string step = "upgrading index " + db_->path() + " from schema version " + std::to_string(v) +
                             " to " + std::to_string(v + 1);
    Transaction tx(*db_);
    RETURN_IF_ERROR(tx.Begin().WithContext(step));
    RETURN_IF_ERROR(db_->Exec(kUpgrades[v - 1]).WithContext(step));
    RETURN_IF_ERROR(db_->Exec("PRAGMA user_version = " + std::to_string(v + 1)).WithContext(step));
    RETURN_IF_ERROR(tx.Commit().WithContext(step));
  }
  return Status();
}

Result<int64_t> Index::Generation() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT value FROM meta WHERE key = 'generation'"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return DataLossError("index " + db_->path() + ": no generation in table meta");
  return std::stoll(s.Text(0));
}

Status Index::SetGeneration(int64_t generation) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("UPDATE meta SET value = ? WHERE key = 'generation'"));
  return s.Bind(1, std::to_string(generation)).Run();
}

Result<std::optional<std::string>> Index::Setting(const std::string& name) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT value FROM meta WHERE key = ?"));
  s.Bind(1, "setting." + name);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.Text(0));
}

Status Index::SetSetting(const std::string& name, const std::string& value) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"));
  return s.Bind(1, "setting." + name).Bind(2, value).Run();
}

Result<std::vector<DirRow>> Index::Dirs() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, uuid, path FROM dirs ORDER BY id"));
  std::vector<DirRow> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.Int(0), s.Text(1), s.Text(2)});
  }
  return out;
}

Result<int64_t> Index::AddDir(const std::string& uuid, const std::string& path) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO dirs (uuid, path) VALUES (?, ?)"));
  RETURN_IF_ERROR(s.Bind(1, uuid).Bind(2, path).Run());
  return db_->LastInsertRowId();
}

Status Index::SetDirPath(int64_t dir_id, const std::string& path) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("UPDATE dirs SET path = ? WHERE id = ?"));
  return s.Bind(1, path).Bind(2, dir_id).Run();
}

Result<std::vector<StreamRow>> Index::Streams() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "SELECT id, camera, stream, bytes, max_duration_us FROM streams ORDER BY camera, stream"));
  std::vector<StreamRow> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4)});
  }
  return out;
}

Result<std::optional<StreamRow>> Index::FindStream(const std::string& camera,
                                                   const std::string& stream) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, camera, stream, bytes, max_duration_us"
                                        " FROM streams WHERE camera = ? AND stream = ?"));
  s.Bind(1, camera).Bind(2, stream);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<StreamRow>();
  return std::optional<StreamRow>(StreamRow{s.Int(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4)});
}

Result<int64_t> Index::EnsureStream(const std::string& camera, const std::string& stream) {
  ASSIGN_OR_RETURN(std::optional<StreamRow> found, FindStream(camera, stream));
  if (found) return found->id;
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO streams (camera, stream) VALUES (?, ?)"));
  RETURN_IF_ERROR(s.Bind(1, camera).Bind(2, stream).Run());
  return db_->LastInsertRowId();
}

Status Index::CommitSegments(const std::vector<SegmentRow>& rows,
                             const std::vector<EventRow>& events) {
  IndexBatch batch;
  batch.segments = rows;
  batch.events = events;
  return Commit(batch);
}

Status Index::Commit(const IndexBatch& batch) {
  for (const MotionGridChunk& c : batch.grid_chunks) RETURN_IF_ERROR(ValidateMotionGridChunk(c));
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  ASSIGN_OR_RETURN(Stmt up, db_->Prepare(
      "INSERT INTO segments (stream_id, seq, dir_id, start_us, end_us, codec, width, height,"
      " init_length, durable_length, frames, fragments, open)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
      " ON CONFLICT (stream_id, seq) DO UPDATE SET end_us = ?5, durable_length = ?10,"
      " frames = ?11, fragments = ?12, open = ?13"));
  for (const SegmentRow& r : batch.segments) {
    up.Bind(1, r.stream_id).Bind(2, r.seq).Bind(3, r.dir_id).Bind(4, r.start_us);
    up.Bind(5, r.end_us).Bind(6, r.codec).Bind(7, int64_t{r.width}).Bind(8, int64_t{r.height});
    up.Bind(9, static_cast<int64_t>(r.init_length)).Bind(10, static_cast<int64_t>(r.durable_length));
    up.Bind(11, r.frames).Bind(12, ByteSpan(r.fragments)).Bind(13, int64_t{r.open ? 1 : 0});
    RETURN_IF_ERROR(up.Run());
  }
  RETURN_IF_ERROR(AddEvents(batch.events));
  for (const MotionEventRow& e : batch.motion_events) RETURN_IF_ERROR(UpsertMotionEvent(e));
  if (!batch.grid_chunks.empty()) {
    ASSIGN_OR_RETURN(Stmt ins, db_->Prepare(
        "INSERT INTO motion_grids (stream_id, start_us, end_us, frames, any_grid, data)"
        " VALUES (?, ?, ?, ?, ?, ?)"));
    std::map<std::pair<std::string, std::string>, int64_t> stream_ids;
    for (const MotionGridChunk& c : batch.grid_chunks) {
      auto [it, inserted] = stream_ids.try_emplace({c.camera, c.stream}, 0);
      if (inserted) {
        ASSIGN_OR_RETURN(it->second, EnsureStream(c.camera, c.stream));
      }
      ins.Bind(1, it->second).Bind(2, c.start_us).Bind(3, c.end_us).Bind(4, c.frames);
      ins.Bind(5, ByteSpan(c.any_grid)).Bind(6, ByteSpan(c.data));
      RETURN_IF_ERROR(ins.Run());
    }
  }
  return tx.Commit();
}

Result<std::vector<SegmentRow>> Index::OpenSegments() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("SELECT ") + kSegmentColumns +
                                        " FROM segments WHERE open = 1 ORDER BY id"));
  return ReadSegments(s);
}

Result<int64_t> Index::MaxSeq(int64_t stream_id) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT max(seq) FROM segments WHERE stream_id = ?"));
  s.Bind(1, stream_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

Result<std::vector<SegmentRow>> Index::SegmentsInRange(int64_t stream_id, int64_t start_us,
                                                       int64_t end_us) {
  // The (stream_id, start_us) index bounds the scan from below by the longest segment the
  // stream ever had, so the query touches only the segments it returns (plus a few).
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      std::string("SELECT ") + kSegmentColumns +
      " FROM segments WHERE stream_id = ?1 AND start_us < ?3 AND end_us > ?2"
      " AND start_us >= ?2 - (SELECT max_duration_us FROM streams WHERE id = ?1)"
      " ORDER BY start_us"));
  s.Bind(1, stream_id).Bind(2, start_us).Bind(3, end_us);
  return ReadSegments(s);
}

Result<std::optional<SegmentRow>> Index::SegmentById(int64_t id) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("SELECT ") + kSegmentColumns +
                                        " FROM segments WHERE id = ?1"));
  s.Bind(1, id);
  ASSIGN_OR_RETURN(std::vector<SegmentRow> rows, ReadSegments(s));
  if (rows.empty()) return std::optional<SegmentRow>();
  return std::optional<SegmentRow>(std::move(rows.front()));
}

Result<std::optional<int64_t>> Index::OldestStart(int64_t stream_id) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "SELECT start_us FROM segments WHERE stream_id = ?1 ORDER BY start_us LIMIT 1"));
  s.Bind(1, stream_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(s.Int(0));
}

Result<std::vector<SegmentRow>> Index::OldestDeletable(int64_t stream_id, int64_t dir_id,
                                                       int limit, MotionTier tier) {
  // With a tier, the (stream_id, motion, start_us) index skips the other tier's segments,
  // which retention keeps for longer and would otherwise scan past at every run.
  const char* where = stream_id == 0                     ? "dir_id = ?1"
                      : tier == MotionTier::kAny         ? "stream_id = ?1"
                      : tier == MotionTier::kWithMotion  ? "stream_id = ?1 AND motion = 1"
                                                         : "stream_id = ?1 AND motion = 0";
  std::string sql = std::string("SELECT ") + kSegmentColumns +
                    " FROM segments WHERE open = 0 AND protected = 0 AND " + where +
                    " ORDER BY start_us LIMIT ?2";
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(sql));
  s.Bind(1, stream_id != 0 ? stream_id : dir_id).Bind(2, int64_t{limit});
  return ReadSegments(s);
}

Result<std::vector<SegmentRow>> Index::AllSegments() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("SELECT ") + kSegmentColumns +
                                        " FROM segments ORDER BY stream_id, seq"));
  return ReadSegments(s);
}

Status Index::MoveToGarbage(const std::vector<SegmentRow>& rows,
                            const std::vector<std::string>& paths) {
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  ASSIGN_OR_RETURN(Stmt del, db_->Prepare("DELETE FROM segments WHERE id = ?"));
  ASSIGN_OR_RETURN(Stmt ins, db_->Prepare("INSERT OR IGNORE INTO garbage (dir_id, path) VALUES (?, ?)"));
  for (size_t i = 0; i < rows.size(); ++i) {
    RETURN_IF_ERROR(del.Bind(1, rows[i].id).Run());
    RETURN_IF_ERROR(ins.Bind(1, rows[i].dir_id).Bind(2, paths[i]).Run());
  }
  return tx.Commit();
}

Result<std::vector<std::pair<int64_t, std::string>>> Index::Garbage() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT dir_id, path FROM garbage"));
  std::vector<std::pair<int64_t, std::string>> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.emplace_back(s.Int(0), s.Text(1));
  }
  return out;
}

Status Index::ClearGarbage(const std::vector<std::pair<int64_t, std::string>>& entries) {
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  ASSIGN_OR_RETURN(Stmt del, db_->Prepare("DELETE FROM garbage WHERE dir_id = ? AND path = ?"));
  for (const auto& [dir, path] : entries) RETURN_IF_ERROR(del.Bind(1, dir).Bind(2, path).Run());
  return tx.Commit();
}

Result<int64_t> Index::SetProtected(int64_t stream_id, int64_t start_us, int64_t end_us, bool on) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "UPDATE segments SET protected = ?4 WHERE stream_id = ?1 AND start_us < ?3 AND end_us > ?2"));
  RETURN_IF_ERROR(s.Bind(1, stream_id).Bind(2, start_us).Bind(3, end_us).Bind(4, int64_t{on}).Run());
  return static_cast<int64_t>(sqlite3_changes(db_->raw()));
}

Status Index::AddEvents(const std::vector<EventRow>& events) {
  if (events.empty()) return Status();
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "INSERT INTO events (time_us, kind, camera, stream, message) VALUES (?, ?, ?, ?, ?)"));
  for (const EventRow& e : events) {
    RETURN_IF_ERROR(
        s.Bind(1, e.time_us).Bind(2, e.kind).Bind(3, e.camera).Bind(4, e.stream).Bind(5, e.message).Run());
  }
  return Status();
}

Result<std::vector<EventRow>> Index::Events(int64_t since_us, int limit) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT time_us, kind, camera, stream, message FROM events"
                                        " WHERE time_us >= ? ORDER BY time_us LIMIT ?"));
  s.Bind(1, since_us).Bind(2, int64_t{limit});
  std::vector<EventRow> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)});
  }
  return out;
}

Status Index::ClearRecordings() {
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  RETURN_IF_ERROR(db_->Exec("DELETE FROM segments; DELETE FROM garbage;"
                            " UPDATE streams SET bytes = 0, max_duration_us = 0;"));
  return tx.Commit();
}

Status Index::UpsertMotionEvent(const MotionEventRow& row) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "INSERT INTO motion_events (id, camera, stream, start_us, end_us, zones, peak_fraction, peak_us,"
      " thumbnail, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
      " ON CONFLICT (id) DO UPDATE SET start_us = ?4, end_us = ?5, zones = ?6, peak_fraction = ?7,"
      " peak_us = ?8, thumbnail = coalesce(?9, thumbnail)"));
  if (row.id != 0) s.Bind(1, row.id);
  s.Bind(2, row.camera).Bind(3, row.stream).Bind(4, row.start_us);
  if (row.end_us != 0) s.Bind(5, row.end_us);
  s.Bind(6, JoinZones(row.zones)).Bind(7, row.peak_fraction).Bind(8, row.peak_us);
  if (!row.thumbnail.empty()) s.Bind(9, ByteSpan(row.thumbnail));
  s.Bind(10, row.source);
  return s.Run();
}

Result<int64_t> Index::AddMotionEvent(const MotionEventRow& row) {
  RETURN_IF_ERROR(UpsertMotionEvent(row));
  return row.id != 0 ? row.id : db_->LastInsertRowId();
}

Status Index::UpdateMotionEvent(const MotionEventRow& row) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT 1 FROM motion_events WHERE id = ?"));
  s.Bind(1, row.id);
  ASSIGN_OR_RETURN(bool found, s.Step());
  if (!found) return NotFoundError("motion event " + std::to_string(row.id) + " does not exist");
  return UpsertMotionEvent(row);
}

namespace {

constexpr const char* kMotionEventColumns =
    "id, camera, stream, start_us, coalesce(end_us, 0), zones, peak_fraction, peak_us,"
    " thumbnail IS NOT NULL, source";

MotionEventRow ReadMotionEvent(const Stmt& s) {
  MotionEventRow e;
  e.id = s.Int(0);
  e.camera = s.Text(1);
  e.stream = s.Text(2);
  e.start_us = s.Int(3);
  e.end_us = s.Int(4);
  e.zones = SplitZones(s.Text(5));
  e.peak_fraction = s.Double(6);
  e.peak_us = s.Int(7);
  e.has_thumbnail = s.Int(8) != 0;
  e.source = s.Text(9);
  return e;
}

}  // namespace

Result<std::vector<MotionEventRow>> Index::MotionEvents(const std::string& camera, int64_t start_us,
                                                        int64_t end_us, int limit) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      std::string("SELECT ") + kMotionEventColumns + " FROM motion_events"
      " WHERE camera = ?1 AND start_us < ?3 AND (end_us IS NULL OR end_us > ?2)"
      " ORDER BY start_us DESC LIMIT ?4"));
  s.Bind(1, camera).Bind(2, start_us).Bind(3, end_us).Bind(4, int64_t{limit});
  std::vector<MotionEventRow> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadMotionEvent(s));
  }
  return out;
}

Result<std::optional<MotionEventRow>> Index::MotionEventById(int64_t id) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("SELECT ") + kMotionEventColumns +
                                        " FROM motion_events WHERE id = ?1"));
  s.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<MotionEventRow>();
  return std::optional<MotionEventRow>(ReadMotionEvent(s));
}

Result<Bytes> Index::MotionEventThumbnail(int64_t id) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT thumbnail FROM motion_events WHERE id = ?"));
  s.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFoundError("motion event " + std::to_string(id) + " does not exist");
  if (s.IsNull(0)) return NotFoundError("motion event " + std::to_string(id) + " has no thumbnail");
  return s.Blob(0);
}

Result<int64_t> Index::MaxMotionEventId() {
  // AUTOINCREMENT keeps the largest id ever used here, also after its row was deleted.
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT seq FROM sqlite_sequence WHERE name = 'motion_events'"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

Result<int64_t> Index::CloseOpenMotionEvents() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "UPDATE motion_events SET end_us = max(start_us, peak_us, coalesce("
      "  (SELECT max(g.end_us) FROM motion_grids g JOIN streams t ON g.stream_id = t.id"
      "   WHERE t.camera = motion_events.camera AND t.stream = motion_events.stream"
      "     AND g.start_us >= motion_events.start_us - ?1), 0))"
      " WHERE end_us IS NULL"));
  RETURN_IF_ERROR(s.Bind(1, kMaxMotionChunkUs).Run());
  return static_cast<int64_t>(sqlite3_changes(db_->raw()));
}

Result<std::optional<int64_t>> Index::OldestOpenMotionEventStart(const std::string& camera) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      // Without the hint SQLite walks motion_events_by_start for min(), past every event.
      "SELECT min(start_us) FROM motion_events INDEXED BY motion_events_by_end"
      " WHERE camera = ? AND end_us IS NULL"));
  s.Bind(1, camera);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row || s.IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(s.Int(0));
}

Status Index::AddMotionGrids(const std::vector<MotionGridChunk>& chunks) {
  IndexBatch batch;
  batch.grid_chunks = chunks;
  return Commit(batch);
}

Result<MotionSearchResult> Index::SearchMotion(int64_t stream_id, int64_t start_us, int64_t end_us,
                                               ByteSpan query_grid, int limit) {
  if (query_grid.size() != kMotionGridBytes) {
    return InvalidArgumentError("motion search: the query grid has " + std::to_string(query_grid.size()) +
                                " bytes, not 72");
  }
  // Two steps, so that a chunk's data is read only when its any_grid meets the query: SQLite
  // reads every column a row returns, and data (kilobytes, in overflow pages) is most of a
  // chunk while any_grid sits in the row's first page. start_us is bounded from below by the
  // longest chunk, so the scan uses the index.
  ASSIGN_OR_RETURN(Stmt chunks, db_->Prepare(
      "SELECT id, start_us, end_us, frames, any_grid FROM motion_grids"
      " WHERE stream_id = ?1 AND start_us < ?3 AND end_us > ?2 AND start_us >= ?2 - ?4"
      " ORDER BY start_us"));
  chunks.Bind(1, stream_id).Bind(2, start_us).Bind(3, end_us).Bind(4, kMaxMotionChunkUs);
  ASSIGN_OR_RETURN(Stmt data, db_->Prepare("SELECT data FROM motion_grids WHERE id = ?"));
  MotionSearchResult result;
  RangeMerger merger(limit);
  bool full = false;
  while (!full) {
    ASSIGN_OR_RETURN(bool row, chunks.Step());
    if (!row) break;
    const int64_t chunk_start = chunks.Int(1);
    const int64_t chunk_end = chunks.Int(2);
    const ByteSpan any = chunks.BlobView(4);
    if (any.size() != kMotionGridBytes || !GridsIntersect(any.data(), query_grid.data())) {
      ++result.chunks_skipped;
      continue;
    }
    ++result.chunks_read;
    const int64_t interval = (chunk_end - chunk_start) / std::max<int64_t>(chunks.Int(3), 1);
    data.Bind(1, chunks.Int(0));
    ASSIGN_OR_RETURN(bool found, data.Step());
    MotionChunkReader reader(found ? data.BlobView(0) : ByteSpan(), chunk_start);
    int64_t time_us = 0;
    const uint8_t* grid = nullptr;
    while (reader.Next(&time_us, &grid)) {
      if (time_us >= end_us) break;
      const int64_t hit_end = std::min(time_us + std::max<int64_t>(interval, 1), chunk_end);
      if (hit_end <= start_us || !GridsIntersect(grid, query_grid.data())) continue;
      if (!merger.Add(std::max(time_us, start_us), std::min(hit_end, end_us))) {
        full = true;
        break;
      }
    }
    data.Reset();
    if (!reader.ok()) {
      return DataLossError("motion search: stream " + std::to_string(stream_id) + ": grid chunk at " +
                           std::to_string(chunk_start) + " is corrupt");
    }
  }
  result.ranges = merger.Take();
  return result;
}

Result<MotionSearchResult> Index::SearchMotion(const std::string& camera, int64_t start_us, int64_t end_us,
                                               ByteSpan query_grid, int limit) {
  ASSIGN_OR_RETURN(Stmt streams, db_->Prepare("SELECT id FROM streams WHERE camera = ? ORDER BY id"));
  streams.Bind(1, camera);
  MotionSearchResult all;
  std::vector<MotionRange> hits;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, streams.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(MotionSearchResult one, SearchMotion(streams.Int(0), start_us, end_us, query_grid, limit));
    all.chunks_read += one.chunks_read;
    all.chunks_skipped += one.chunks_skipped;
    hits.insert(hits.end(), one.ranges.begin(), one.ranges.end());
  }
  std::sort(hits.begin(), hits.end(), [](const MotionRange& a, const MotionRange& b) { return a.start_us < b.start_us; });
  RangeMerger merger(limit);
  for (const MotionRange& r : hits) {
    if (!merger.Add(r.start_us, r.end_us)) break;
  }
  all.ranges = merger.Take();
  return all;
}

Result<std::optional<int64_t>> Index::OldestSegmentStart(const std::string& camera) {
  // min() per stream is one seek in segments_by_time.
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "SELECT min(m) FROM (SELECT (SELECT min(start_us) FROM segments WHERE stream_id = t.id) AS m"
      " FROM streams t WHERE t.camera = ?)"));
  s.Bind(1, camera);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row || s.IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(s.Int(0));
}

Result<int64_t> Index::DeleteMotionDataBefore(const std::string& camera, int64_t cutoff_us) {
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  ASSIGN_OR_RETURN(Stmt grids, db_->Prepare(
      "DELETE FROM motion_grids WHERE stream_id IN (SELECT id FROM streams WHERE camera = ?1)"
      " AND start_us < ?2 AND end_us <= ?2"));
  RETURN_IF_ERROR(grids.Bind(1, camera).Bind(2, cutoff_us).Run());
  int64_t deleted = sqlite3_changes(db_->raw());
  ASSIGN_OR_RETURN(Stmt events, db_->Prepare(
      "DELETE FROM motion_events WHERE camera = ?1 AND end_us <= ?2"));
  RETURN_IF_ERROR(events.Bind(1, camera).Bind(2, cutoff_us).Run());
  deleted += sqlite3_changes(db_->raw());
  RETURN_IF_ERROR(tx.Commit());
  return deleted;
}

}  // namespace sightline::store
