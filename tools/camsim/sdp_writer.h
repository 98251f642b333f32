#pragma once
// The SDP (RFC 8866) that camsim returns to DESCRIBE: one H.264 (RFC 6184 section 8.2) or
// H.265 (RFC 7798 section 7.2) video track over RTP/AVP with dynamic payload type 96, with
// the clip's parameter sets in the fmtp line, shaped like a typical IP camera's. Pure.

#include <cstdint>
#include <string>
#include <string_view>

#include "tools/camsim/camera_spec.h"
#include "tools/camsim/clip.h"

namespace sightline::camsim {

inline constexpr int kPayloadType = 96;
// The track's a=control, relative to the Content-Base "rtsp://host:port/NAME/".
inline constexpr std::string_view kTrackControl = "trackID=0";

struct SdpParams {
  std::string camera_name;
  std::string server_address = "0.0.0.0";  // for the o= line
  uint64_t session_id = 0;
  Quirks quirks;  // no-sprop, bad-sprop and no-session-name change the SDP
};

std::string BuildSdp(const Clip& clip, const SdpParams& params);

}  // namespace sightline::camsim
