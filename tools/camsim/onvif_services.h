#pragma once
// The ONVIF services of camsim's cameras: what a camera is over ONVIF (OnvifDevice: its media
// profiles, credentials, clock and quirks, PTZ head) and one handler per service, each a pure
// function from a parsed request to the Body of its answer or a fault. onvif_site.h routes
// HTTP requests to them; onvif_device.cc, onvif_media.cc and onvif_ptz_service.cc implement them.
//
// Endpoints of camera NAME (the ONVIF Core spec leaves paths to the device):
//   /onvif/NAME/device_service  Device (tds, ver10)     /onvif/NAME/media_service   Media (trt)
//   /onvif/NAME/media2_service  Media2 (tr2, ver20)      /onvif/NAME/ptz_service     PTZ (tptz)
//   /onvif/NAME/events_service  Events (tev)             /onvif/NAME/subscription_service?id=N
//                                                          a pull point (PullMessages, Renew, ...)

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "media/frame.h"
#include "tools/camsim/camera_spec.h"
#include "tools/camsim/onvif_events.h"
#include "tools/camsim/onvif_ptz.h"
#include "tools/camsim/onvif_soap.h"

namespace sightline::camsim {

// One media profile: a camsim camera's stream as the ONVIF device shows it.
struct OnvifStream {
  std::string token;   // profile token: "main", "sub"
  std::string camera;  // the camsim camera serving it (its RTSP path)
  media::Codec codec = media::Codec::kH264;
  int width = 0;
  int height = 0;
  double fps = 0;
  int bitrate_kbps = 0;
  int gov_length = 0;        // frames from one keyframe to the next
  std::string h264_profile;  // "Baseline", "Main", "High" (H.264 only)
};

struct OnvifDevice {
  std::string name;
  std::string uuid;  // "urn:uuid:...", stable for the name (WS-Discovery endpoint reference)
  std::vector<OnvifStream> streams;  // main first, then its substream if it has one
  std::string user;                  // empty: no authentication
  std::string password;
  std::chrono::milliseconds clock_offset{0};  // set by SetSystemDateAndTime too
  bool ntp = false;        // DateTimeType NTP: the clock follows ntp_server (camsim: ours)
  std::string ntp_server;  // SetNTP
  Quirks quirks;
  PtzState ptz;
  EventState events;
};

// The device's scopes (ONVIF Core 7.3.2.1): name, hardware, type and profile; shared by
// GetScopes and WS-Discovery.
std::vector<std::string> DeviceScopes(const OnvifDevice& device);

// A stable "urn:uuid:" for a camera name (RFC 4122 layout, version 5-like bits from a hash).
std::string DeviceUuid(std::string_view name);

inline constexpr std::string_view kServiceDevice = "device_service";
inline constexpr std::string_view kServiceMedia = "media_service";
inline constexpr std::string_view kServiceMedia2 = "media2_service";
inline constexpr std::string_view kServicePtz = "ptz_service";
inline constexpr std::string_view kServiceEvents = "events_service";
inline constexpr std::string_view kServiceSubscription = "subscription_service";

// The XAddr of `service` of `device` reached at `authority` ("10.0.0.1:8080"), as the
// device's quirks give it (a wrong host, a relative path). Already XML-safe except for `&`.
std::string ServiceUrl(const OnvifDevice& device, std::string_view authority,
                       std::string_view service);

// Everything a handler needs besides the device: the request and where the client reached
// us, so that the addresses we answer with are ones it can use.
struct OnvifCall {
  const SoapRequest& request;
  std::string onvif_authority;  // "10.0.0.1:8080": how the client reached the ONVIF server
  std::string rtsp_authority;   // "10.0.0.1:8554": camsim's RTSP server, as that client sees it
  WallTime camera_now;          // the camera's clock (ours plus its clock_offset)
  MonoTime now;
  MonoTime received;            // when the request came (a held pull is answered again later)
  std::string_view target;      // the HTTP request target, query included

  std::string ServiceUrl(const OnvifDevice& device, std::string_view service) const {
    return camsim::ServiceUrl(device, onvif_authority, service);
  }
  // The RTSP URI of `stream` as XML text (escaped), with a raw `&` under the onvif-amp quirk.
  std::string StreamUri(const OnvifDevice& device, const OnvifStream& stream) const;
};

// No answer yet: a pull point holds PullMessages until something happens or its Timeout passes;
// the server asks again at `until` (or when it stops).
struct SoapHold {
  MonoTime until;
};

// The Body content of a response, a fault, or a request held.
using SoapOutcome = std::variant<std::string, SoapFault, SoapHold>;

SoapFault ActionNotSupported(std::string_view service, std::string_view operation);
SoapFault InvalidArg(std::string subcode, std::string reason);

SoapOutcome HandleDeviceService(OnvifDevice& device, const OnvifCall& call);
SoapOutcome HandleMediaService(OnvifDevice& device, const OnvifCall& call);
SoapOutcome HandleMedia2Service(OnvifDevice& device, const OnvifCall& call);
SoapOutcome HandlePtzService(OnvifDevice& device, const OnvifCall& call);
SoapOutcome HandleEventsService(OnvifDevice& device, const OnvifCall& call);
SoapOutcome HandleSubscriptionService(OnvifDevice& device, const OnvifCall& call);

// The PTZ configuration as element `element` ("tt:PTZConfiguration", "tr2:PTZ",
// "tptz:PTZConfiguration"): in media profiles and the PTZ service alike.
std::string PtzConfigurationXml(const OnvifDevice& device, std::string_view element);

// Shared by Media and Media2: the stream of profile `token`, or null.
const OnvifStream* FindStream(const OnvifDevice& device, std::string_view token);

}  // namespace sightline::camsim
