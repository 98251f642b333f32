#pragma once
// Camera: one simulated camera as the server holds it: its spec, the shared clips it plays
// and its counters. Built by Server::Start and immutable afterwards except for the counters.

#include <memory>

#include "base/clock.h"
#include "media/time.h"
#include "tools/camsim/camera_spec.h"
#include "tools/camsim/clip.h"
#include "tools/camsim/stats.h"

namespace sightline::camsim {

// When a session's frames are sent: its first frame, the keyframe of clip time `clip_dts`, at
// `start`; a frame d ticks of dts later (across loops too) at start + d / (90 kHz * speed).
// Sender reports carry this clock (plus the camera's clock_offset).
struct SessionClock {
  WallTime start;
  media::Time90k clip_dts;
};

struct Camera {
  CameraSpec spec;
  std::shared_ptr<const Clip> clip;
  std::shared_ptr<const Clip> alt;  // spschange only
  // Where in the clip this camera was when the server started, so that cameras sharing a
  // file do not show (and send keyframes at) the same moment.
  media::Time90k phase;
  CameraCounters counters;
};

}  // namespace sightline::camsim
