// Fuzzes every ONVIF SOAP response parser (src/onvif/soap.h, device.h, media.h) with the same
// bytes, as a camera could send them. Checks: nothing crashes; a Fault is a non-OK Status; every
// service address is rebased onto the origin we used (docs/design/onvif.md, invariant 1); every
// media URI has an allowed scheme, a host and no credentials (invariant 3); profile lists are
// bounded; ChooseStreams picks video profiles and a sub of another size; escaping stray '&' is
// idempotent; PTZ lists are bounded, tokens and names cut, positions finite, and durations
// read back as they are written; event subscriptions are rebased and their reference
// parameters bounded, notifications bounded, and only the kept kinds classified (events.h).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "onvif/device.h"
#include "onvif/event_tracker.h"
#include "onvif/events.h"
#include "onvif/media.h"
#include "onvif/ptz.h"
#include "onvif/soap.h"
#include "onvif/xml.h"

namespace {

using namespace sightline::onvif;

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckUri(const sightline::Result<std::string>& uri, std::string_view scheme_a, std::string_view scheme_b) {
  if (!uri.ok()) {
    Check(!uri.status().message().empty());
    return;
  }
  const std::string& u = *uri;
  Check(u.rfind(std::string(scheme_a) + "://", 0) == 0 || u.rfind(std::string(scheme_b) + "://", 0) == 0);
  const size_t host = u.find("://") + 3;
  Check(host < u.size());
  const size_t end = u.find_first_of("/?#", host);
  Check(u.substr(host, end == std::string::npos ? std::string::npos : end - host).find('@') == std::string::npos);
  for (char c : u) Check(static_cast<unsigned char>(c) > 0x20);
}

void CheckServices(const sightline::Result<ServiceAddrs>& s, const HttpUrl& base) {
  if (!s.ok()) return;
  for (const HttpUrl* u : {&s->device, &s->media, &s->media2, &s->events, &s->ptz, &s->imaging}) {
    if (u->target.empty()) continue;
    Check(u->Origin() == base.Origin());
    Check(u->target.front() == '/');
  }
}

void CheckFinite(const std::optional<double>& v) {
  if (v.has_value()) Check(std::isfinite(*v));
}

void CheckPtz(std::string_view text) {
  if (auto s = ParseGetStatus(text); s.ok()) {
    CheckFinite(s->position.pan);
    CheckFinite(s->position.tilt);
    CheckFinite(s->position.zoom);
    Check(s->error.size() <= 200);
  }
  if (auto p = ParseGetPresets(text); p.ok()) {
    Check(p->size() <= kMaxPresets);
    for (const PtzPreset& preset : *p) {
      Check(!preset.token.empty() && preset.token.size() <= 64);
      Check(preset.name.size() <= kMaxPresetNameBytes);
      CheckFinite(preset.position.pan);
    }
  }
  if (auto t = ParseSetPreset(text); t.ok()) Check(!t->empty() && t->size() <= 64);
  if (auto n = ParseGetNodes(text); n.ok()) {
    Check(n->size() <= kMaxPtzNodes);
    for (const PtzNode& node : *n) Check(!node.token.empty() && node.max_presets >= 0);
  }
  if (auto c = ParseGetConfigurations(text); c.ok()) Check(c->size() <= kMaxPtzNodes);
  (void)ParsePtzAck(text, "Stop");
  if (auto d = ParseXsDuration(text); d.ok()) {
    Check(d->count() >= 0);
    Check(ParseXsDuration(XsDuration(*d)).value() == *d);
  }
}

void CheckEvents(std::string_view text, const HttpUrl& base) {
  if (auto s = ParseCreatePullPointSubscription(text, base); s.ok()) {
    Check(s->address.Origin() == base.Origin());
    Check(s->reference_parameters.size() <= kMaxReferenceParametersBytes);
    // What we send back must itself be well-formed XML.
    Check(ParseXml(BuildEnvelope("<x/>", std::nullopt, PullMessagesRequest(*s, std::chrono::seconds(1), 1).header_xml)).ok());
  }
  if (auto m = ParsePullMessages(text); m.ok()) {
    Check(m->notifications.size() <= kMaxNotifications);
    EventTracker tracker({});
    int64_t t = 0;
    for (const Notification& n : m->notifications) {
      std::optional<CameraSignal> s = Classify(n);
      if (!s) continue;
      Check(n.standard_topic);
      Check(s->input.size() <= 32);
      for (const CameraEventChange& c : tracker.Apply(*s, t += 1000)) Check(!c.ended || c.end_us >= c.start_us);
    }
    for (const CameraEventChange& c : tracker.EndAll(t + 1)) Check(c.ended && c.end_us >= c.start_us);
  }
  (void)ParseRenew(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string escaped = EscapeStrayAmpersands(text);
  Check(EscapeStrayAmpersands(escaped) == escaped);

  auto envelope = ParseEnvelope(text);
  if (envelope.ok()) Check(LocalName(envelope->body.name()) != "Fault");

  CheckPtz(text);
  (void)ParseGetSystemDateAndTime(text);
  (void)ParseGetDeviceInformation(text);
  auto base = DeviceServiceUrl("192.0.2.10:8080");
  Check(base.ok());
  CheckServices(ParseGetServices(text, *base), *base);
  CheckServices(ParseGetCapabilities(text, *base), *base);
  CheckEvents(text, *base);

  for (MediaVersion v : {MediaVersion::kMedia1, MediaVersion::kMedia2}) {
    auto profiles = ParseGetProfiles(text, v);
    if (profiles.ok()) {
      Check(profiles->size() <= 64);
      for (const MediaProfile& p : *profiles) Check(!p.token.empty() && p.width >= 0 && p.height >= 0);
      StreamChoice c = ChooseStreams(*profiles);
      if (c.main) Check(c.main->width > 0 && c.main->height > 0);
      if (c.sub) {
        Check(c.main.has_value());
        Check(c.sub->width != c.main->width || c.sub->height != c.main->height);
        Check(static_cast<int64_t>(c.sub->width) * c.sub->height <=
              static_cast<int64_t>(c.main->width) * c.main->height);
      }
    }
    CheckUri(ParseGetStreamUri(text, v, "p"), "rtsp", "rtsps");
    CheckUri(ParseGetSnapshotUri(text, v, "p"), "http", "https");
  }
  return 0;
}
