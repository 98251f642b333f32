#pragma once
// Index: the SQLite recording index (schema.sql). One object per connection: the store's
// writer thread owns the read-write one; queries (export, the HTTP API) open read-only ones.
// Not thread-safe: one thread uses an Index at a time.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "store/motion_grid_chunk.h"
#include "store/sqlite.h"

namespace sightline::store {

inline constexpr int kSchemaVersion = 3;

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
  bool motion = false;  // overlaps a closed motion event of the camera; kept by the index
};

struct EventRow {
  int64_t time_us = 0;
  std::string kind;
  std::string camera;
  std::string stream;
  std::string message;
};

// Which segments retention looks at: its motion tier keeps those with motion longer.
enum class MotionTier { kAny, kWithoutMotion, kWithMotion };

struct MotionEventRow {
  int64_t id = 0;  // 0 in AddMotionEvent: the index assigns one
  std::string camera;
  std::string stream;  // the analysed stream
  int64_t start_us = 0;  // first motion - pre_capture
  int64_t end_us = 0;    // last motion + post_capture; 0 while the event is open
  std::vector<std::string> zones;  // names without commas
  double peak_fraction = 0;
  int64_t peak_us = 0;
  // JPEG of the peak. Writing: empty keeps the stored one. Reading: MotionEvents leaves it
  // empty and says whether there is one in has_thumbnail (MotionEventThumbnail reads it).
  Bytes thumbnail;
  bool has_thumbnail = false;
  // "" for Sightline's motion analysis; "onvif:motion", "onvif:tamper", "onvif:input:TOKEN"
  // for events the camera reported (stream ""). Set when the event is inserted.
  std::string source;
};

// A time range of a motion search: [start_us, end_us).
struct MotionRange {
  int64_t start_us = 0;
  int64_t end_us = 0;
  friend bool operator==(const MotionRange&, const MotionRange&) = default;
};

struct MotionSearchResult {
  std::vector<MotionRange> ranges;  // in time order
  int64_t chunks_read = 0;     // chunks whose frames were compared with the query
  int64_t chunks_skipped = 0;  // chunks whose any_grid missed the query: data never read
};

// Adjacent hits of a motion search at most this far apart are one range.
inline constexpr int64_t kMotionMergeGapUs = 2'000'000;

// What the index thread commits in one transaction (group commit).
struct IndexBatch {
  std::vector<SegmentRow> segments;  // inserted, or updated by (stream_id, seq)
  std::vector<EventRow> events;
  // Inserted or updated by id (ids are assigned by the writer, see IndexWriter).
  std::vector<MotionEventRow> motion_events;
  std::vector<MotionGridChunk> grid_chunks;  // each well formed (ValidateMotionGridChunk)
};

class Index {
 public:
  // Opens or creates the index at `path` and brings its schema to kSchemaVersion. A database
  // from a newer Sightline is refused. Read-only connections neither create nor migrate.
  static Result<std::unique_ptr<Index>> Open(const std::string& path, bool read_only = false);

  const std::string& db_uuid() const { return db_uuid_; }
  Result<int64_t> Generation();
  Status SetGeneration(int64_t generation);
  // Small named settings the daemon changes at run time and keeps across restarts (a camera's
  // motion switch: "switch.motion.<camera>"), in table meta under keys starting "setting.".
  Result<std::optional<std::string>> Setting(const std::string& name);
  Status SetSetting(const std::string& name, const std::string& value);

  Result<std::vector<DirRow>> Dirs();
  Result<int64_t> AddDir(const std::string& uuid, const std::string& path);
  Status SetDirPath(int64_t dir_id, const std::string& path);
  Result<std::vector<StreamRow>> Streams();
  Result<std::optional<StreamRow>> FindStream(const std::string& camera, const std::string& stream);
  Result<int64_t> EnsureStream(const std::string& camera, const std::string& stream);

  // Commits a batch in one transaction, the group commit: inserts each segment row whose
  // (stream_id, seq) is new, else updates its mutable columns (end, lengths, frames,
  // fragments, open); appends events; inserts or updates motion events by id (an empty
  // thumbnail keeps the stored one); adds grid chunks, creating stream rows as needed.
  Status Commit(const IndexBatch& batch);
  Status CommitSegments(const std::vector<SegmentRow>& rows,
                        const std::vector<EventRow>& events = {});

