#pragma once
// Clock: the seam through which code reads time, so tests can run hours of camera time in
// milliseconds. Monotonic time for timeouts and rates; wall time (UTC) for what a frame is
// stamped with. Implementations are thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace sightline {

using MonoTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

// Unix time in microseconds, the unit the recording index and MP4 `prft` boxes use.
inline int64_t UnixMicros(WallTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

class Clock {
 public:
  virtual ~Clock() = default;
  virtual MonoTime Now() const = 0;
  virtual WallTime WallNow() const = 0;
};

// The process's real clocks. Stateless; one instance can be shared by everything.
class RealClock final : public Clock {
 public:
  MonoTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
};

// Wall time that never steps: the machine's wall clock read once, at construction, moved by
// the monotonic clock after that. Tests that compare wall times stamped by two parties
// (camsim's sender reports, an RTSP client's stamps) give both this clock, so that an NTP step
// or slew of the machine's clock during the test (CI machines synchronise right after they
// boot) cannot pass for an error of the code under test.
class SteadyWallClock final : public Clock {
 public:
  MonoTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override {
    return wall0_ + std::chrono::duration_cast<WallTime::duration>(Now() - mono0_);
  }

 private:
  const WallTime wall0_ = std::chrono::system_clock::now();
  const MonoTime mono0_ = std::chrono::steady_clock::now();
};

// A clock that only moves when told to. Wall time moves with monotonic time unless stepped
// separately (as NTP might step a real wall clock).
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(WallTime wall_start = WallTime(std::chrono::seconds(1'700'000'000)))
      : wall_offset_ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(
                            wall_start.time_since_epoch())
                            .count()) {}

  MonoTime Now() const override {
    return MonoTime(std::chrono::nanoseconds(mono_ns_.load()));
  }
  WallTime WallNow() const override {
    return WallTime(std::chrono::duration_cast<WallTime::duration>(
        std::chrono::nanoseconds(mono_ns_.load() + wall_offset_ns_.load())));
  }
  void Advance(std::chrono::nanoseconds d) { mono_ns_ += d.count(); }
  // Steps wall time only (an NTP correction); monotonic time is unaffected.
  void StepWall(std::chrono::nanoseconds d) { wall_offset_ns_ += d.count(); }

 private:
  std::atomic<int64_t> mono_ns_{0};
  std::atomic<int64_t> wall_offset_ns_;
};

}  // namespace sightline
