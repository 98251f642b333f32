#pragma once
// The ONVIF client: SOAP over HTTP/1.1 POST (Boost.Beast) to one device, with its
// authentication and clock, and ProbeDevice, which learns all Sightline needs about a camera
// (identity, clock offset, services, profiles, main and sub stream URIs).
//
// Synchronous by design: every call runs on a private io_context and returns when the answer
// came or its deadline passed. The callers are `sightline discover` and the recorder resolving
// `onvif:` cameras at start, both of which run one camera per thread, so a slow camera only
// holds its own thread (docs/design/onvif.md, invariant 5). No redirects are followed; http
// only (an https XAddr is Unimplemented for now).
//
// Authentication (invariant 4): GetSystemDateAndTime is asked without authentication to learn
// the camera's clock offset; later calls carry a WS-Security UsernameToken created on the
// camera's clock. A device that answers HTTP 401 with a Digest challenge gets HTTP Digest
// (RFC 2617) instead, without the token, and the device remembers which scheme worked
// (cameras are token-only or digest-only). Credentials never enter a URL, a log line or an
// error message (invariant 3).
//
// Threads: a Device is used by one thread at a time; different Devices are independent.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "onvif/device.h"
#include "onvif/media.h"
#include "onvif/soap.h"
#include "onvif/xaddr.h"
#include "rtsp/auth.h"

namespace boost::asio {
class io_context;
}

namespace sightline::onvif {

// Ends calls from another thread: Cancel() stops the exchange in progress at once and makes
// every later one fail with Cancelled, and wakes Sleep. For long polls (PullMessages holds a
// call open for seconds) that must end when the recorder stops. Thread-safe.
class Cancellation {
 public:
  void Cancel();
  bool cancelled() const;
  // Waits `d`; false (at once) when cancelled.
  bool Sleep(std::chrono::milliseconds d);

  // For HttpPost: the exchange running on `io` may be stopped from now until Leave. False,
  // and nothing registered, when already cancelled.
  bool Enter(boost::asio::io_context* io);
  void Leave();

 private:
  mutable Mutex mu_;
  CondVar cv_;
  bool cancelled_ SL_GUARDED_BY(mu_) = false;
  boost::asio::io_context* running_ SL_GUARDED_BY(mu_) = nullptr;
};

struct ClientOptions {
  rtsp::Credentials credentials;  // an empty user: no authentication is attempted
  std::chrono::milliseconds call_timeout{5000};    // each HTTP exchange, connect to last byte
  std::chrono::milliseconds device_timeout{20000}; // everything ProbeDevice does for one device
  size_t max_response_bytes = kMaxXmlBytes;
  // When set, Cancel() on it ends this client's calls (Cancelled); shared, so that the owner
  // may cancel while a call runs on another thread.
  std::shared_ptr<Cancellation> cancellation;
};

// What an HTTP exchange returned.
struct HttpReply {
  int status = 0;
  std::string body;
  std::vector<std::string> www_authenticate;
};

// One POST of `body` to `url` on a new connection, ending by `deadline`. Unavailable when no
// reply came (refused, reset, unreachable), DeadlineExceeded when the deadline passed,
// ResourceExhausted when the reply is over `max_response_bytes`, Cancelled when `cancellation`
// (may be null) was cancelled before or during the exchange.
Result<HttpReply> HttpPost(const HttpUrl& url, const std::vector<std::pair<std::string, std::string>>& headers,
                           std::string body, std::chrono::steady_clock::time_point deadline,
                           size_t max_response_bytes, Cancellation* cancellation = nullptr);

enum class AuthMode { kUnknown, kNone, kUsernameToken, kHttpDigest };
std::string_view AuthModeName(AuthMode m);  // "unknown", "none", "ws-token", "http-digest"

class Device {
 public:
  // `device_url`: the device service; every XAddr is rebased onto its origin.
  Device(HttpUrl device_url, ClientOptions options);

