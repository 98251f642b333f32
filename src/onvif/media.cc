#include "onvif/media.h"

#include <charconv>

#include "onvif/xml.h"

namespace sightline::onvif {
namespace {

constexpr std::string_view kSchemaNs = "http://www.onvif.org/ver10/schema";
constexpr size_t kMaxProfiles = 64;
constexpr size_t kMaxUriBytes = 2048;

std::string_view Ns(MediaVersion v) { return v == MediaVersion::kMedia2 ? kMedia2Ns : kMedia1Ns; }
std::string_view Prefix(MediaVersion v) { return v == MediaVersion::kMedia2 ? "tr2" : "trt"; }

SoapRequest MediaRequest(MediaVersion v, std::string_view operation, std::string_view inner) {
  const std::string p(Prefix(v));
  const std::string op(operation);
  return {std::string(Ns(v)) + "/" + op, "<" + p + ":" + op + " xmlns:" + p + "=\"" + std::string(Ns(v)) +
                                             "\" xmlns:tt=\"" + std::string(kSchemaNs) + "\">" +
                                             std::string(inner) + "</" + p + ":" + op + ">"};
}

int NumberOr0(std::string_view text) {
  // Some firmware writes "25.000000" for frame rates: the integer part is what counts.
  int value = 0;
  const std::from_chars_result r = std::from_chars(text.data(), text.data() + text.size(), value);
  return r.ec == std::errc() && value > 0 ? value : 0;
}

VideoEncoding EncodingFromName(std::string_view name) {
  if (name.empty()) return VideoEncoding::kOther;
  if (name == "H264" || name == "h264" || name == "H.264") return VideoEncoding::kH264;
  if (name == "H265" || name == "h265" || name == "H.265" || name == "HEVC") return VideoEncoding::kH265;
  if (name == "JPEG" || name == "MJPEG") return VideoEncoding::kJpeg;
  return VideoEncoding::kOther;
}

// The fields of a VideoEncoderConfiguration (Media1) or VideoEncoder configuration (Media2):
// tt:Encoding, tt:Resolution, tt:RateControl share their names in both.
void ReadVideoEncoder(pugi::xml_node enc, MediaProfile* p) {
  p->encoding = EncodingFromName(ChildText(enc, "Encoding"));
  pugi::xml_node res = Child(enc, "Resolution");
  p->width = NumberOr0(ChildText(res, "Width"));
  p->height = NumberOr0(ChildText(res, "Height"));
  pugi::xml_node rate = Child(enc, "RateControl");
  p->frame_rate_limit = NumberOr0(ChildText(rate, "FrameRateLimit"));
  p->bitrate_kbps = NumberOr0(ChildText(rate, "BitrateLimit"));
}

MediaProfile ReadProfile(pugi::xml_node node, MediaVersion version) {
  MediaProfile p;
  p.version = version;
  p.token = std::string(Attribute(node, "token")).substr(0, 64);
  p.name = ChildText(node, "Name").substr(0, 64);
  pugi::xml_node enc = version == MediaVersion::kMedia2 ? Child(Child(node, "Configurations"), "VideoEncoder")
                                                        : Child(node, "VideoEncoderConfiguration");
  if (enc) ReadVideoEncoder(enc, &p);
  return p;
}

std::string WithoutUserinfo(std::string_view uri) {
  const size_t sep = uri.find("://");
  if (sep == std::string_view::npos) return std::string(uri);
  const size_t host = sep + 3;
  const size_t end = uri.find_first_of("/?#", host);
  const size_t at = uri.substr(0, end).rfind('@');
  if (at == std::string_view::npos || at < host) return std::string(uri);
  return std::string(uri.substr(0, host)) + std::string(uri.substr(at + 1));
}

std::string QuoteUri(std::string_view uri) {
  const std::string clean = WithoutUserinfo(uri.substr(0, 300));
  return "'" + clean.substr(0, 100) + (clean.size() > 100 ? "...'" : "'");
}

std::string ProfileWhat(std::string_view op, std::string_view profile) {
  return std::string(op) + " of profile '" + std::string(profile.substr(0, 64)) + "'";
}

Result<std::string> ParseUriResponse(std::string_view response, MediaVersion version, std::string_view op,
                                     std::string_view profile, std::initializer_list<std::string_view> schemes) {
  const std::string what = ProfileWhat(op, profile);
  Result<SoapResponse> r = ParseResponse(response, std::string(op) + "Response");
  if (!r.ok()) return std::move(r).status().WithContext(what);
  // Media1: MediaUri/Uri; Media2: Uri directly.
  pugi::xml_node uri = version == MediaVersion::kMedia2 ? Child(r->body, "Uri") : Child(Child(r->body, "MediaUri"), "Uri");
  if (!uri) uri = Descendant(r->body, "Uri");  // firmware that mixes the two shapes
  if (!uri) return InvalidArgumentError(what + ": no Uri in the response");
  return CheckMediaUri(ChildText(uri.parent(), "Uri"), schemes, what);
}

}  // namespace

std::string_view VideoEncodingName(VideoEncoding e) {
  switch (e) {
    case VideoEncoding::kNone: return "none";
    case VideoEncoding::kH264: return "H264";
    case VideoEncoding::kH265: return "H265";
    case VideoEncoding::kJpeg: return "JPEG";
    case VideoEncoding::kOther: return "other";
  }
  return "other";
}

SoapRequest GetProfilesRequest(MediaVersion version) {
  // Media2 returns only the configurations asked for: the video encoder is the one we read.
  return MediaRequest(version, "GetProfiles", version == MediaVersion::kMedia2 ? "<tr2:Type>VideoEncoder</tr2:Type>" : "");
}

Result<std::vector<MediaProfile>> ParseGetProfiles(std::string_view response, MediaVersion version) {
  ASSIGN_OR_RETURN(SoapResponse r, ParseResponse(response, "GetProfilesResponse"));
  std::vector<MediaProfile> out;
  for (pugi::xml_node n : r.body.children()) {
    if (n.type() != pugi::node_element || LocalName(n.name()) != "Profiles") continue;
    MediaProfile p = ReadProfile(n, version);
    if (p.token.empty()) continue;
    out.push_back(std::move(p));
    if (out.size() == kMaxProfiles) break;
  }
  return out;
}

SoapRequest GetStreamUriRequest(MediaVersion version, std::string_view profile_token) {
  const std::string token = XmlEscape(profile_token);
  if (version == MediaVersion::kMedia2) {
    return MediaRequest(version, "GetStreamUri",
                        "<tr2:Protocol>RtspUnicast</tr2:Protocol><tr2:ProfileToken>" + token + "</tr2:ProfileToken>");
  }
  return MediaRequest(version, "GetStreamUri",
                      "<trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol>"
                      "</tt:Transport></trt:StreamSetup><trt:ProfileToken>" + token + "</trt:ProfileToken>");
}

Result<std::string> ParseGetStreamUri(std::string_view response, MediaVersion version, std::string_view profile) {
  return ParseUriResponse(response, version, "GetStreamUri", profile, {"rtsp", "rtsps"});
}

SoapRequest GetSnapshotUriRequest(MediaVersion version, std::string_view profile_token) {
  const std::string p(Prefix(version));
  return MediaRequest(version, "GetSnapshotUri",
                      "<" + p + ":ProfileToken>" + XmlEscape(profile_token) + "</" + p + ":ProfileToken>");
}

Result<std::string> ParseGetSnapshotUri(std::string_view response, MediaVersion version, std::string_view profile) {
  return ParseUriResponse(response, version, "GetSnapshotUri", profile, {"http", "https"});
}

Result<std::string> CheckMediaUri(std::string_view uri, std::initializer_list<std::string_view> schemes,
                                  std::string_view what) {
  const std::string prefix(what);
  if (uri.empty()) return InvalidArgumentError(prefix + ": empty Uri");
  if (uri.size() > kMaxUriBytes) {
    return InvalidArgumentError(prefix + ": Uri of " + std::to_string(uri.size()) + " bytes is too long");
  }
  for (char c : uri) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return InvalidArgumentError(prefix + ": Uri " + QuoteUri(uri) + " has spaces or control characters");
    }
  }
  const size_t sep = uri.find("://");
  std::string scheme;
  if (sep != std::string_view::npos) {
    for (char c : uri.substr(0, sep)) scheme += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  bool allowed = false;
  std::string expected;
  for (std::string_view s : schemes) {
    allowed = allowed || scheme == s;
    expected += (expected.empty() ? "" : " or ") + std::string(s) + "://";
  }
  if (!allowed) return InvalidArgumentError(prefix + ": Uri " + QuoteUri(uri) + " is not an " + expected + " URL");
  std::string clean = WithoutUserinfo(uri);
  const size_t host_start = scheme.size() + 3;
  const size_t host_end = clean.find_first_of(":/?#", host_start);
  // An IPv6 literal starts with '['; anything else needs at least one host character.
  if (host_end == host_start || host_start >= clean.size()) {
    return InvalidArgumentError(prefix + ": Uri " + QuoteUri(uri) + " has no host");
  }
  return clean;
}

