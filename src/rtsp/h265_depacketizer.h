#pragma once
// H.265 RTP depacketizer (RFC 7798): single NAL unit packets, aggregation packets (AP, type
// 48) and fragmentation units (FU, type 49), without DONL fields (sprop-max-don-diff absent
// or 0, the only mode cameras use). PACI packets (type 50) are counted as malformed.
// Create it with Depacketizer::Create(Codec::kH265). One instance per stream; not
// thread-safe.

#include <map>
#include <string>

#include "rtsp/nal_depacketizer.h"

namespace sightline::rtsp {

class H265Depacketizer final : public NalDepacketizer {
 public:
  H265Depacketizer();

  // Reads "sprop-vps", "sprop-sps" and "sprop-pps" (RFC 7798 section 7.1). A non-zero
  // "sprop-max-don-diff" (DONL fields present) is reported as unsupported.
  Status SetSdpParameterSets(const std::map<std::string, std::string>& fmtp) override;

 protected:
  Status ParsePayload(ByteSpan payload) override;
};

}  // namespace sightline::rtsp
