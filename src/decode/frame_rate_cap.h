#pragma once
// FrameRateCap: picks the frames of a stream to analyse so that analysed frames are at least
// 1/max_fps apart in media time. Every frame is still decoded (P-frames need their
// predecessors); only the work after decoding is capped. A plain value; not synchronised.

#include <cstdint>

#include "media/time.h"

namespace sightline::decode {

class FrameRateCap {
 public:
  // max_fps <= 0 takes every frame.
  explicit FrameRateCap(double max_fps)
      : interval_90k_(max_fps > 0 ? static_cast<int64_t>(media::Time90k::kHz / max_fps) : 0) {}

  // Whether to take the frame at `pts_90k`. Spacing is checked with 1/8 of the interval to
  // spare, so that cameras whose timestamps jitter around the nominal frame interval (capture
  // time rather than a frame counter) still get max_fps, not the next lower divisor of their
  // frame rate. A pts going backwards (a new session) starts afresh.
  bool Take(int64_t pts_90k) {
    if (taken_ && pts_90k >= last_90k_ &&
        pts_90k - last_90k_ < interval_90k_ - interval_90k_ / 8) {
      return false;
    }
    taken_ = true;
    last_90k_ = pts_90k;
    return true;
  }

  void Reset() { taken_ = false; }

 private:
  int64_t interval_90k_;
  bool taken_ = false;  // a frame was taken since the start or Reset
  int64_t last_90k_ = 0;
};

}  // namespace sightline::decode
