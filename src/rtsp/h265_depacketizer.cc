#include "rtsp/h265_depacketizer.h"

#include <vector>

namespace sightline::rtsp {
namespace {

// RFC 7798 section 4.4: packet types beyond the NAL unit types 0..47.
constexpr int kAp = 48;
constexpr int kFu = 49;
constexpr int kPaci = 50;

}  // namespace

H265Depacketizer::H265Depacketizer() : NalDepacketizer(media::Codec::kH265) {}

Status H265Depacketizer::SetSdpParameterSets(const std::map<std::string, std::string>& fmtp) {
  std::vector<std::string> problems;
  bool donl = false;
  auto don = fmtp.find("sprop-max-don-diff");
  if (don != fmtp.end() && don->second != "0") {
    donl = true;
    problems.push_back("sprop-max-don-diff=" + don->second +
                       ": DONL fields (RFC 7798 section 4.4) are not supported");
  }
  Status st = ApplySdpParameterSets(fmtp, {"sprop-vps", "sprop-sps", "sprop-pps"},
                                    std::move(problems));
  if (donl) return UnimplementedError(st.message());
  return st;
}

Status H265Depacketizer::ParsePayload(ByteSpan payload) {
  // RFC 7798 section 4.4: every payload starts with a 2-byte header shaped like a NAL unit
  // header (F, Type, LayerId, TID).
  if (payload.size() < 2) {
    return InvalidArgumentError("H.265 RTP: payload of " + std::to_string(payload.size()) +
                                " byte(s) is shorter than the payload header");
  }
  const int type = (payload[0] >> 1) & 0x3f;
  switch (type) {
    case kAp:
      return AddAggregate(payload.subspan(2), 2, "H.265 AP");
    case kFu: {
      // RFC 7798 section 4.4.3: payload header, FU header (S, E, FuType), fragment. The NAL
      // unit header is the payload header with FuType as its type.
      if (payload.size() < 3) return InvalidArgumentError("H.265 FU: no FU header");
      const uint8_t fu = payload[2];
      const uint8_t header[2] = {static_cast<uint8_t>((payload[0] & 0x81) | (fu & 0x3f) << 1),
                                 payload[1]};
      return AddFragment(header, (fu & 0x80) != 0, (fu & 0x40) != 0, payload.subspan(3),
                         "H.265 FU");
    }
    case kPaci:
      return UnimplementedError("H.265 RTP: PACI packets (RFC 7798 section 4.4.4) are not "
                                "supported");
    default:
      if (type > kPaci) {
        return InvalidArgumentError("H.265 RTP: reserved packet type " + std::to_string(type));
      }
      // 0..47: a single NAL unit packet (section 4.4.1); AddNals also splits Annex B
      // framing some cameras put into it (quirk).
      return AddNals(payload, "H.265 single NAL unit packet");
  }
}

}  // namespace sightline::rtsp
