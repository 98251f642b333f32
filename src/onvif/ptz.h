#pragma once
// The PTZ service (tptz, http://www.onvif.org/ver20/ptz/wsdl): request builders and response
// parsers for manual control only: nodes and configurations (what the head can do), status
// (position, moving or idle), continuous moves and stop, and presets (list, go to, set,
// remove). Moves use the generic spaces (ONVIF PTZ spec 5.7: velocities in [-1, 1]), which
// every PTZ node supports, so no space URI is ever sent. Auto-tracking is not offered
// (docs/design/onvif.md, non-goals). Parsers take the bytes of a response (SOAP 1.1 or 1.2,
// any prefixes). Pure.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "onvif/soap.h"

namespace sightline::onvif {

// The longest preset name we send (cameras commonly allow 32 to 64 characters) and keep.
inline constexpr size_t kMaxPresetNameBytes = 64;
// Presets and nodes read from one response at most; firmware lists 100 to 256 presets.
inline constexpr size_t kMaxPresets = 256;
inline constexpr size_t kMaxPtzNodes = 16;

// A velocity in the generic spaces; each part is clamped to [-1, 1] when a request is built,
// and NaN counts as 0.
struct PtzVelocity {
  double pan = 0;
  double tilt = 0;
  double zoom = 0;
};

// A position as a camera reports it; a part it left out (or wrote as no number) is absent.
struct PtzPosition {
  std::optional<double> pan;
  std::optional<double> tilt;
  std::optional<double> zoom;
};

enum class PtzMoveState { kUnknown, kIdle, kMoving };
std::string_view PtzMoveStateName(PtzMoveState s);  // "unknown", "idle", "moving"

struct PtzStatus {
  PtzPosition position;
  PtzMoveState pan_tilt = PtzMoveState::kUnknown;
  PtzMoveState zoom = PtzMoveState::kUnknown;
  std::string error;  // the status' Error text, if the camera reports one
};

struct PtzPreset {
  std::string token;
  std::string name;
  PtzPosition position;  // all absent when the camera did not say
};

struct PtzNode {
  std::string token;
  std::string name;
  int max_presets = 0;  // MaximumNumberOfPresets; 0 when not given
  bool home_supported = false;
  bool continuous_pan_tilt = false;  // a ContinuousPanTiltVelocitySpace is listed
  bool continuous_zoom = false;      // a ContinuousZoomVelocitySpace is listed
};

struct PtzConfiguration {
  std::string token;
  std::string name;
  std::string node_token;
  std::optional<std::chrono::milliseconds> default_timeout;  // DefaultPTZTimeout
};

// "PT1S", "PT0.25S", "PT10S": xs:duration in seconds with up to three decimals; negative
// durations are written as PT0S.
std::string XsDuration(std::chrono::milliseconds d);
// Reads the xs:duration forms cameras send for timeouts: PT[nH][nM][n[.n]S]. InvalidArgument
// for anything else (days, years, a sign, no unit).
Result<std::chrono::milliseconds> ParseXsDuration(std::string_view text);

SoapRequest PtzGetNodesRequest();
SoapRequest PtzGetConfigurationsRequest();
SoapRequest PtzGetStatusRequest(std::string_view profile_token);
// Moves until Stop or `timeout` (the camera's DefaultPTZTimeout when absent). PanTilt and Zoom
// are both sent, a 0 included, so that a new move replaces the whole previous one.
SoapRequest ContinuousMoveRequest(std::string_view profile_token, const PtzVelocity& velocity,
                                  std::optional<std::chrono::milliseconds> timeout);
SoapRequest PtzStopRequest(std::string_view profile_token, bool pan_tilt = true, bool zoom = true);
SoapRequest GetPresetsRequest(std::string_view profile_token);
SoapRequest GotoPresetRequest(std::string_view profile_token, std::string_view preset_token);
// A new preset at the current position, named `name` (cut to kMaxPresetNameBytes).
SoapRequest SetPresetRequest(std::string_view profile_token, std::string_view name);
SoapRequest RemovePresetRequest(std::string_view profile_token, std::string_view preset_token);

Result<std::vector<PtzNode>> ParseGetNodes(std::string_view response);
Result<std::vector<PtzConfiguration>> ParseGetConfigurations(std::string_view response);
Result<PtzStatus> ParseGetStatus(std::string_view response);
Result<std::vector<PtzPreset>> ParseGetPresets(std::string_view response);
// The new preset's token; an empty token is an error.
Result<std::string> ParseSetPreset(std::string_view response);
// ContinuousMove, Stop, GotoPreset and RemovePreset answer with an empty element named after
// the operation: `operation` is e.g. "Stop".
Status ParsePtzAck(std::string_view response, std::string_view operation);

}  // namespace sightline::onvif
