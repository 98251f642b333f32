#include "store/index.h"

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

#include "store/schema_sql.h"  // generated from schema.sql: kSchemaSql

namespace sightline::store {
namespace {

constexpr const char* kSegmentColumns =
    "id, stream_id, seq, dir_id, start_us, end_us, codec, width, height, init_length,"
    " durable_length, frames, fragments, open, protected";

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
  return r;
}

Result<std::vector<SegmentRow>> ReadSegments(Stmt& s) {
  std::vector<SegmentRow> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadSegment(s));
  }
  return out;
}

// A transaction rolled back unless committed.
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) {}
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

}  // namespace

std::string NewUuid() {
  uint8_t b[16] = {};
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    [[maybe_unused]] ssize_t n = ::read(fd, b, sizeof b);
    ::close(fd);
  }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
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
  // Version 0 is an empty database: create the current schema. Later versions add numbered
  // upgrade steps here (version N-1 -> N), each in its own transaction.
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  RETURN_IF_ERROR(db_->Exec(kSchemaSql).WithContext("creating schema"));
  ASSIGN_OR_RETURN(Stmt ins, db_->Prepare("INSERT INTO meta (key, value) VALUES (?, ?)"));
  RETURN_IF_ERROR(ins.Bind(1, std::string_view("db_uuid")).Bind(2, NewUuid()).Run());
  RETURN_IF_ERROR(ins.Bind(1, std::string_view("generation")).Bind(2, std::string_view("0")).Run());
  RETURN_IF_ERROR(db_->Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion)));
  return tx.Commit();
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
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  ASSIGN_OR_RETURN(Stmt up, db_->Prepare(
      "INSERT INTO segments (stream_id, seq, dir_id, start_us, end_us, codec, width, height,"
      " init_length, durable_length, frames, fragments, open)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
      " ON CONFLICT (stream_id, seq) DO UPDATE SET end_us = ?5, durable_length = ?10,"
      " frames = ?11, fragments = ?12, open = ?13"));
  for (const SegmentRow& r : rows) {
    up.Bind(1, r.stream_id).Bind(2, r.seq).Bind(3, r.dir_id).Bind(4, r.start_us);
    up.Bind(5, r.end_us).Bind(6, r.codec).Bind(7, int64_t{r.width}).Bind(8, int64_t{r.height});
    up.Bind(9, static_cast<int64_t>(r.init_length)).Bind(10, static_cast<int64_t>(r.durable_length));
    up.Bind(11, r.frames).Bind(12, ByteSpan(r.fragments)).Bind(13, int64_t{r.open ? 1 : 0});
    RETURN_IF_ERROR(up.Run());
  }
  RETURN_IF_ERROR(AddEvents(events));
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

Result<std::vector<SegmentRow>> Index::OldestDeletable(int64_t stream_id, int64_t dir_id,
                                                       int limit) {
  std::string sql = std::string("SELECT ") + kSegmentColumns + " FROM segments WHERE open = 0" +
                    " AND protected = 0 AND " +
                    (stream_id != 0 ? "stream_id = ?1 ORDER BY start_us" : "dir_id = ?1 ORDER BY start_us") +
                    " LIMIT ?2";
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
  RETURN_IF_ERROR(db_->Exec("DELETE FROM segments; DELETE FROM garbage; DELETE FROM streams;"));
  return tx.Commit();
}

}  // namespace sightline::store