StreamChoice ChooseStreams(const std::vector<MediaProfile>& profiles) {
  auto is_video = [](const MediaProfile& p) {
    return (p.encoding == VideoEncoding::kH264 || p.encoding == VideoEncoding::kH265) && p.width > 0 && p.height > 0;
  };
  bool any_media2 = false;
  for (const MediaProfile& p : profiles) any_media2 = any_media2 || (is_video(p) && p.version == MediaVersion::kMedia2);
  std::vector<const MediaProfile*> candidates;
  for (const MediaProfile& p : profiles) {
    if (is_video(p) && (!any_media2 || p.version == MediaVersion::kMedia2)) candidates.push_back(&p);
  }
  auto pixels = [](const MediaProfile* p) { return static_cast<int64_t>(p->width) * p->height; };
  const MediaProfile* main = nullptr;
  for (const MediaProfile* p : candidates) {
    if (main == nullptr || pixels(p) > pixels(main) ||
        (pixels(p) == pixels(main) && p->frame_rate_limit > main->frame_rate_limit)) {
      main = p;
    }
  }
  StreamChoice choice;
  if (main == nullptr) return choice;
  choice.main = *main;
  const MediaProfile* sub = nullptr;
  for (const MediaProfile* p : candidates) {
    if (p->width == main->width && p->height == main->height) continue;
    if (sub == nullptr || pixels(p) < pixels(sub)) sub = p;
  }
  if (sub != nullptr) choice.sub = *sub;
  return choice;
}

}  // namespace sightline::onvif
