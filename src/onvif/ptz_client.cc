#include "onvif/ptz_client.h"

#include "onvif/media.h"

namespace sightline::onvif {

PtzClient::PtzClient(HttpUrl device_url, ClientOptions options) : device_(std::move(device_url), std::move(options)) {}

Status PtzClient::Connect() {
  profile_token_.clear();
  // The clock first: the UsernameToken is created on the camera's clock (invariant 4). A
  // camera that refuses to tell it still gets tokens on our clock.
  Result<CameraClock> clock = device_.MeasureClock();
  if (!clock.ok() && (clock.status().code() == StatusCode::kUnavailable ||
                      clock.status().code() == StatusCode::kDeadlineExceeded)) {
    return clock.status();
  }
  ASSIGN_OR_RETURN(ServiceAddrs services, device_.GetServices());
  if (services.ptz.target.empty()) {
    return FailedPreconditionError("the camera has no ONVIF PTZ service");
  }
  // The profile: the one recorded as main (a PTZ configuration is attached to every video
  // profile on the cameras we know; the main one is the first to have it).
  std::vector<MediaProfile> profiles;
  if (services.has_media2()) {
    Result<std::vector<MediaProfile>> p = device_.GetProfiles(services, MediaVersion::kMedia2);
    if (p.ok()) profiles = std::move(*p);
  }
  if (profiles.empty() && services.has_media()) {
    ASSIGN_OR_RETURN(profiles, device_.GetProfiles(services, MediaVersion::kMedia1));
  }
  if (profiles.empty()) return FailedPreconditionError("the camera has no media profile to steer");
  StreamChoice choice = ChooseStreams(profiles);
  ptz_ = services.ptz;
  node_ = {};
  Result<std::string> nodes = device_.Call(ptz_, PtzGetNodesRequest());
  if (nodes.ok()) {
    Result<std::vector<PtzNode>> parsed = ParseGetNodes(*nodes);
    if (parsed.ok() && !parsed->empty()) node_ = parsed->front();
  }
  profile_token_ = choice.main ? choice.main->token : profiles.front().token;
  return Status::Ok();
}

// Every caller connects first: the request names the profile token Connect found.
Result<std::string> PtzClient::Call(const SoapRequest& request) {
  Result<std::string> r = device_.Call(ptz_, request);
  if (!r.ok()) {
    const StatusCode code = r.status().code();
    // A fault about our arguments (an unknown preset) leaves the connection as it was;
    // anything else (unreachable, a profile gone after a reboot) looks again next time.
    if (code != StatusCode::kInvalidArgument && code != StatusCode::kResourceExhausted) profile_token_.clear();
  }
  return r;
}

Result<PtzStatus> PtzClient::GetStatus() {
  if (!connected()) RETURN_IF_ERROR(Connect());
  ASSIGN_OR_RETURN(std::string bytes, Call(PtzGetStatusRequest(profile_token_)));
  return ParseGetStatus(bytes);
}

Status PtzClient::ContinuousMove(const PtzVelocity& velocity, std::chrono::milliseconds timeout) {
  if (!connected()) RETURN_IF_ERROR(Connect());
  ASSIGN_OR_RETURN(std::string bytes, Call(ContinuousMoveRequest(profile_token_, velocity, timeout)));
  return ParsePtzAck(bytes, "ContinuousMove");
}

Status PtzClient::Stop() {
  if (!connected()) RETURN_IF_ERROR(Connect());
  ASSIGN_OR_RETURN(std::string bytes, Call(PtzStopRequest(profile_token_)));
  return ParsePtzAck(bytes, "Stop");
}

Result<std::vector<PtzPreset>> PtzClient::GetPresets() {
  if (!connected()) RETURN_IF_ERROR(Connect());
  ASSIGN_OR_RETURN(std::string bytes, Call(GetPresetsRequest(profile_token_)));
  return ParseGetPresets(bytes);
}

Status PtzClient::GotoPreset(const std::string& token) {
  if (!connected()) RETURN_IF_ERROR(Connect());
  ASSIGN_OR_RETURN(std::string bytes, Call(GotoPresetRequest(profile_token_, token)));
  return ParsePtzAck(bytes, "GotoPreset");
}

Result<std::string> PtzClient::SetPreset(const std::string& name) {
  if (!connected()) RETURN_IF_ERROR(Connect());
  ASSIGN_OR_RETURN(std::string bytes, Call(SetPresetRequest(profile_token_, name)));
  return ParseSetPreset(bytes);
}

Status PtzClient::RemovePreset(const std::string& token) {
  if (!connected()) RETURN_IF_ERROR(Connect());
  ASSIGN_OR_RETURN(std::string bytes, Call(RemovePresetRequest(profile_token_, token)));
  return ParsePtzAck(bytes, "RemovePreset");
}

}  // namespace sightline::onvif
