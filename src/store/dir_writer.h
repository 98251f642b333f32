#pragma once
// DirWriter: the one thread that does all file I/O for one storage directory. It takes GOPs
// queued by the StreamRecorders, writes them as fragments into each stream's current segment
// file, starts and closes segments, and every flush interval syncs directories and files and
// hands the new durable state to the IndexWriter (group commit; docs/design/storage.md,
// "Write procedure" steps 2-4, and "Failure policy").
//
// Threads: Submit, EndStream and MarkGap from any thread; the rest on the writer's own thread.
// Stop() drains the queue, closes every segment and makes it durable.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/logging.h"
#include "base/mutex.h"
#include "store/env.h"
#include "store/gop_assembler.h"
#include "store/segment_writer.h"

namespace sightline::store {

class IndexWriter;
class StreamRecorder;

struct DirWriterOptions {
  std::string path;  // the storage directory
  int64_t dir_id = 0;
  std::chrono::milliseconds flush_interval{1000};
  int64_t segment_duration_90k = 60 * 90000;
  Env* env = nullptr;
  const Clock* clock = nullptr;
  IndexWriter* index_writer = nullptr;
  // Called (on the writer thread) when the protocol cannot go on safely: a failed directory
  // sync. The daemon exits; tests record it.
  std::function<void(const Status&)> on_fatal;
};

struct DirWriterStats {
  uint64_t flushes = 0;
  uint64_t write_errors = 0;
  uint64_t sync_errors = 0;
  uint64_t segments_abandoned = 0;
};

class DirWriter {
 public:
  explicit DirWriter(DirWriterOptions options);
  ~DirWriter();  // Stop()
  DirWriter(const DirWriter&) = delete;
  DirWriter& operator=(const DirWriter&) = delete;

  void Start();
  void Stop();

  void Submit(StreamRecorder* stream, Gop gop);
  // Closes the stream's current segment (after what was submitted before).
  void EndStream(StreamRecorder* stream);
  // Something between the last submitted GOP and the next is missing: close the segment.
  void MarkGap(StreamRecorder* stream) { EndStream(stream); }

  DirWriterStats stats() const;
  const std::string& path() const { return options_.path; }

 private:
  struct Job {
    StreamRecorder* stream = nullptr;
    bool close = false;  // else: write `gop`
    Gop gop;
  };
  void Run();
  void Handle(Job& job);
  void Write(StreamRecorder* s, Gop& gop);
  Status OpenSegment(StreamRecorder* s, const media::StreamParams& params);
  void CloseSegment(StreamRecorder* s);
  void Abandon(std::unique_ptr<SegmentWriter> seg);
  void Flush();

  const DirWriterOptions options_;
  Env& env_;

  mutable Mutex mu_;
  CondVar cv_;
  std::deque<Job> queue_ SL_GUARDED_BY(mu_);
  bool stopping_ SL_GUARDED_BY(mu_) = false;
  std::thread thread_;
  DirWriterStats stats_ SL_GUARDED_BY(mu_);

  // Writer thread only.
  std::map<StreamRecorder*, std::unique_ptr<SegmentWriter>> open_;
  std::vector<std::unique_ptr<SegmentWriter>> closing_;    // sync, then commit as closed
  std::vector<SegmentRow> abandoned_rows_;                  // commit as closed
  std::set<std::string> dirs_to_sync_;
  std::set<std::string> dirs_made_;
  std::map<StreamRecorder*, LogRateLimiter> error_reports_;
};

}  // namespace sightline::store
