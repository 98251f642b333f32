#include "tools/camsim/sdp_writer.h"

#include <cstdio>

#include "rtsp/base64.h"

namespace sightline::camsim {
namespace {

std::string Hex3(const Bytes& sps) {
  // profile_idc, constraint flags, level_idc: the three bytes after the NAL header
  // (RFC 6184 section 8.1, profile-level-id).
  char buf[8] = "42E01F";
  if (sps.size() >= 4) std::snprintf(buf, sizeof(buf), "%02X%02X%02X", sps[1], sps[2], sps[3]);
  return buf;
}

// Parameter sets per the payload format, or garbage for quirk=bad-sprop (cameras have been
// seen sending truncated or non-base64 values here).
std::string Fmtp(const Clip& clip, const Quirks& q) {
  std::string f;
  if (clip.codec() == media::Codec::kH264) {
    f = "packetization-mode=1;profile-level-id=" + Hex3(clip.sps());
    if (q.bad_sprop) {
      f += ";sprop-parameter-sets=Z0L@@#not*base64,aM!";
    } else if (!q.no_sprop) {
      f += ";sprop-parameter-sets=" + rtsp::Base64Encode(clip.sps()) + "," +
           rtsp::Base64Encode(clip.pps());
    }
    return f;
  }
  if (q.bad_sprop) return "sprop-vps=QAE@@;sprop-sps=#!;sprop-pps=*";
  if (q.no_sprop) return "";
  return "sprop-vps=" + rtsp::Base64Encode(clip.vps()) +
         ";sprop-sps=" + rtsp::Base64Encode(clip.sps()) +
         ";sprop-pps=" + rtsp::Base64Encode(clip.pps());
}

}  // namespace

std::string BuildSdp(const Clip& clip, const SdpParams& p) {
  const std::string pt = std::to_string(kPayloadType);
  std::string s;
  s += "v=0\r\n";
  const bool v6 = p.server_address.find(':') != std::string::npos;
  s += "o=- " + std::to_string(p.session_id) + " 1 IN " + (v6 ? "IP6 " : "IP4 ") +
       p.server_address + "\r\n";
  if (!p.quirks.no_session_name) s += "s=" + p.camera_name + "\r\n";
  s += "c=IN IP4 0.0.0.0\r\n";
  s += "t=0 0\r\n";
  s += "a=tool:sightline-camsim\r\n";
  s += "a=range:npt=now-\r\n";
  s += "a=control:*\r\n";
  s += "m=video 0 RTP/AVP " + pt + "\r\n";
  s += "a=rtpmap:" + pt + (clip.codec() == media::Codec::kH264 ? " H264/90000" : " H265/90000") +
       "\r\n";
  const std::string fmtp = Fmtp(clip, p.quirks);
  if (!fmtp.empty()) s += "a=fmtp:" + pt + " " + fmtp + "\r\n";
  s += "a=control:" + std::string(kTrackControl) + "\r\n";
  return s;
}

}  // namespace sightline::camsim
