#pragma once
// Index: the SQLite recording index (schema.sql). One object per connection: the store's
// writer thread owns the read-write one; queries (export, the HTTP API) open read-only ones.
// Not thread-safe: one thread uses an Index at a time.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "store/sqlite.h"

namespace sightline::store {

inline constexpr int kSchemaVersion = 1;

struct DirRow {
  int64_t id = 0;
  std::string uuid;
  std::string path;
};

struct StreamRow {
  int64_t id = 0;
  std::string camera;
  std::string stream;
  int64_t bytes = 0;
  int64_t max_duration_us = 0;
};

struct SegmentRow {
  int64_t id = 0;  // 0 until inserted
  int64_t stream_id = 0;
  int64_t seq = 0;
  int64_t dir_id = 0;
  int64_t start_us = 0;
  int64_t end_us = 0;
  std::string codec;
  int width = 0;
  int height = 0;
  uint64_t init_length = 0;
  uint64_t durable_length = 0;
  int64_t frames = 0;
  Bytes fragments;  // fragment_table.h
  bool open = true;
  bool is_protected = false;
};

struct EventRow {
  int64_t time_us = 0;
  std::string kind;
  std::string camera;
  std::string stream;
  std::string message;
};

class Index {
 public:
  // Opens or creates the index at `path` and brings its schema to kSchemaVersion. A database
  // from a newer Sightline is refused. Read-only connections neither create nor migrate.
  static Result<std::unique_ptr<Index>> Open(const std::string& path, bool read_only = false);

  const std::string& db_uuid() const { return db_uuid_; }
  Result<int64_t> Generation();
  Status SetGeneration(int64_t generation);

  Result<std::vector<DirRow>> Dirs();
  Result<int64_t> AddDir(const std::string& uuid, const std::string& path);
  Status SetDirPath(int64_t dir_id, const std::string& path);
  Result<std::vector<StreamRow>> Streams();
  Result<std::optional<StreamRow>> FindStream(const std::string& camera, const std::string& stream);
  Result<int64_t> EnsureStream(const std::string& camera, const std::string& stream);

  // Inserts each row whose (stream_id, seq) is new, else updates its mutable columns (end,
  // lengths, frames, fragments, open). All in one transaction: the group commit.
  Status CommitSegments(const std::vector<SegmentRow>& rows,
                        const std::vector<EventRow>& events = {});

  Result<std::vector<SegmentRow>> OpenSegments();
  Result<int64_t> MaxSeq(int64_t stream_id);  // 0 if none
  // Segments of a stream that overlap [start_us, end_us), in time order.
  Result<std::vector<SegmentRow>> SegmentsInRange(int64_t stream_id, int64_t start_us,
                                                  int64_t end_us);
  // The oldest segments of a stream (or, with stream_id 0, of a directory given by dir_id),
  // closed and unprotected: retention's candidates.
  Result<std::vector<SegmentRow>> OldestDeletable(int64_t stream_id, int64_t dir_id, int limit);
  // All segment rows (check, rebuild); ordered by stream and seq.
  Result<std::vector<SegmentRow>> AllSegments();

  // Delete procedure step 1: rows -> garbage, one transaction.
  Status MoveToGarbage(const std::vector<SegmentRow>& rows, const std::vector<std::string>& paths);
  Result<std::vector<std::pair<int64_t, std::string>>> Garbage();  // (dir_id, relative path)
  Status ClearGarbage(const std::vector<std::pair<int64_t, std::string>>& entries);

  // Evidence lock over a time range; returns the number of segments changed.
  Result<int64_t> SetProtected(int64_t stream_id, int64_t start_us, int64_t end_us, bool on);

  Status AddEvents(const std::vector<EventRow>& events);
  Result<std::vector<EventRow>> Events(int64_t since_us, int limit);

  // Drops every segment, stream, garbage and event row (check --rebuild-index).
  Status ClearRecordings();

 private:
  explicit Index(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  Status Migrate();
  std::unique_ptr<Db> db_;
  std::string db_uuid_;
};

// "<camera>/<stream>/<seq, 10 digits>.mp4", relative to the storage directory.
std::string SegmentRelativePath(const std::string& camera, const std::string& stream, int64_t seq);

// A random RFC 4122 version 4 uuid, from /dev/urandom.
std::string NewUuid();

}  // namespace sightline::store
