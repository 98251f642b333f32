#pragma once
// PtzControl: the API's seam to the pan/tilt/zoom heads of the cameras (docs/ref/api.md
// "PTZ"). The app implements it over ONVIF (src/app/ptz_control.h); the API checks who may
// move what, validates, rate-limits and audits, and only then calls it. Manual control and
// presets only: nothing here follows a person (docs/design/onvif.md, non-goals).
//
// Threads: all methods are thread-safe and return within a bounded time (a few seconds) even
// when the camera does not answer: Unavailable then.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sightline::api {

struct PtzPresetInfo {
  std::string token;
  std::string name;
};

// What GET /api/cameras/{camera}/ptz shows. Positions are in ONVIF's generic spaces: pan and
// tilt in [-1, 1], zoom in [0, 1]; a part the camera did not report is absent.
struct PtzInfo {
  std::optional<double> pan;
  std::optional<double> tilt;
  std::optional<double> zoom;
  std::string move_status;  // "idle", "moving", "unknown"
  std::vector<PtzPresetInfo> presets;
  int max_presets = 0;  // 0: the camera did not say
  bool home_supported = false;
};

// A continuous move: velocities in [-1, 1] (checked by the API), stopping by itself after
// timeout_ms (at most kMaxPtzMoveTimeoutMs) if no stop comes.
struct PtzMove {
  double pan = 0;
  double tilt = 0;
  double zoom = 0;
  int64_t timeout_ms = 0;
};

inline constexpr int64_t kMaxPtzMoveTimeoutMs = 10'000;

class PtzControl {
 public:
  virtual ~PtzControl() = default;
  // Errors: NotFound for a camera the control does not know, FailedPrecondition for a camera
  // without PTZ (not an onvif: camera, or no PTZ service), Unavailable when the camera did not
  // answer in time or is busy with earlier commands, InvalidArgument or NotFound from a
  // refusing camera (an unknown preset).
  virtual Result<PtzInfo> Info(std::string_view camera) = 0;
  virtual Status Move(std::string_view camera, const PtzMove& move) = 0;
  virtual Status Stop(std::string_view camera) = 0;
  virtual Status GotoPreset(std::string_view camera, const std::string& token) = 0;
  // A new preset at the current position; returns its token.
  virtual Result<std::string> SetPreset(std::string_view camera, const std::string& name) = 0;
  virtual Status RemovePreset(std::string_view camera, const std::string& token) = 0;
};

}  // namespace sightline::api
