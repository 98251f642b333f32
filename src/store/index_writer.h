#pragma once
// IndexWriter: the one thread that writes the index. It commits the batches the directory
// writers hand it, all waiting batches in one transaction (group commit), and runs retention
// (docs/design/storage.md, "Write procedure" step 5 and "Delete procedure").
//
// Threads: Submit, AddEvent and RequestRetention from any thread; the Index is used only on
// the writer's thread between Start and Stop. Stop commits what is pending.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "store/env.h"
#include "store/index.h"
#include "store/stream_recorder.h"

namespace sightline::store {

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
};

struct IndexWriterStats {
  uint64_t commits = 0;
  uint64_t commit_errors = 0;
  uint64_t rows_committed = 0;
  uint64_t segments_deleted = 0;
  uint64_t bytes_deleted = 0;
  uint64_t retention_runs = 0;
  uint64_t disk_full_nothing_to_delete = 0;
};

class IndexWriter {
 public:
  explicit IndexWriter(IndexWriterOptions options);
  ~IndexWriter();  // Stop()

  void Start();
  void Stop();

  void Submit(std::vector<SegmentRow> rows);
  void AddEvent(EventRow event);
  void RequestRetention();
  IndexWriterStats stats() const;

  // Runs one retention pass now, on the calling thread (tests, `sightline check`); only
  // while the writer thread is not running.
  Status RunRetention();

 private:
  void Run();
  bool CommitPending();  // false if the commit failed (the rows wait for a retry)
  Status DeleteSegments(const std::vector<SegmentRow>& victims);

  const IndexWriterOptions options_;
  Index& index_;
  Env& env_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::pair<int64_t, int64_t>, SegmentRow> pending_rows_;  // (stream_id, seq)
  std::vector<EventRow> pending_events_;
  bool retention_requested_ = false;
  bool stopping_ = false;
  IndexWriterStats stats_;
  std::thread thread_;

  MonoTime last_nothing_to_delete_event_{};  // writer thread only
};

}  // namespace sightline::store
