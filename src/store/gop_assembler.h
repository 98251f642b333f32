#pragma once
// GopAssembler: turns a stream's frames, as ingest delivers them, into GOPs ready to be
// written as fragments: each frame with its duration, and the points where the recording must
// break (a gap: the first frame of a session, a frame after loss, a timestamp that goes back
// or jumps ahead, new parameter sets). Pure logic, no I/O; one per stream, one thread.
//
// A frame's duration is the distance to the next frame's pts, so a GOP is finished only when
// the next keyframe arrives. A gap finishes the GOP at once; its last frame then takes the
// previous frame's duration (the camera's frame interval), since nothing follows it.

#include <cstdint>
#include <optional>
#include <vector>

#include "media/frame.h"

namespace sightline::store {

struct Gop {
  std::vector<media::FramePtr> frames;  // frames[0] is a keyframe
  std::vector<uint32_t> durations_90k;  // one per frame
  bool after_gap = false;    // something was missed before frames[0]: start a new segment
  uint64_t bytes = 0;        // sum of frame sizes
  int64_t duration_90k() const;
};

struct GopAssemblerStats {
  uint64_t frames = 0;
  uint64_t frames_before_keyframe = 0;  // discarded: a recording starts at a keyframe
  uint64_t gaps = 0;
};

class GopAssembler {
 public:
  // Timestamps that jump ahead by more than this are a gap (a camera that paused, or a
  // broken clock), not a ten-second frame.
  static constexpr int64_t kMaxFrameInterval90k = 10 * 90000;

  // Adds a frame; returns the GOP it finished, if any.
  std::optional<Gop> Add(media::FramePtr frame);
  // The stream ended (stop, reconnect): returns the GOP in progress, if any.
  std::optional<Gop> Finish();
  const GopAssemblerStats& stats() const { return stats_; }

 private:
  std::optional<Gop> Close(std::optional<int64_t> next_pts);
  bool IsGap(const media::Frame& f) const;

  Gop current_;
  bool next_after_gap_ = true;
  GopAssemblerStats stats_;
};

}  // namespace sightline::store
