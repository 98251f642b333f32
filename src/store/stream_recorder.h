#pragma once
// StreamRecorder: the entry point of one recorded stream. Ingest hands it every frame on the
// camera's strand; it assembles GOPs and queues them for the stream's storage directory writer,
// never blocking: when the writer is behind by more than the stream's memory budget, the new
// GOP is dropped whole, counted, and a "storage too slow" event raised (docs/design/storage.md,
// "Write procedure" step 1).
//
// Threads: all methods may be called from any thread (OnFrame normally from the camera's
// strand, EndOfStream also from a supervisor); a mutex, uncontended in practice, orders them.
// Owned by the Store; valid until the Store is destroyed.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/mutex.h"
#include "media/frame.h"
#include "store/gop_assembler.h"

namespace sightline::store {

class DirWriter;
class IndexWriter;

struct Retention {
  int64_t max_age_s = 0;  // 0: unlimited
  int64_t max_bytes = 0;  // 0: unlimited
  // Retention tiers (docs/design/storage.md, "Retention tiers"): closed segments that overlap
  // no motion event of the camera go continuous_days after they end, the others motion_days
  // (unset: continuous_days) after. Unset continuous_days: no tiers.
  std::optional<int64_t> continuous_days;
  std::optional<int64_t> motion_days;
};

struct StreamRecorderStats {
  uint64_t frames = 0;
  uint64_t gops_queued = 0;
  uint64_t gops_written = 0;
  uint64_t gops_dropped_slow = 0;     // storage too slow: dropped before writing
  uint64_t gops_lost_write_error = 0; // a write failed; the segment was abandoned
  uint64_t bytes_written = 0;
  uint64_t segments_started = 0;
  uint64_t frames_before_keyframe = 0;
  uint64_t gaps = 0;
  uint64_t pending_bytes = 0;
};

class StreamRecorder {
 public:
  StreamRecorder(std::string camera, std::string stream, int64_t stream_id, Retention retention,
                 uint64_t max_pending_bytes, DirWriter* writer, IndexWriter* index_writer,
                 const Clock* clock);

  void OnFrame(media::FramePtr frame);
  // The stream stopped (camera gone, reconnecting, shutdown): what is buffered is written and
  // the segment closed; the next frame starts a new one.
  void EndOfStream();
  StreamRecorderStats stats() const;

  const std::string& camera() const { return camera_; }
  const std::string& stream() const { return stream_; }
  int64_t stream_id() const { return stream_id_; }
  const Retention& retention() const { return retention_; }

 private:
  friend class DirWriter;  // updates the writer-side counters and the last seq
  friend class Store;      // sets the last seq before the writer starts
  void Queue(Gop gop) SL_REQUIRES(mu_);

  const std::string camera_;
  const std::string stream_;
  const int64_t stream_id_;
  const Retention retention_;
  const uint64_t max_pending_bytes_;
  DirWriter* const writer_;
  IndexWriter* const index_writer_;
  const Clock* const clock_;

  mutable Mutex mu_;  // guards the assembler and the calls into the writer, in frame order
  GopAssembler assembler_ SL_GUARDED_BY(mu_);
  MonoTime last_slow_event_ SL_GUARDED_BY(mu_) {};
  bool ended_ SL_GUARDED_BY(mu_) = true;  // no frame since the last EndOfStream

  std::atomic<uint64_t> pending_bytes_{0};
  std::atomic<uint64_t> gops_queued_{0}, gops_dropped_slow_{0};
  std::atomic<uint64_t> gops_written_{0}, gops_lost_write_error_{0}, bytes_written_{0},
      segments_started_{0};
  int64_t last_seq_ = 0;  // writer thread only; set by the Store before the writer starts
};

}  // namespace sightline::store
