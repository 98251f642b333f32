#pragma once
// MotionSink: where the analysis of one stream leaves its results for the index: the motion
// grid of every analysed frame, kept in chunks of about a minute (motion_grid_chunk.h), and
// the stream's motion events with their thumbnails. Nothing here waits for the disk or for
// SQLite: results go to the IndexWriter, which commits them with its next group commit
// (docs/design/storage.md, "Motion").
//
// Threads: every method may be called from any thread; a mutex, uncontended in practice (one
// analysis thread per stream), orders them. Owned by the Store and valid until the Store is
// destroyed; after Close (or Store::Close) calls are ignored.

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/mutex.h"
#include "store/motion_grid_chunk.h"

namespace sightline::store {

class IndexWriter;

// The state of the stream's current motion event as the analysis sees it.
struct MotionEventUpdate {
  int64_t start_us = 0;  // first motion - pre_capture
  int64_t end_us = 0;    // last motion + post_capture; stored only once `ended`
  bool ended = false;
  std::vector<std::string> zones;  // zones entered so far (names without commas)
  double peak_fraction = 0;
  int64_t peak_us = 0;
  Bytes thumbnail_jpeg;  // empty: keep the one sent before
};

struct MotionSinkStats {
  uint64_t frames = 0;
  uint64_t frames_with_motion = 0;
  uint64_t chunks_submitted = 0;
  uint64_t events_started = 0;
  uint64_t events_ended = 0;
};

class MotionSink {
 public:
  // `source`: MotionEventRow::source of its events ("" for the motion analysis).
  MotionSink(std::string camera, std::string stream, IndexWriter* writer, std::string source = "");

  // One analysed frame at wall-clock `time_us`, in time order: its grid (kMotionGridBytes;
  // other sizes are ignored) and whether the detector found motion. Only the grids of frames
  // with motion are stored; the others are counted.
  void OnGrid(int64_t time_us, ByteSpan grid, bool motion);
  // The first call while no event is open starts one (it is inserted with the next commit);
  // further calls update it; the call with `ended` closes it. Returns the event's id (what
  // GET /api/events/{id} serves once committed); 0 after Close.
  int64_t OnEvent(const MotionEventUpdate& update);
  // Submits the chunk in progress. An event still open stays open: the analysis ends it first
  // (a crash leaves it to CloseOpenMotionEvents at the next start).
  void Close();
  MotionSinkStats stats() const;

  const std::string& camera() const { return camera_; }
  const std::string& stream() const { return stream_; }

 private:
  void SubmitChunk(MotionGridChunk chunk) SL_REQUIRES(mu_);

  const std::string camera_;
  const std::string stream_;
  IndexWriter* const writer_;
  const std::string source_;

  mutable Mutex mu_;
  MotionChunkBuilder builder_ SL_GUARDED_BY(mu_);
  int64_t open_event_id_ SL_GUARDED_BY(mu_) = 0;  // 0: no event open
  bool closed_ SL_GUARDED_BY(mu_) = false;
  MotionSinkStats stats_ SL_GUARDED_BY(mu_);
};

}  // namespace sightline::store
