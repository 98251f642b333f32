#pragma once
// The Media services: Media1 (trt, http://www.onvif.org/ver10/media/wsdl, Profile S) and
// Media2 (tr2, http://www.onvif.org/ver20/media/wsdl, Profile T, where H.265 lives). Builders
// and parsers for GetProfiles, GetStreamUri and GetSnapshotUri, and ChooseStreams, which picks
// the recorded (main) and detection/live (sub) streams from the profiles. Pure.
//
// Media URIs are checked (scheme, host) and returned WITHOUT credentials: a camera that puts
// "user:pass@" into its URIs has it removed, so no URI we keep or log carries a password
// (docs/design/onvif.md, invariant 3).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "onvif/soap.h"

namespace sightline::onvif {

enum class MediaVersion { kMedia1 = 1, kMedia2 = 2 };
enum class VideoEncoding { kNone, kH264, kH265, kJpeg, kOther };
std::string_view VideoEncodingName(VideoEncoding e);  // "H264", "H265", "JPEG", "other", "none"

// One media profile with its video encoder configuration, as far as the camera said.
struct MediaProfile {
  MediaVersion version = MediaVersion::kMedia1;
  std::string token;
  std::string name;
  VideoEncoding encoding = VideoEncoding::kNone;  // kNone: no video encoder in this profile
  int width = 0;
  int height = 0;
  int frame_rate_limit = 0;  // frames per second, 0 when not said
  int bitrate_kbps = 0;      // BitrateLimit, 0 when not said
};

SoapRequest GetProfilesRequest(MediaVersion version);
// Profiles in document order. A profile without a token is skipped (nothing can be asked of
// it); numbers that do not parse are left 0. Bounded to 64 profiles.
Result<std::vector<MediaProfile>> ParseGetProfiles(std::string_view response, MediaVersion version);

// RTSP over RTP unicast (Media1 StreamSetup RTP-Unicast/RTSP; Media2 Protocol RtspUnicast).
SoapRequest GetStreamUriRequest(MediaVersion version, std::string_view profile_token);
// The rtsp:// (or rtsps://) URI without credentials. `profile` names the profile in errors.
Result<std::string> ParseGetStreamUri(std::string_view response, MediaVersion version, std::string_view profile);

SoapRequest GetSnapshotUriRequest(MediaVersion version, std::string_view profile_token);
// The http(s):// URI without credentials.
Result<std::string> ParseGetSnapshotUri(std::string_view response, MediaVersion version, std::string_view profile);

// Checks a media URI from a camera: one of `schemes` ("rtsp", "http"...), a host, no spaces or
// control characters, at most 2048 bytes; returns it with any userinfo removed. Errors name
// `what` (e.g. "GetStreamUri of profile 'Profile_1'") and quote the URI cut to 100 bytes,
// credentials removed.
Result<std::string> CheckMediaUri(std::string_view uri, std::initializer_list<std::string_view> schemes,
                                  std::string_view what);

struct StreamChoice {
  std::optional<MediaProfile> main;  // recorded
  std::optional<MediaProfile> sub;   // detection and live view
};

// main: the H.264/H.265 profile with the most pixels (then the higher frame rate, then the
// first in document order). sub: the H.264/H.265 profile with the fewest pixels among those with a
// resolution different from main's, or none. When any Media2 profile has H.264/H.265 video,
// only Media2 profiles are considered (Profile T devices list H.265 only there).
StreamChoice ChooseStreams(const std::vector<MediaProfile>& profiles);

}  // namespace sightline::onvif
