#include "rtsp/h264_depacketizer.h"

#include <vector>

namespace sightline::rtsp {
namespace {

// RFC 6184 section 5.4, Table 1: packet types beyond the NAL unit types 1..23.
constexpr int kStapA = 24;
constexpr int kStapB = 25;
constexpr int kMtap16 = 26;
constexpr int kMtap24 = 27;
constexpr int kFuA = 28;
constexpr int kFuB = 29;

}  // namespace

H264Depacketizer::H264Depacketizer() : NalDepacketizer(media::Codec::kH264) {}

Status H264Depacketizer::SetSdpParameterSets(const std::map<std::string, std::string>& fmtp) {
  std::vector<std::string> problems;
  auto mode = fmtp.find("packetization-mode");
  if (mode != fmtp.end() && mode->second == "2") {
    problems.push_back("packetization-mode=2 (interleaved) is not supported");
  }
  return ApplySdpParameterSets(fmtp, {"sprop-parameter-sets"}, std::move(problems));
}

Status H264Depacketizer::ParsePayload(ByteSpan payload) {
  if (payload.empty()) return InvalidArgumentError("H.264 RTP: empty payload");
  const int type = payload[0] & 0x1f;
  switch (type) {
    case kStapA:
      // RFC 6184 section 5.7.1: a 1-byte STAP-A header, then 16-bit size + NAL unit pairs.
      return AddAggregate(payload.subspan(1), 1, "H.264 STAP-A");
    case kFuA: {
      // RFC 6184 section 5.8: FU indicator (F, NRI, type 28), FU header (S, E, R, type).
      if (payload.size() < 2) {
        return InvalidArgumentError("H.264 FU-A: payload of 1 byte has no FU header");
      }
      const uint8_t fu = payload[1];
      const uint8_t header[1] = {static_cast<uint8_t>((payload[0] & 0xe0) | (fu & 0x1f))};
      return AddFragment(header, (fu & 0x80) != 0, (fu & 0x40) != 0, payload.subspan(2),
                         "H.264 FU-A");
    }
    case kStapB:
    case kMtap16:
    case kMtap24:
    case kFuB:
      return UnimplementedError("H.264 RTP: packet type " + std::to_string(type) +
                                " belongs to interleaved mode (packetization-mode=2), "
                                "not supported");
    default:
      // 1..23: a single NAL unit packet (section 5.6). 0 is undefined but is what a payload
      // starting with an Annex B start code looks like (quirk); AddNals splits those and
      // rejects other undefined types.
      return AddNals(payload, "H.264 single NAL unit packet");
  }
}

}  // namespace sightline::rtsp
