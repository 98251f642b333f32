#pragma once
// OnvifSite: camsim's ONVIF devices behind one HTTP server. Handle() takes one HTTP request
// (bytes already read) and returns the response: it maps the path to a camera and service
// (onvif_services.h lists the paths), parses the SOAP envelope, checks authentication and calls
// the service. Pure apart from the devices' PTZ state and counters; time is passed in.
//
// Authentication (ONVIF Core 5.9): a camera with credentials accepts a WS-Security
// UsernameToken digest whose Created is within 5 minutes of the camera's clock, or HTTP Digest
// (RFC 2617, MD5, qop=auth); quirks onvif-digest-only / onvif-token-only take one away.
// GetSystemDateAndTime never needs it (Core 5.9.4: clients read the clock before they can make
// a token). A request without valid credentials gets 401 with a Digest challenge, or, when the
// camera has no HTTP Digest, 400 with the fault ter:NotAuthorized.
//
// Not thread-safe: use from one thread (the server's io thread).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "tools/camsim/onvif_services.h"

namespace sightline::camsim {

inline constexpr std::string_view kOnvifRealm = "sightline-camsim";  // as camsim's RTSP
inline constexpr size_t kMaxOnvifRequestBytes = 64 * 1024;  // ONVIF requests are ~1-2 kB
inline constexpr auto kMaxTokenSkew = std::chrono::minutes(5);

struct OnvifHttpRequest {
  std::string method;  // "POST"
  std::string target;  // "/onvif/cam0/device_service"
  std::string body;
  std::string authorization;    // the Authorization header, or ""
  std::string onvif_authority;  // "10.0.0.1:8080": the address the client connected to
  std::string rtsp_authority;   // camsim's RTSP server at an address that client can reach
  std::optional<MonoTime> received;  // when the request came; unset: now
};

struct OnvifHttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::string www_authenticate;  // with 401: the Digest challenge
  // Set: no answer yet (a held PullMessages); Handle the same request again at this time.
  std::optional<MonoTime> hold_until = {};
};

class OnvifSite {
 public:
  // `digest_nonce`: the nonce of the HTTP Digest challenges (random per server start).
  OnvifSite(std::vector<std::unique_ptr<OnvifDevice>> devices, std::string digest_nonce);

  OnvifHttpResponse Handle(const OnvifHttpRequest& request, WallTime wall_now, MonoTime now);

  OnvifDevice* Find(std::string_view name);
  const std::vector<std::unique_ptr<OnvifDevice>>& devices() const { return devices_; }
  uint64_t auth_failures() const { return auth_failures_; }

 private:
  struct Route {
    OnvifDevice* device = nullptr;
    std::string_view service;
  };
  // Camera and service of a path; null device if there is none.
  Route Resolve(std::string_view target);
  // Nothing if the request may proceed, else the refusal.
  std::optional<OnvifHttpResponse> Authenticate(const OnvifDevice& device, const SoapRequest& soap,
                                                const OnvifHttpRequest& request,
                                                WallTime camera_now, SoapVersion version);
  SoapOutcome Dispatch(OnvifDevice& device, std::string_view service, const OnvifCall& call);

  std::vector<std::unique_ptr<OnvifDevice>> devices_;
  std::string nonce_;
  uint64_t auth_failures_ = 0;
};

}  // namespace sightline::camsim
