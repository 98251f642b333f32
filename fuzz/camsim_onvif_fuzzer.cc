// Fuzzes what camsim's ONVIF server and WS-Discovery responder do with untrusted bytes:
// OnvifSite::Handle (path routing, SOAP parsing, UsernameToken and HTTP Digest checks, every
// service's argument parsing) and ParseProbe/ProbeMatches. The first byte picks the path and
// the camera's quirks, the second how the rest splits into an Authorization header and the
// body. Checks: it never crashes or reads out of bounds; every answer has a status from the
// set the server uses; a 200 needs no credentials (GetSystemDateAndTime) or the right ones,
// which the fuzzer cannot make up; the Events service and a pull point answer or hold.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "tools/camsim/onvif_site.h"
#include "tools/camsim/ws_discovery.h"

namespace {

using namespace sightline;
using namespace sightline::camsim;

void Check(bool ok) {
  if (!ok) std::abort();
}

constexpr const char* kPaths[] = {"/onvif/cam/device_service",   "/onvif/cam/media_service",
                                  "/onvif/cam/media2_service",   "/onvif/cam/ptz_service",
                                  "/onvif/open/events_service",  "/onvif/open/ptz_service",
                                  "/onvif/open/subscription_service?id=1", "/onvif/x/y"};

std::unique_ptr<OnvifDevice> Device(std::string name, uint8_t quirks, bool credentials) {
  auto d = std::make_unique<OnvifDevice>();
  d->name = std::move(name);
  d->uuid = DeviceUuid(d->name);
  d->streams.push_back({"main", d->name, media::Codec::kH264, 1920, 1080, 10, 4000, 20, "High"});
  d->streams.push_back({"sub", d->name + "_sub", media::Codec::kH265, 640, 360, 10, 400, 20, ""});
  if (credentials) {
    d->user = "admin";
    d->password = "a-password";
  }
  d->quirks.onvif_amp = quirks & 1;
  d->quirks.onvif_xaddr_wrong = quirks & 2;
  d->quirks.onvif_xaddr_relative = !(quirks & 2) && (quirks & 4);
  d->quirks.onvif_soap11 = quirks & 8;
  d->quirks.onvif_digest_only = quirks & 16;
  d->quirks.onvif_token_only = !(quirks & 16) && (quirks & 32);
  d->quirks.onvif_events_no_false = quirks & 1;
  d->quirks.onvif_pull_hold = quirks & 4;
  d->quirks.onvif_no_renew = quirks & 32;
  // Motion 2 s in every 5, and one live subscription for the pull point's path.
  d->events.schedule = {std::chrono::milliseconds(2000), std::chrono::milliseconds(5000), MonoTime{}};
  d->events.subscriptions[1].expires = MonoTime{std::chrono::seconds(160)};
  d->events.next_id = 2;
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t selector = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  const size_t split = std::min<size_t>(data[1], rest.size());

  std::vector<std::unique_ptr<OnvifDevice>> devices;
  devices.push_back(Device("cam", selector >> 2, true));
  devices.push_back(Device("open", selector >> 2, false));
  OnvifSite site(std::move(devices), "0123456789abcdef");
  OnvifHttpRequest req;
  req.method = (selector & 0x80) ? "GET" : "POST";
  req.target = kPaths[selector & 7];
  req.authorization = std::string(rest.substr(0, split));
  req.body = std::string(rest.substr(split));
  req.onvif_authority = "127.0.0.1:8080";
  req.rtsp_authority = "127.0.0.1:8554";
  const WallTime wall{std::chrono::seconds(1'800'000'000)};
  const MonoTime mono{std::chrono::seconds(100)};
  // Twice, so that PTZ state left by the first call (a move, a preset) is read back.
  for (int i = 0; i < 2; ++i) {
    const OnvifHttpResponse r = site.Handle(req, wall, mono + std::chrono::seconds(i));
    Check(r.status == 200 || r.status == 400 || r.status == 401 || r.status == 404 ||
          r.status == 405 || r.status == 500);
    Check(r.status != 401 || !r.www_authenticate.empty());
    // A held pull has no answer yet, and says until when.
    Check(!r.body.empty() || (r.hold_until && r.status == 200));
  }
  // The discovery side reads the same bytes as a datagram.
  Result<DiscoveryProbe> probe = ParseProbe(rest);
  if (probe.ok()) {
    const DiscoveryTarget target{"urn:uuid:x", {"onvif://www.onvif.org/name/cam"}, "http://h/"};
    if (ProbeMatches(*probe, target)) {
      Check(!ProbeMatchesXml(target, probe->message_id, "urn:uuid:y", {}).empty());
    }
  }
  return 0;
}
