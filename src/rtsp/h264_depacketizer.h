#pragma once
// H.264 RTP depacketizer (RFC 6184): single NAL unit packets, STAP-A and FU-A, that is
// packetization-mode 0 and 1. Interleaved mode 2 (STAP-B, MTAP, FU-B) is not supported: its
// packets are counted as malformed. Create it with Depacketizer::Create(Codec::kH264).
// One instance per stream; not thread-safe.

#include <map>
#include <string>

#include "rtsp/nal_depacketizer.h"

namespace sightline::rtsp {

class H264Depacketizer final : public NalDepacketizer {
 public:
  H264Depacketizer();

  // Reads "sprop-parameter-sets" (RFC 6184 section 8.1); notes packetization-mode=2.
  Status SetSdpParameterSets(const std::map<std::string, std::string>& fmtp) override;

 protected:
  Status ParsePayload(ByteSpan payload) override;
};

}  // namespace sightline::rtsp
