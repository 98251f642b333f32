#pragma once
// IndexWriter: the one thread that writes the index. It commits the batches the directory
// writers hand it and the motion results of the analysis, all waiting in one transaction
// (group commit), and runs retention (docs/design/storage.md, "Write procedure" step 5,
// "Delete procedure" and "Motion").
//
// Threads: Submit, AddEvent, SubmitMotionEvent, SubmitMotionGrids, NewMotionEventId and
// RequestRetention from any thread, never waiting for the disk; the Index is used only on the
// writer's thread between Start and Stop. Stop commits what is pending.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/logging.h"
#include "base/mutex.h"
#include "store/env.h"
#include "store/index.h"
#include "store/stream_recorder.h"

namespace sightline::store {

// The retention tiers judge a segment no sooner than this after it ended, even with
// `continuous: {days: 0}`: a motion event reaches the index up to pre_capture + min_duration
// (at most 2 minutes, config/) plus the analysis' lag after its start, and may then cover it.
inline constexpr int64_t kTierMinAgeUs = int64_t{10} * 60 * 1'000'000;

struct RetentionDir {
  int64_t dir_id = 0;
  std::string path;
  uint64_t min_free_bytes = 0;
};

struct RetentionStream {
  int64_t stream_id = 0;
  Retention retention;
};

struct IndexWriterOptions {
  Index* index = nullptr;
  Env* env = nullptr;
  const Clock* clock = nullptr;
  std::chrono::milliseconds retention_interval{2000};
  std::vector<RetentionDir> dirs;
  std::vector<RetentionStream> streams;
  std::function<void(const Status&)> on_fatal;  // a failed directory sync while deleting
  // Told the duration of each successful commit (the SQLite transaction, on `clock`), on the
  // writer's thread: for the metrics' commit-time histogram. Must not block.
  std::function<void(std::chrono::microseconds)> on_commit;
  int64_t first_motion_event_id = 1;  // Index::MaxMotionEventId() + 1
  // Grid chunks waiting for a commit beyond this are dropped (a failing index must not eat
  // the memory): about 40 hours of one camera with motion 30% of the time.
  uint64_t max_pending_grid_bytes = 16 << 20;
};

struct IndexWriterStats {
  uint64_t commits = 0;
  uint64_t commit_errors = 0;
  uint64_t rows_committed = 0;
  uint64_t segments_deleted = 0;
  uint64_t bytes_deleted = 0;
  uint64_t retention_runs = 0;
  uint64_t disk_full_nothing_to_delete = 0;
  uint64_t motion_events_committed = 0;  // inserts and updates
  uint64_t grid_chunks_committed = 0;
  uint64_t grid_chunks_dropped = 0;      // malformed, or too many waiting
  uint64_t motion_rows_deleted = 0;      // grid chunks and events older than the recordings
};

class IndexWriter {
 public:
  explicit IndexWriter(IndexWriterOptions options);
  ~IndexWriter();  // Stop()

  void Start();
  void Stop();

  void Submit(std::vector<SegmentRow> rows);
  void AddEvent(EventRow event);
  // A motion event's first submission inserts it, later ones with the same id update it; an
  // empty thumbnail keeps the one submitted or stored before.
  void SubmitMotionEvent(MotionEventRow row);
  void SubmitMotionGrids(MotionGridChunk chunk);
  // A fresh motion event id: ids are assigned here so the analysis never waits for SQLite.
  int64_t NewMotionEventId() { return next_motion_event_id_++; }
  void RequestRetention();
  IndexWriterStats stats() const;

  // Runs one retention pass now, on the calling thread (tests, `sightline check`); only
  // while the writer thread is not running.
  Status RunRetention();

 private:
  void Run();
  bool CommitPending();  // false if the commit failed (the rows wait for a retry)
  // Queues a motion event row, merging it into one already waiting.
  // `older`: `row` was submitted before the one waiting (a failed commit's), so the waiting
  // one wins and only takes a thumbnail it lacks.
  void QueueMotionEventLocked(MotionEventRow row, bool older) SL_REQUIRES(mu_);
  // Deletes the stream's closed unprotected segments of `tier` that ended before cutoff_us,
  // oldest first.
  Status DeleteOldest(int64_t stream_id, MotionTier tier, int64_t cutoff_us);
  Status DeleteSegments(const std::vector<SegmentRow>& victims);

  const IndexWriterOptions options_;
  Index& index_;
  Env& env_;

  mutable Mutex mu_;
  CondVar cv_;
  std::map<std::pair<int64_t, int64_t>, SegmentRow> pending_rows_ SL_GUARDED_BY(mu_);  // (stream_id, seq)
  std::vector<EventRow> pending_events_ SL_GUARDED_BY(mu_);
  std::map<int64_t, MotionEventRow> pending_motion_events_ SL_GUARDED_BY(mu_);  // by id
  std::vector<MotionGridChunk> pending_grids_ SL_GUARDED_BY(mu_);
  uint64_t pending_grid_bytes_ SL_GUARDED_BY(mu_) = 0;
  bool retention_requested_ SL_GUARDED_BY(mu_) = false;
  bool stopping_ SL_GUARDED_BY(mu_) = false;
  IndexWriterStats stats_ SL_GUARDED_BY(mu_);
  std::thread thread_;

  std::atomic<int64_t> next_motion_event_id_;

  LogRateLimiter grid_drop_log_{std::chrono::minutes(1), 3};
  MonoTime last_nothing_to_delete_event_{};  // writer thread only
  bool motion_data_checked_ = false;         // writer thread only
};

}  // namespace sightline::store
