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
    // Without sender reports, re-anchor to arrival time when the pts-derived time has drifted
    // this far from it (camera clock drift, a timestamp jump).
    std::chrono::milliseconds max_arrival_drift{std::chrono::milliseconds(1000)};
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

 private:
  struct Anchor {
    media::Time90k pts;
    WallTime wall;
  };
  Options options_;
  std::optional<Anchor> sr_anchor_;
  std::optional<Anchor> arrival_anchor_;
  uint64_t reanchors_ = 0;
  uint64_t rejected_srs_ = 0;
};

// Converts a 32.32 NTP timestamp (seconds since 1900) to wall time, and back.
WallTime NtpToWallTime(uint64_t ntp_timestamp);
uint64_t WallTimeToNtp(WallTime t);

}  // namespace sightline::rtsp
