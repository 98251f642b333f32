#include "rtsp/timeline.h"

#include <algorithm>

namespace sightline::rtsp {
namespace {

using std::chrono::nanoseconds;

// Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01), RFC 868.
constexpr int64_t kNtpToUnixSeconds = 2'208'988'800;
constexpr int64_t kNanosPerSecond = 1'000'000'000;

// 90 kHz ticks to a duration. Clamped to about ±198 years so that bogus timestamps cannot
// overflow the nanosecond arithmetic (2^49 ticks * 100000/9 ns stays below 2^63 with any
// present-day wall time added).
WallTime::duration TicksToDuration(int64_t ticks) {
  constexpr int64_t kMaxTicks = int64_t{1} << 49;
  ticks = std::clamp(ticks, -kMaxTicks, kMaxTicks);
  const int64_t ns = ticks / 9 * 100'000 + ticks % 9 * 100'000 / 9;
  return std::chrono::duration_cast<WallTime::duration>(nanoseconds(ns));
}

WallTime Project(media::Time90k anchor_pts, WallTime anchor_wall, media::Time90k pts) {
  const int64_t a = anchor_pts.ticks();
  const int64_t b = pts.ticks();
  // The difference of two clamped values cannot overflow.
  constexpr int64_t kMax = int64_t{1} << 60;
  return anchor_wall + TicksToDuration(std::clamp(b, -kMax, kMax) - std::clamp(a, -kMax, kMax));
}

bool Within(WallTime a, WallTime b, std::chrono::milliseconds limit) {
  const auto d = a > b ? a - b : b - a;
  return d <= limit;
}

}  // namespace

media::Time90k TimestampUnwrapper::Unwrap(uint32_t rtp_timestamp) {
  if (!last_) {
    last_ = rtp_timestamp;
    return media::Time90k(*last_);
  }
  // The signed 32-bit difference picks the nearest 64-bit value: up to 2^31 ticks (6.6 h)
  // forward or back (RFC 3550 section 5.1: timestamps wrap and start at a random value).
  const auto delta = static_cast<int32_t>(rtp_timestamp - static_cast<uint32_t>(*last_));
  *last_ += delta;
  return media::Time90k(*last_);
}

void WallClockMapper::OnSenderReport(uint64_t ntp_timestamp, media::Time90k rtp_time,
                                     WallTime local_wall) {
  const WallTime sr_wall = NtpToWallTime(ntp_timestamp);
  if (!Within(sr_wall, local_wall, options_.max_sr_offset)) {
    // The camera's clock is wrong (never set, 1970, a time-zone offset): trusting it would
    // stamp recordings with a wrong date. Keep whatever anchor we had.
    ++rejected_srs_;
    return;
  }
  sr_anchor_ = Anchor{rtp_time, sr_wall};
}

WallTime WallClockMapper::WallTimeFor(media::Time90k pts, WallTime arrival_wall) {
  if (sr_anchor_) {
    const WallTime t = Project(sr_anchor_->pts, sr_anchor_->wall, pts);
    if (Within(t, arrival_wall, options_.max_sr_offset)) return t;
    // The RTP timestamps jumped since the last SR (an encoder restart without a new session):
    // the SR mapping no longer holds. Fall back to arrival time until a plausible SR comes.
    sr_anchor_.reset();
    arrival_anchor_.reset();
    ++reanchors_;
  }
  return FromArrival(pts, arrival_wall);
}

// Minimum-delay anchoring (docs/design/time.md): the anchor is the earliest arrival seen,
// projected along pts, so a frame's stamp is its send time plus the smallest transfer delay
// seen, not plus whatever delay the first frame happened to have.
WallTime WallClockMapper::FromArrival(media::Time90k pts, WallTime arrival_wall) {
  if (!arrival_anchor_) {
    arrival_anchor_ = Anchor{pts, arrival_wall};
    late_window_.reset();
    return arrival_wall;
  }
  const WallTime predicted = Project(arrival_anchor_->pts, arrival_anchor_->wall, pts);
  if (!Within(predicted, arrival_wall, options_.max_arrival_drift)) {
    // Far off either way: the timestamps jumped, or the network stalled for a long time.
    ++reanchors_;
    return Reanchor(pts, arrival_wall);
  }
  if (arrival_wall < predicted) {
    // Sooner than any earlier frame allowed for: the earlier ones were delayed (a late first
    // frame, queueing) or the camera's clock runs faster than ours. This frame is the better
    // anchor; the correction is bounded by max_arrival_drift above.
    ++earlier_corrections_;
    return Reanchor(pts, arrival_wall);
  }
  TrackLateness(pts, arrival_wall - predicted);
  return Project(arrival_anchor_->pts, arrival_anchor_->wall, pts);
}

WallTime WallClockMapper::Reanchor(media::Time90k pts, WallTime arrival_wall) {
  arrival_anchor_ = Anchor{pts, arrival_wall};
  late_window_.reset();
  return arrival_wall;
}

// A camera clock slower than ours makes every frame a little later than predicted, which
// earlier corrections never fix. If all frames of a drift window were late, the smallest
// lateness is the drift (jitter only adds to it): move the anchor later by that much.
void WallClockMapper::TrackLateness(media::Time90k pts, WallTime::duration late) {
  if (!late_window_) {
    late_window_ = LateWindow{pts, late};
    return;
  }
  late_window_->min_late = std::min(late_window_->min_late, late);
  const WallTime::duration span =
      TicksToDuration(pts.ticks() - late_window_->start.ticks());
  if (span < options_.drift_window) return;
  if (late_window_->min_late > WallTime::duration::zero()) {
    arrival_anchor_->wall += late_window_->min_late;
    ++later_corrections_;
  }
  late_window_.reset();
}

WallTime NtpToWallTime(uint64_t ntp_timestamp) {
  int64_t seconds = static_cast<int64_t>(ntp_timestamp >> 32);
  // RFC 4330 section 3: timestamps with the top bit clear belong to the era starting in 2036
  // (seconds 0 is 2036-02-07), which keeps 1968..2104 unambiguous.
  if ((seconds & 0x80000000) == 0) seconds += int64_t{1} << 32;
  const uint64_t fraction = ntp_timestamp & 0xffffffff;
  const int64_t ns = static_cast<int64_t>((fraction * kNanosPerSecond) >> 32);
  return WallTime(std::chrono::duration_cast<WallTime::duration>(
      std::chrono::seconds(seconds - kNtpToUnixSeconds) + nanoseconds(ns)));
}

uint64_t WallTimeToNtp(WallTime t) {
  const auto since_epoch = t.time_since_epoch();
  const auto secs = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto ns = std::chrono::duration_cast<nanoseconds>(since_epoch - secs).count();
  // Modulo 2^32: the era is implied, as NtpToWallTime assumes.
  const auto ntp_seconds = static_cast<uint32_t>(secs.count() + kNtpToUnixSeconds);
  // Round up so that converting back (which truncates) gives the same nanosecond.
  const uint64_t fraction =
      ((static_cast<uint64_t>(ns) << 32) + kNanosPerSecond - 1) / kNanosPerSecond;
  return (uint64_t{ntp_seconds} << 32) + fraction;
}

}  // namespace sightline::rtsp
