#pragma once
// StreamAnalyzer: motion analysis of one camera stream (the one with role `detect`) on its own
// thread: decode (decode::Decoder), motion::Detector on frames at most max_fps apart,
// motion::EventTracker, results and events to a Sink.
//
// Ingest calls OnFrame from its network threads, which must never wait for decoding: frames
// go into a bounded queue, and when the queue is full the analyser skips the rest of the GOP
// (everything up to the next keyframe, which decodes on its own) and counts it in
// gops_skipped. Recording is unaffected: it gets the same frames through its own path.
// Offline mode (files, `sightline analyze`) makes OnFrame wait for room instead, so that no
// frame is skipped and results are reproducible.
//
// Thread contract: OnFrame and stats() from any thread; Finish, Stop and the destructor from
// one owning thread, not from a Sink callback. Sink callbacks run on the analyser's thread.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/mutex.h"
#include "base/result.h"
#include "media/frame.h"
#include "motion/detector.h"
#include "motion/event_tracker.h"

namespace sightline::analysis {

struct AnalyzerOptions {
  // detector.analysis_width is the width of the grey plane analysed (decode::ToGrey).
  motion::DetectorOptions detector;
  motion::EventOptions events;
  // Run the detector on frames at least 1/max_fps apart (every frame is decoded: P-frames
  // need their predecessors). 0 analyses every frame.
  double max_fps = 5;
  // Decode and analyse keyframes only (about one frame per GOP), for weak machines.
  bool keyframes_only = false;
  // Queue bounds between ingest and the analyser; whichever is reached first. A 360p
  // substream GOP is ~100 KB, a 1080p one ~1 MB: the defaults hold a few seconds of either.
  size_t max_queue_bytes = size_t{4} << 20;
  size_t max_queue_frames = 100;
  // Event thumbnails: JPEG at most this wide, of the frame with the most motion.
  int thumbnail_width = 320;
  int thumbnail_quality = 75;
  // OnFrame waits while the queue is full instead of skipping GOPs (files, not cameras).
  bool offline = false;
  // Names the stream in logs and errors, e.g. "camera=front stream=sub".
  std::string name;
};

// OK when the detector and event options are valid and the rest in range; the error names
// the field.
Status ValidateAnalyzerOptions(const AnalyzerOptions& options);

// The frame an analysis result belongs to.
struct FrameInfo {
  int64_t frame_index = 0;  // position among the frames given to OnFrame, from 0
  media::Time90k pts;
  WallTime wall_time;
  bool keyframe = false;
  int width = 0;  // decoded picture size
  int height = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Every analysed frame, in pts order.
  virtual void OnResult(const FrameInfo& frame, const motion::FrameResult& result) = 0;
  // kStart and kEnd of each event (kPeak stays inside the analyser). `thumbnail_jpeg` shows
  // the moment of most motion so far: given at kStart, and at kEnd only when a bigger peak
  // came after kStart (empty otherwise: the start's thumbnail stands). Empty too if encoding
  // failed (logged).
  virtual void OnEvent(const motion::EventUpdate& update, Bytes thumbnail_jpeg) = 0;
};

struct AnalyzerStats {
  uint64_t frames_in = 0;        // given to OnFrame
  uint64_t frames_dropped = 0;   // not queued: skipped GOPs, or after Stop
  uint64_t gops_skipped = 0;     // times the queue was full and the rest of a GOP was dropped
  uint64_t frames_decoded = 0;   // pictures out of the decoder
  uint64_t frames_analysed = 0;  // pictures given to the detector
  uint64_t decode_errors = 0;    // each one skips to the next keyframe
  size_t queue_frames = 0;
  size_t queue_bytes = 0;
  int64_t last_analysed_pts_90k = 0;
  WallTime last_analysed_time{};  // wall time of the last analysed frame; epoch before any
};

class StreamAnalyzer {
  struct Key {
    explicit Key() = default;
  };

 public:
  // Validates the options and starts the analyser's thread. `sink` must outlive the analyser.
  static Result<std::unique_ptr<StreamAnalyzer>> Start(AnalyzerOptions options, Sink* sink);

  StreamAnalyzer(Key, AnalyzerOptions options, Sink* sink);
  ~StreamAnalyzer();  // Stop()
  StreamAnalyzer(const StreamAnalyzer&) = delete;
  StreamAnalyzer& operator=(const StreamAnalyzer&) = delete;

  // Hands over one frame. Never waits for the analyser (only for a short mutex), except in
  // offline mode where it waits while the queue is full. Ignored after Finish or Stop.
  void OnFrame(media::FramePtr frame);

  // Analyses the frames still queued, ends the open event and joins the thread.
  void Finish();
  // Drops the frames still queued, ends the open event and joins the thread. Idempotent.
  void Stop();

  AnalyzerStats stats() const;

 private:
  class Worker;
  struct Queued {
    media::FramePtr frame;
    int64_t index;
  };
  void Shutdown(bool drain);
  void Run();
  // Whether a frame of `incoming_bytes` would overflow the queue (one frame always fits).
  bool QueueFull(size_t incoming_bytes) const SL_REQUIRES(mu_);

  const AnalyzerOptions options_;
  Sink* const sink_;

  mutable Mutex mu_;
  CondVar queue_cv_;  // frames were queued, or stopping
  CondVar space_cv_;  // frames were taken (offline OnFrame waits)
  std::deque<Queued> queue_ SL_GUARDED_BY(mu_);
  bool stopping_ SL_GUARDED_BY(mu_) = false;
  bool drain_ SL_GUARDED_BY(mu_) = false;
  bool skipping_gop_ SL_GUARDED_BY(mu_) = false;  // dropping until the next keyframe
  AnalyzerStats stats_ SL_GUARDED_BY(mu_);

  std::unique_ptr<Worker> worker_;
  std::thread thread_;
};

}  // namespace sightline::analysis
