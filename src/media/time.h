#pragma once
// Media time on the 90 kHz timeline that RTP uses for video (RFC 3551 section 5). A strong type
// so that ticks are never mixed up with milliseconds. Used both for instants (a frame's pts) and
// for durations, as RTP and MP4 do. See docs/design/time.md.

#include <compare>
#include <cstdint>

namespace sightline::media {

class Time90k {
 public:
  static constexpr int64_t kHz = 90000;

  constexpr Time90k() = default;
  constexpr explicit Time90k(int64_t ticks) : ticks_(ticks) {}
  static constexpr Time90k FromMillis(int64_t ms) { return Time90k(ms * 90); }
  static constexpr Time90k FromSeconds(double s) { return Time90k(static_cast<int64_t>(s * kHz)); }

  constexpr int64_t ticks() const { return ticks_; }
  constexpr double seconds() const { return static_cast<double>(ticks_) / kHz; }
  constexpr int64_t millis() const { return ticks_ / 90; }

  constexpr Time90k operator+(Time90k o) const { return Time90k(ticks_ + o.ticks_); }
  constexpr Time90k operator-(Time90k o) const { return Time90k(ticks_ - o.ticks_); }
  constexpr Time90k& operator+=(Time90k o) { ticks_ += o.ticks_; return *this; }
  constexpr Time90k& operator-=(Time90k o) { ticks_ -= o.ticks_; return *this; }
  constexpr auto operator<=>(const Time90k&) const = default;

 private:
  int64_t ticks_ = 0;
};

}  // namespace sightline::media
