// Fuzzes the WS-Discovery parser (src/onvif/discovery.h) with datagrams as anyone on the LAN
// could send them. Checks: nothing crashes; a ProbeMatches is accepted for our Probe only when
// it relates to our MessageID; every endpoint has an Address; lists stay bounded.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "onvif/discovery.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

constexpr std::string_view kOurId = "urn:uuid:5a4a4b3e-7b2c-4d7e-9f4a-0123456789ab";

void CheckMessage(const sightline::Result<sightline::onvif::DiscoveryMessage>& m, bool checked_id) {
  if (!m.ok()) {
    Check(!m.status().message().empty());
    return;
  }
  Check(!m->endpoints.empty() && m->endpoints.size() <= 16);
  if (checked_id && m->kind == sightline::onvif::DiscoveryKind::kProbeMatches) Check(m->relates_to == kOurId);
  for (const auto& e : m->endpoints) {
    Check(!e.address.empty() && e.address.size() <= 1024);
    Check(e.types.size() <= 64 && e.scopes.size() <= 64 && e.xaddrs.size() <= 64);
    for (const auto& x : e.xaddrs) Check(!x.empty() && x.find(' ') == std::string::npos);
    (void)e.IsVideoTransmitter();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckMessage(sightline::onvif::ParseDiscoveryMessage(text, kOurId), true);
  CheckMessage(sightline::onvif::ParseDiscoveryMessage(text), false);
  return 0;
}
