// Fuzzes the SDP parser, control-URL resolution and the base64 decoding of fmtp values.
// Checks the invariants of a parsed description and base64 round trips.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rtsp/base64.h"
#include "rtsp/sdp.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckBase64(std::string_view value) {
  auto decoded = sightline::rtsp::Base64Decode(value);
  if (!decoded.ok()) return;
  const std::string encoded = sightline::rtsp::Base64Encode(*decoded);
  // Canonical input is reproduced exactly, apart from padding the camera left out.
  Check(encoded.substr(0, value.size()) == value);
  Check(encoded.size() - value.size() <= 2);
  auto again = sightline::rtsp::Base64Decode(encoded);
  Check(again.ok() && *again == *decoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckBase64(text);
  auto sdp = sightline::rtsp::ParseSdp(text);
  if (!sdp.ok()) return 0;
  for (const auto& m : sdp->media) {
    Check(m.port >= 0 && m.port <= 65535);
    if (m.formats.empty()) {
      Check(m.payload_type == -1);
    } else {
      Check(m.payload_type == m.formats.front());
    }
    for (int f : m.formats) Check(f >= 0 && f <= 127);
    for (const auto& [k, v] : m.fmtp) {
      Check(!k.empty());
      for (char c : k) Check(!(c >= 'A' && c <= 'Z'));
      CheckBase64(v);
    }
    const std::string url = sightline::rtsp::ResolveControlUrl("rtsp://cam/live", m.control);
    Check(!url.empty());
    if (m.control.find("://") == std::string::npos) {
      Check(url.rfind("rtsp://cam/live", 0) == 0);
    }
  }
  return 0;
}