  Result<std::vector<SegmentRow>> OpenSegments();
  Result<int64_t> MaxSeq(int64_t stream_id);  // 0 if none
  // Segments of a stream that overlap [start_us, end_us), in time order.
  Result<std::vector<SegmentRow>> SegmentsInRange(int64_t stream_id, int64_t start_us,
                                                  int64_t end_us);
  // The segment row with this id, or nullopt.
  Result<std::optional<SegmentRow>> SegmentById(int64_t id);
  // Start of the stream's oldest segment, or nullopt when it has none.
  Result<std::optional<int64_t>> OldestStart(int64_t stream_id);
  // The oldest segments of a stream (or, with stream_id 0, of a directory given by dir_id),
  // closed and unprotected: retention's candidates. `tier` picks those with or without
  // motion (streams only).
  Result<std::vector<SegmentRow>> OldestDeletable(int64_t stream_id, int64_t dir_id, int limit,
                                                  MotionTier tier = MotionTier::kAny);
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

  // Motion events. The daemon writes them through the IndexWriter's batches; these direct
  // calls serve tools and tests. AddMotionEvent returns the new event's id (row.id if set).
  Result<int64_t> AddMotionEvent(const MotionEventRow& row);
  // Updates end, zones, peak and (unless empty) thumbnail of event row.id; NotFound if none.
  Status UpdateMotionEvent(const MotionEventRow& row);
  // The newest `limit` events of a camera that overlap [start_us, end_us) (an open event
  // overlaps everything after its start), newest first, without thumbnails.
  Result<std::vector<MotionEventRow>> MotionEvents(const std::string& camera, int64_t start_us,
                                                   int64_t end_us, int limit);
  // Event `id` without its thumbnail, or nullopt.
  Result<std::optional<MotionEventRow>> MotionEventById(int64_t id);
  // The JPEG of event `id`; NotFound if there is no such event or it has no thumbnail.
  Result<Bytes> MotionEventThumbnail(int64_t id);
  // The largest motion event id ever assigned (0 if none): ids are never reused.
  Result<int64_t> MaxMotionEventId();
  // Closes the events a crash left open, at the end of the last grid chunk stored for their
  // stream (or their peak, or start, whichever is latest). Returns how many. Run at start.
  Result<int64_t> CloseOpenMotionEvents();
  // The start of the camera's oldest open motion event, if any.
  Result<std::optional<int64_t>> OldestOpenMotionEventStart(const std::string& camera);

  Status AddMotionGrids(const std::vector<MotionGridChunk>& chunks);
  // Time ranges in [start_us, end_us) where an analysed frame of the stream had motion in a
  // cell of `query_grid` (72 bytes, the layout of schema.sql), hits at most
  // kMotionMergeGapUs apart merged; each hit lasts one mean frame interval of its chunk. At
  // most `limit` ranges, the earliest. Chunks whose any_grid misses the query are skipped.
  Result<MotionSearchResult> SearchMotion(int64_t stream_id, int64_t start_us, int64_t end_us,
                                          ByteSpan query_grid, int limit);
  // The same over every stream of the camera (normally its one analysed stream).
  Result<MotionSearchResult> SearchMotion(const std::string& camera, int64_t start_us,
                                          int64_t end_us, ByteSpan query_grid, int limit);

  // The start of the camera's oldest segment (any stream), if it has one.
  Result<std::optional<int64_t>> OldestSegmentStart(const std::string& camera);
  // Deletes the camera's grid chunks and closed motion events that end at or before
  // `cutoff_us`, in one transaction. Returns the rows deleted.
  Result<int64_t> DeleteMotionDataBefore(const std::string& camera, int64_t cutoff_us);

  // Drops every segment and garbage row and resets the streams' totals (check
  // --rebuild-index). Stream rows, events, motion events and motion grids stay: they cannot
  // be rebuilt from the files, and the segments' motion flags are set again as rows come back.
  Status ClearRecordings();

 private:
  explicit Index(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  Status Migrate();
  Status UpsertMotionEvent(const MotionEventRow& row);
  std::unique_ptr<Db> db_;
  std::string db_uuid_;
};

// "<camera>/<stream>/<seq, 10 digits>.mp4", relative to the storage directory.
std::string SegmentRelativePath(const std::string& camera, const std::string& stream, int64_t seq);

// A random RFC 4122 version 4 uuid, from the kernel's random source (getrandom(2)). Fails,
// rather than return a uuid that is not random, when that source cannot be read: two storage
// directories or indexes with the same uuid could be taken for one another.
Result<std::string> NewUuid();
// The same with the 16 bytes given: `random` fills its argument, or returns false.
Result<std::string> NewUuid(const std::function<bool(uint8_t (&)[16])>& random);

}  // namespace sightline::store
