#pragma once
// Session Description Protocol (RFC 8866), the subset RTSP cameras use in DESCRIBE
// responses. Tolerant of what cameras get wrong: missing s= line, trailing spaces, bare LF,
// unknown lines. Pure.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sightline::rtsp {

struct SdpMedia {
  std::string type;         // "video", "audio", "application"
  int port = 0;
  std::string protocol;     // "RTP/AVP"
  std::vector<int> formats; // payload types from the m= line
  std::string control;      // a=control, may be relative or absolute or "*"
  // From a=rtpmap for the first payload type: "H264" / "H265" (upper-cased: encoding names
  // are case-insensitive, RFC 4855 section 3) and the clock rate. For static payload types
  // without an rtpmap line (PCMU 0, PCMA 8, JPEG 26), the RFC 3551 section 6 values.
  int payload_type = -1;
  std::string encoding;
  int clock_rate = 0;
  // a=fmtp parameters for that payload type; keys lower-cased ("sprop-parameter-sets").
  std::map<std::string, std::string> fmtp;
};

struct Sdp {
  std::string session_name;  // may be empty (quirk: no s= line)
  std::string control;       // session-level a=control
  std::vector<SdpMedia> media;
};

// Errors name the line number and what is wrong.
Result<Sdp> ParseSdp(std::string_view text);

// Resolves a media control attribute against the base URL (Content-Base, Content-Location or
// the request URL, RFC 2326 appendix C.1.1).
std::string ResolveControlUrl(std::string_view base_url, std::string_view control);

}  // namespace sightline::rtsp
