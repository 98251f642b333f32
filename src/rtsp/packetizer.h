#pragma once
// Packetizers: access units to RTP payloads, the inverse of depacketizer.h. Used by the
// camera simulator (which packetizes each file once and shares the payloads among all its
// cameras) and by round-trip tests. H.264 per RFC 6184 (single NAL unit, STAP-A for runs of
// small NAL units such as SPS+PPS, FU-A), H.265 per RFC 7798 (single, AP, FU). Pure.

#include <cstddef>
#include <vector>

#include "base/bytes.h"
#include "media/frame.h"

namespace sightline::rtsp {

struct RtpPayload {
  Bytes bytes;
  bool marker = false;  // last payload of the access unit
};

struct PacketizerOptions {
  size_t max_payload_bytes = 1400;
  bool aggregate = true;  // STAP-A / AP for consecutive small NAL units
};

// `au` is length-prefixed (4-byte lengths). Appends the payloads to `out`. NAL units that
// are malformed (length overrunning the buffer) end packetization of this unit.
void PacketizeAccessUnit(media::Codec codec, ByteSpan au, const PacketizerOptions& options,
                         std::vector<RtpPayload>& out);

}  // namespace sightline::rtsp
