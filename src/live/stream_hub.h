#pragma once
// StreamHub: live fan-out of one camera stream to its viewers (README.md). Thread-safe: OnFrame
// from the camera's network strand, the rest from any thread; nothing blocks on a viewer.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"
#include "live/viewer.h"
#include "media/frame.h"

namespace sightline::live {

struct StreamHubOptions {
  // The current GOP is kept for new viewers up to this size; beyond it a new viewer waits for
  // the next keyframe instead (a camera with a very long GOP costs no unbounded memory). The
  // frames are shared with the recorder, so this is mostly memory kept alive a little longer.
  size_t max_gop_bytes = 16 << 20;
};

struct StreamHubStats {
  uint64_t frames = 0;            // frames received with known parameters
  uint64_t fragments_sent = 0;    // summed over viewers
  uint64_t frames_skipped = 0;    // summed over viewers: not sent because a queue was full
  size_t viewers = 0;
  int64_t max_send_delay_us = 0;  // frame arrival to the last viewer's Send, worst seen
};

class StreamHub {
 public:
  explicit StreamHub(const Clock& clock, StreamHubOptions options = {});
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  void OnFrame(const media::FramePtr& frame);
  // The viewer receives the init messages and the current GOP at once (when there is one),
  // then every new frame. Returns an id for Unsubscribe.
  uint64_t Subscribe(std::shared_ptr<Viewer> viewer);
  void Unsubscribe(uint64_t id);
  // Camera connection state; viewers get a status message on each change.
  void SetOnline(bool online);

  StreamHubStats stats() const;
  std::shared_ptr<const media::StreamParams> params() const;
  // The latest keyframe (for a snapshot), or null before the first.
  media::FramePtr latest_keyframe() const;

 private:
  struct ViewerState {
    std::shared_ptr<Viewer> viewer;
    bool needs_init = true;  // init messages not (completely) sent for the current params
    bool waiting = true;     // sends nothing until a keyframe
    uint64_t skipped = 0;    // frames skipped since the viewer's queue was last full
  };
  using Message = std::shared_ptr<const std::string>;

  // A frame of the current GOP with its place on the hub's timeline. Fragments are built from
  // it only when someone watches: a stream nobody views costs a shared_ptr per frame.
  struct GopFrame {
    media::FramePtr frame;
    uint32_t sequence;
    int64_t decode_90k;
    uint32_t duration_90k;
  };

  void SetParams(const std::shared_ptr<const media::StreamParams>& params) SL_REQUIRES(mu_);
  int64_t NextDecodeTime(int64_t pts_90k) SL_REQUIRES(mu_);
  static Message Fragment(const GopFrame& f);
  // Sends the init messages if needed, then `fragment`; false if the viewer's queue is full.
  bool Resume(ViewerState& v, const Message& fragment) SL_REQUIRES(mu_);

  const Clock& clock_;
  const StreamHubOptions options_;
  mutable Mutex mu_;
  std::shared_ptr<const media::StreamParams> params_ SL_GUARDED_BY(mu_);
  Message init_text_ SL_GUARDED_BY(mu_);
  Message init_segment_ SL_GUARDED_BY(mu_);
  std::vector<GopFrame> gop_ SL_GUARDED_BY(mu_);  // frames since the last keyframe
  size_t gop_bytes_ SL_GUARDED_BY(mu_) = 0;
  bool gop_complete_ SL_GUARDED_BY(mu_) = false;  // gop_ starts at a keyframe and was never truncated
  bool online_ SL_GUARDED_BY(mu_) = true;
  // The hub's own decode timeline (tfdt): continuous across camera reconnects.
  bool have_last_ SL_GUARDED_BY(mu_) = false;
  int64_t last_pts_90k_ SL_GUARDED_BY(mu_) = 0;
  int64_t last_decode_90k_ SL_GUARDED_BY(mu_) = 0;
  uint32_t last_duration_90k_ SL_GUARDED_BY(mu_) = 9000;
  uint32_t sequence_ SL_GUARDED_BY(mu_) = 1;
  uint64_t next_id_ SL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, ViewerState> viewers_ SL_GUARDED_BY(mu_);
  StreamHubStats stats_ SL_GUARDED_BY(mu_);
};

}  // namespace sightline::live
