#pragma once
// PtzState: the simulated pan/tilt/zoom head of one camsim camera (ONVIF PTZ service, ver20).
// Positions are in the generic spaces (ONVIF PTZ spec 5.7): pan and tilt in [-1, 1], zoom in
// [0, 1]. ContinuousMove sets velocities (units per second) that move the head until Stop or
// the move's timeout, clamped at the ends of the ranges; AbsoluteMove, RelativeMove and
// GotoPreset arrive at once. Presets live in memory. Time is passed in (pure, testable).
// Not thread-safe: the ONVIF server uses it on its io thread only.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace sightline::camsim {

struct PtzVector {
  double pan = 0;
  double tilt = 0;
  double zoom = 0;
};

struct PtzPreset {
  std::string token;
  std::string name;
  PtzVector position;
};

class PtzState {
 public:
  // The head's position at `now` (moves continue between calls).
  PtzVector Position(MonoTime now) const;
  bool PanTiltMoving(MonoTime now) const;
  bool ZoomMoving(MonoTime now) const;

  // Velocities in units per second, each clamped to [-1, 1]; `timeout`: the move stops by
  // itself after it (ONVIF's Timeout, default the configuration's DefaultPTZTimeout).
  void ContinuousMove(const PtzVector& velocity, bool pan_tilt, bool zoom,
                      std::chrono::milliseconds timeout, MonoTime now);
  void Stop(bool pan_tilt, bool zoom, MonoTime now);
  // Moves there at once (clamped to the ranges); `pan_tilt`/`zoom` say which parts were given.
  void MoveTo(const PtzVector& target, bool pan_tilt, bool zoom, MonoTime now);
  void MoveBy(const PtzVector& delta, bool pan_tilt, bool zoom, MonoTime now);

  const std::vector<PtzPreset>& presets() const { return presets_; }
  // Stores the current position as preset `name`; replaces preset `token` when given (it must
  // exist). Returns the preset's token. At most kMaxPresets.
  Result<std::string> SetPreset(const std::string& name, const std::string& token, MonoTime now);
  Status GotoPreset(const std::string& token, MonoTime now);
  Status RemovePreset(const std::string& token);
  void SetHome(MonoTime now) { home_ = Position(now); }
  void GotoHome(MonoTime now) { MoveTo(home_, true, true, now); }

  static constexpr size_t kMaxPresets = 100;

 private:
  // Folds the motion up to `now` into position_ and ends moves whose time is up.
  void Settle(MonoTime now);

  PtzVector position_;   // as of since_
  PtzVector velocity_;   // per second, from since_ until until_
  MonoTime since_{};
  MonoTime until_{};
  PtzVector home_;
  std::vector<PtzPreset> presets_;
  uint64_t next_preset_ = 1;
};

}  // namespace sightline::camsim
