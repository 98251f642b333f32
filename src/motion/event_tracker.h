#pragma once
// EventTracker: turns per-frame detector results into motion events with pre- and post-capture,
// a minimum duration and a merge gap. A pure state machine driven by the frames' wall-clock
// times: no clocks, no threads; one per analysed stream, not thread-safe.
//
// Life of an event:
//   - A frame with motion opens a candidate. The candidate becomes an event ("start") once
//     motion has lasted min_duration (from its first to its latest motion frame) over at least
//     min_frames motion frames. A pause in motion longer than min_duration before that drops the
//     candidate silently (a blip is not an event), and so does a global-change frame (motion
//     just before one is usually its beginning: an IR switch or exposure step over 2 frames).
//   - Motion resuming within merge_gap of the last motion continues the event.
//   - The event ends ("end") at the first frame more than merge_gap after its last motion, or
//     at Flush. Its interval is [first motion - pre_capture, last motion + post_capture].
// With merge_gap >= pre_capture + post_capture (the default) two events never overlap.

#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "motion/detector.h"

namespace sightline::motion {

// Plain settings with the defaults users get (filled from the `motion:` config section).
struct EventOptions {
  int64_t pre_capture_us = 5'000'000;   // recording kept before the first motion
  int64_t post_capture_us = 5'000'000;  // and after the last
  int64_t min_duration_us = 1'000'000;  // motion shorter than this is no event
  int64_t merge_gap_us = 10'000'000;    // motion resuming within this continues the event
  int min_frames = 3;                   // an event needs at least this many motion frames
};

// OK when the durations are >= 0 and min_frames >= 1; the error names the field.
Status ValidateEventOptions(const EventOptions& options);

struct Event {
  int64_t start_us = 0;         // first motion - pre_capture
  int64_t end_us = 0;           // last motion + post_capture (so far, until the event ends)
  std::set<std::string> zones;  // every zone that reported motion during the event
  double peak_fraction = 0;     // the largest FrameResult::fraction of the event
  int64_t peak_time_us = 0;     // the frame it came from: the thumbnail's moment
};

struct EventUpdate {
  enum class Kind {
    // A new peak: this frame has the most motion so far of the open event or of the
    // candidate before it. Keep its picture if you want the thumbnail; the last kPeak before
    // kEnd is the event's peak_time_us.
    kPeak,
    kStart,  // the event is confirmed; end_us is provisional
    kEnd,    // the event is over; every field is final
  };
  Kind kind;
  Event event;
};

class EventTracker {
 public:
  explicit EventTracker(EventOptions options = {});

  // Feeds one analysed frame at wall-clock `time_us` (non-decreasing; earlier times are
  // treated as equal to the latest). Returns what happened, in order: an end of the previous
  // event (when this frame comes more than merge_gap after its last motion), then kPeak,
  // then kStart.
  std::vector<EventUpdate> Feed(int64_t time_us, const FrameResult& frame);

  // The stream ends (or stops being analysed) at `time_us`: ends the open event, its end_us
  // clamped to `time_us` (no post-capture recorded beyond it), and drops a candidate.
  std::vector<EventUpdate> Flush(int64_t time_us);

  bool in_event() const { return state_ == State::kEvent; }

 private:
  enum class State { kIdle, kCandidate, kEvent };
  void Open(int64_t time_us);

  EventOptions options_;
  State state_ = State::kIdle;
  Event event_;
  int64_t first_motion_us_ = 0;
  int64_t last_motion_us_ = 0;
  int64_t latest_time_us_ = std::numeric_limits<int64_t>::min();
  int motion_frames_ = 0;
};

}  // namespace sightline::motion
