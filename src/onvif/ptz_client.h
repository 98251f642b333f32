#pragma once
// PtzClient: manual PTZ of one ONVIF camera over a Device (client.h): it finds the PTZ service
// and the media profile to steer (the recorded main profile, ChooseStreams), then sends the
// ptz.h operations. Synchronous like Device: every call ends by its deadline (5 s by default).
//
// Threads: one thread at a time (the app runs each camera's calls on that camera's own worker).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "onvif/client.h"
#include "onvif/ptz.h"

namespace sightline::onvif {

class PtzClient {
 public:
  PtzClient(HttpUrl device_url, ClientOptions options);

  // The clock, the services and the profile; repeated by the calls below until it succeeds,
  // and after an error that suggests the camera changed (it rebooted with a new profile).
  // FailedPrecondition when the device has no PTZ service or no video profile.
  Status Connect();
  bool connected() const { return !profile_token_.empty(); }
  // Of the PTZ node, once connected; 0 / false when the camera did not say.
  int max_presets() const { return node_.max_presets; }
  bool home_supported() const { return node_.home_supported; }
  const std::string& profile_token() const { return profile_token_; }
  // Calls made after this fail with DeadlineExceeded: the caller's budget for one command,
  // connecting included.
  void SetDeadline(std::chrono::steady_clock::time_point deadline) { device_.SetDeadline(deadline); }

  Result<PtzStatus> GetStatus();
  // Velocities in the generic space, clamped to [-1, 1]; stops by itself after `timeout`.
  Status ContinuousMove(const PtzVelocity& velocity, std::chrono::milliseconds timeout);
  Status Stop();
  Result<std::vector<PtzPreset>> GetPresets();
  Status GotoPreset(const std::string& token);
  Result<std::string> SetPreset(const std::string& name);  // the new preset's token
  Status RemovePreset(const std::string& token);

 private:
  // Connects if needed, makes the call; forgets the connection after a failure that is not
  // the camera refusing the arguments, so that the next call looks again.
  Result<std::string> Call(const SoapRequest& request);

  Device device_;
  HttpUrl ptz_;
  std::string profile_token_;
  PtzNode node_;
};

}  // namespace sightline::onvif
