#include "tools/camsim/onvif_ptz.h"

#include <algorithm>
#include <chrono>

namespace sightline::camsim {
namespace {

double Clamp(double v, double lo, double hi) { return std::min(hi, std::max(lo, v)); }

PtzVector ClampPosition(PtzVector p) {
  return {Clamp(p.pan, -1, 1), Clamp(p.tilt, -1, 1), Clamp(p.zoom, 0, 1)};
}

PtzVector Advance(const PtzVector& from, const PtzVector& velocity, double seconds) {
  return ClampPosition({from.pan + velocity.pan * seconds, from.tilt + velocity.tilt * seconds,
                        from.zoom + velocity.zoom * seconds});
}

}  // namespace

PtzVector PtzState::Position(MonoTime now) const {
  const MonoTime end = std::min(now, until_);
  if (end <= since_) return position_;
  return Advance(position_, velocity_, std::chrono::duration<double>(end - since_).count());
}

bool PtzState::PanTiltMoving(MonoTime now) const {
  return now < until_ && (velocity_.pan != 0 || velocity_.tilt != 0);
}

bool PtzState::ZoomMoving(MonoTime now) const { return now < until_ && velocity_.zoom != 0; }

void PtzState::Settle(MonoTime now) {
  position_ = Position(now);
  since_ = now;
  if (now >= until_) velocity_ = {};
}

void PtzState::ContinuousMove(const PtzVector& velocity, bool pan_tilt, bool zoom,
                              std::chrono::milliseconds timeout, MonoTime now) {
  Settle(now);
  // A part not given keeps moving as it did (ONVIF PTZ 5.3.4 leaves it to the device), but
  // under the new move's timeout.
  if (pan_tilt) {
    velocity_.pan = Clamp(velocity.pan, -1, 1);
    velocity_.tilt = Clamp(velocity.tilt, -1, 1);
  }
  if (zoom) velocity_.zoom = Clamp(velocity.zoom, -1, 1);
  until_ = now + timeout;
}

void PtzState::Stop(bool pan_tilt, bool zoom, MonoTime now) {
  Settle(now);
  if (pan_tilt) velocity_.pan = velocity_.tilt = 0;
  if (zoom) velocity_.zoom = 0;
}

void PtzState::MoveTo(const PtzVector& target, bool pan_tilt, bool zoom, MonoTime now) {
  Settle(now);
  PtzVector p = position_;
  if (pan_tilt) {
    p.pan = target.pan;
    p.tilt = target.tilt;
    velocity_.pan = velocity_.tilt = 0;
  }
  if (zoom) {
    p.zoom = target.zoom;
    velocity_.zoom = 0;
  }
  position_ = ClampPosition(p);
}

void PtzState::MoveBy(const PtzVector& delta, bool pan_tilt, bool zoom, MonoTime now) {
  Settle(now);
  MoveTo({position_.pan + delta.pan, position_.tilt + delta.tilt, position_.zoom + delta.zoom},
         pan_tilt, zoom, now);
}

Result<std::string> PtzState::SetPreset(const std::string& name, const std::string& token,
                                        MonoTime now) {
  const PtzVector here = Position(now);
  if (!token.empty()) {
    for (PtzPreset& p : presets_) {
      if (p.token == token) {
        if (!name.empty()) p.name = name;
        p.position = here;
        return p.token;
      }
    }
    return NotFoundError("no preset '" + token + "'");
  }
  if (presets_.size() >= kMaxPresets) {
    return ResourceExhaustedError("all " + std::to_string(kMaxPresets) + " presets are in use");
  }
  PtzPreset p;
  p.token = "preset" + std::to_string(next_preset_++);
  p.name = name.empty() ? p.token : name;
  p.position = here;
  presets_.push_back(p);
  return p.token;
}

Status PtzState::GotoPreset(const std::string& token, MonoTime now) {
  for (const PtzPreset& p : presets_) {
    if (p.token == token) {
      MoveTo(p.position, true, true, now);
      return Status::Ok();
    }
  }
  return NotFoundError("no preset '" + token + "'");
}

Status PtzState::RemovePreset(const std::string& token) {
  auto it = std::find_if(presets_.begin(), presets_.end(),
                         [&](const PtzPreset& p) { return p.token == token; });
  if (it == presets_.end()) return NotFoundError("no preset '" + token + "'");
  presets_.erase(it);
  return Status::Ok();
}

}  // namespace sightline::camsim
