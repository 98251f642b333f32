#pragma once
// Time for received streams: 32-bit RTP timestamps unwrapped into a 64-bit 90 kHz timeline,
// and the mapping from that timeline to wall-clock time (RTCP sender reports when present and
// plausible, arrival time otherwise). The policy, including drift, is docs/design/time.md.
// Pure: callers pass in the arrival times. Not thread-safe; one per stream.

#include <cstdint>
#include <optional>

#include "base/clock.h"
#include "media/time.h"

namespace sightline::rtsp {

// Unwraps a sequence of 32-bit RTP timestamps: each is placed at the 64-bit value nearest to
// the previous one (so a wrap forward, or a small step back, is handled). The first timestamp
// maps to itself.
class TimestampUnwrapper {
 public:
  media::Time90k Unwrap(uint32_t rtp_timestamp);
  void Reset() { last_.reset(); }

 private:
  std::optional<int64_t> last_;
};

// Maps a frame's unwrapped pts to wall time.
class WallClockMapper {
 public:
  struct Options {
    // A sender report whose NTP time differs from our wall clock by more than this is ignored
    // (the camera's clock is wrong: never set, wrong time zone, 1970).
    std::chrono::milliseconds max_sr_offset{std::chrono::seconds(10)};
    // Without sender reports: a frame arriving this much later than its pts-derived time, or
    // earlier by more than this, means the timestamps jumped (or the network stalled): the
    // mapper re-anchors to its arrival. Smaller differences are jitter or corrections.
    std::chrono::milliseconds max_arrival_drift{std::chrono::milliseconds(1000)};
    // Without sender reports: when every frame of this much pts arrived later than predicted,
    // the anchor moves later by the smallest lateness seen (a camera clock slower than ours).
    std::chrono::milliseconds drift_window{std::chrono::seconds(10)};
  };
  WallClockMapper() : WallClockMapper(Options{}) {}
  explicit WallClockMapper(Options options) : options_(options) {}

  // An RTCP SR: `rtp_time` is the SR's RTP timestamp unwrapped on the stream's timeline,
  // `local_wall` our wall clock when it arrived.
  void OnSenderReport(uint64_t ntp_timestamp, media::Time90k rtp_time, WallTime local_wall);
  // The wall time of a frame with this pts that arrived at `arrival_wall`.
  WallTime WallTimeFor(media::Time90k pts, WallTime arrival_wall);

  bool using_sender_reports() const { return sr_anchor_.has_value(); }
  uint64_t reanchors() const { return reanchors_; }
  uint64_t rejected_sender_reports() const { return rejected_srs_; }
  // Arrival anchoring: times the anchor moved earlier (a frame came sooner than predicted) and
  // later (a whole drift window came late).
  uint64_t earlier_corrections() const { return earlier_corrections_; }
  uint64_t later_corrections() const { return later_corrections_; }

 private:
  struct Anchor {
    media::Time90k pts;
    WallTime wall;
  };
  // The smallest lateness (arrival minus prediction) of the frames of the current drift window.
  struct LateWindow {
    media::Time90k start;
    WallTime::duration min_late;
  };
  WallTime FromArrival(media::Time90k pts, WallTime arrival_wall);
  WallTime Reanchor(media::Time90k pts, WallTime arrival_wall);
  void TrackLateness(media::Time90k pts, WallTime::duration late);

  Options options_;
  std::optional<Anchor> sr_anchor_;
  std::optional<Anchor> arrival_anchor_;
  std::optional<LateWindow> late_window_;
  uint64_t reanchors_ = 0;
  uint64_t rejected_srs_ = 0;
  uint64_t earlier_corrections_ = 0;
  uint64_t later_corrections_ = 0;
};

// Converts a 32.32 NTP timestamp (seconds since 1900) to wall time, and back.
WallTime NtpToWallTime(uint64_t ntp_timestamp);
uint64_t WallTimeToNtp(WallTime t);

}  // namespace sightline::rtsp