  const HttpUrl& url() const { return url_; }
  AuthMode auth_mode() const { return auth_; }
  // camera − ours, once MeasureClock succeeded.
  std::optional<std::chrono::milliseconds> clock_offset() const { return offset_; }
  // An offset measured before (by another Device of the same camera).
  void SetClockOffset(std::chrono::milliseconds offset) { offset_ = offset; }
  // The limit of each call from now on (a long poll needs more than the default).
  void SetCallTimeout(std::chrono::milliseconds timeout) { options_.call_timeout = timeout; }

  // GetSystemDateAndTime without authentication; sets clock_offset() (our time taken half-way
  // through the exchange).
  Result<CameraClock> MeasureClock();
  Result<DeviceInformation> GetDeviceInformation();
  // Sets the camera's clock to ours now (Manual, UTC; its time zone is kept), then measures
  // the offset again; returns the new offset. Needs credentials with admin rights on the camera.
  Result<std::chrono::milliseconds> SetClockToOurs();
  // Makes the camera follow NTP `server` (SetNTP, then DateTimeType NTP).
  Status UseNtp(std::string_view server);
  // GetServices, or GetCapabilities for devices without it (ONVIF 1.x).
  Result<ServiceAddrs> GetServices();
  // From `services.media2` for kMedia2, `services.media` for kMedia1.
  Result<std::vector<MediaProfile>> GetProfiles(const ServiceAddrs& services, MediaVersion version);
  Result<std::string> GetStreamUri(const ServiceAddrs& services, const MediaProfile& profile);
  Result<std::string> GetSnapshotUri(const ServiceAddrs& services, const MediaProfile& profile);

  // One authenticated call: the response body of a 2xx reply, or the Status of the Fault or
  // HTTP error. Unauthenticated names whether credentials were missing or refused.
  Result<std::string> Call(const HttpUrl& service, const SoapRequest& request);

  // Calls made after this fail with DeadlineExceeded (ProbeDevice's per-device budget).
  void SetDeadline(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }

 private:
  Result<HttpReply> Send(const HttpUrl& service, const SoapRequest& request, bool with_token,
                         const std::optional<std::string>& authorization);
  Result<std::string> CallWithToken(const HttpUrl& service, const SoapRequest& request);
  Result<std::string> CallWithDigest(const HttpUrl& service, const SoapRequest& request);
  std::string DigestAuthorization(const HttpUrl& service);
  std::chrono::steady_clock::time_point CallDeadline() const;

  HttpUrl url_;
  ClientOptions options_;
  AuthMode auth_ = AuthMode::kUnknown;
  std::optional<std::chrono::milliseconds> offset_;
  std::optional<rtsp::AuthChallenge> challenge_;  // the last Digest challenge, reused with nc+1
  uint32_t nonce_count_ = 0;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
};

// Everything ProbeDevice learnt. Stream URIs carry no credentials; the RTSP client adds them.
struct ProbeResult {
  HttpUrl device_url;
  DeviceInformation info;
  std::optional<std::chrono::milliseconds> clock_offset;  // camera − ours
  ServiceAddrs services;
  std::vector<MediaProfile> profiles;  // those ChooseStreams chose from (Media2's when present)
  std::optional<MediaProfile> main;
  std::optional<MediaProfile> sub;
  std::string main_uri;      // rtsp://, "" when unknown
  std::string sub_uri;       // rtsp://, "" when there is no sub stream
  std::string snapshot_uri;  // http(s)://, "" when the device has none
  AuthMode auth_mode = AuthMode::kUnknown;
  // The device refused a call for want of credentials (none were given, or they were wrong:
  // see `problems`). What was learnt before is kept.
  bool needs_credentials = false;
  // Steps that failed without ending the probe ("GetSnapshotUri of profile 'x': ..."), for
  // the operator.
  std::vector<std::string> problems;
};

// Probes the device at `host_or_url` (see DeviceServiceUrl). An error only when the device
// cannot be talked to at all (unreachable, not ONVIF, the deadline); refusals for want of
// credentials come back as needs_credentials. Ends within options.device_timeout.
Result<ProbeResult> ProbeDevice(std::string_view host_or_url, const ClientOptions& options);

}  // namespace sightline::onvif
