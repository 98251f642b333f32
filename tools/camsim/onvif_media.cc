// The Media (ONVIF Media Service spec, trt, ver10) and Media2 (Media2 Service spec, tr2,
// ver20) services: one profile per stream of the camera (main, sub), all from one video
// source, with the stream's real resolution, codec, frame rate and bit rate, and RTSP URIs on
// camsim's RTSP server.

#include <cmath>
#include <string>

#include "onvif/xml.h"
#include "tools/camsim/onvif_services.h"

namespace sightline::camsim {
namespace {

using onvif::ChildText;
using onvif::XmlEscape;

constexpr std::string_view kVideoSource = "vs0";
constexpr std::string_view kVideoSourceConfig = "vsc0";

std::string Tag(std::string_view name, std::string_view text) {
  return "<" + std::string(name) + ">" + std::string(text) + "</" + std::string(name) + ">";
}

std::string Encoding(const OnvifStream& s) {
  return s.codec == media::Codec::kH265 ? "H265" : "H264";
}

int FrameRate(const OnvifStream& s) { return std::max(1, static_cast<int>(std::lround(s.fps))); }

const OnvifStream& MainStream(const OnvifDevice& device) { return device.streams.front(); }

std::string ResolutionXml(int width, int height) {
  return "<tt:Resolution>" + Tag("tt:Width", std::to_string(width)) +
         Tag("tt:Height", std::to_string(height)) + "</tt:Resolution>";
}

// The one video source configuration, as element `element`.
std::string VideoSourceConfigXml(const OnvifDevice& device, std::string_view element) {
  const OnvifStream& main = MainStream(device);
  return "<" + std::string(element) + " token=\"" + std::string(kVideoSourceConfig) +
         "\"><tt:Name>video source</tt:Name>" +
         Tag("tt:UseCount", std::to_string(device.streams.size())) +
         Tag("tt:SourceToken", kVideoSource) + "<tt:Bounds x=\"0\" y=\"0\" width=\"" +
         std::to_string(main.width) + "\" height=\"" + std::to_string(main.height) + "\"/></" +
         std::string(element) + ">";
}

std::string EncoderToken(const OnvifStream& s) { return "vec_" + s.token; }

// Media1 VideoEncoderConfiguration (tt:VideoEncoderConfiguration type).
std::string VideoEncoderConfigXml(const OnvifStream& s, std::string_view element) {
  std::string codec_part;
  if (s.codec == media::Codec::kH264) {
    codec_part = "<tt:H264>" + Tag("tt:GovLength", std::to_string(s.gov_length)) +
                 Tag("tt:H264Profile", s.h264_profile.empty() ? "Main" : s.h264_profile) +
                 "</tt:H264>";
  }
  return "<" + std::string(element) + " token=\"" + EncoderToken(s) + "\">" +
         Tag("tt:Name", XmlEscape(s.token)) + "<tt:UseCount>1</tt:UseCount>" +
         Tag("tt:Encoding", Encoding(s)) + ResolutionXml(s.width, s.height) +
         "<tt:Quality>5</tt:Quality><tt:RateControl>" +
         Tag("tt:FrameRateLimit", std::to_string(FrameRate(s))) +
         "<tt:EncodingInterval>1</tt:EncodingInterval>" +
         Tag("tt:BitrateLimit", std::to_string(s.bitrate_kbps)) + "</tt:RateControl>" + codec_part +
         "<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>0.0.0.0"
         "</tt:IPv4Address></tt:Address><tt:Port>0</tt:Port><tt:TTL>0</tt:TTL>"
         "<tt:AutoStart>false</tt:AutoStart></tt:Multicast>"
         "<tt:SessionTimeout>PT60S</tt:SessionTimeout></" +
         std::string(element) + ">";
}

// Media2 VideoEncoder (tt:VideoEncoder2Configuration type).
std::string VideoEncoder2ConfigXml(const OnvifStream& s, std::string_view element) {
  const std::string profile =
      s.codec == media::Codec::kH265 ? "Main" : (s.h264_profile.empty() ? "Main" : s.h264_profile);
  return "<" + std::string(element) + " token=\"" + EncoderToken(s) + "\" GovLength=\"" +
         std::to_string(s.gov_length) + "\" Profile=\"" + profile + "\">" +
         Tag("tt:Name", XmlEscape(s.token)) + "<tt:UseCount>1</tt:UseCount>" +
         Tag("tt:Encoding", Encoding(s)) + ResolutionXml(s.width, s.height) +
         "<tt:RateControl ConstantBitRate=\"false\">" +
         Tag("tt:FrameRateLimit", std::to_string(FrameRate(s))) +
         Tag("tt:BitrateLimit", std::to_string(s.bitrate_kbps)) +
         "</tt:RateControl><tt:Quality>5</tt:Quality></" + std::string(element) + ">";
}

std::string Media1ProfileXml(const OnvifDevice& device, const OnvifStream& s,
                             std::string_view element) {
  return "<" + std::string(element) + " token=\"" + XmlEscape(s.token) + "\" fixed=\"true\">" +
         Tag("tt:Name", XmlEscape(s.token)) +
         VideoSourceConfigXml(device, "tt:VideoSourceConfiguration") +
         VideoEncoderConfigXml(s, "tt:VideoEncoderConfiguration") +
         PtzConfigurationXml(device, "tt:PTZConfiguration") + "</" + std::string(element) + ">";
}

std::string Media2ProfileXml(const OnvifDevice& device, const OnvifStream& s) {
  return "<tr2:Profiles token=\"" + XmlEscape(s.token) + "\" fixed=\"true\">" +
         Tag("tr2:Name", XmlEscape(s.token)) + "<tr2:Configurations>" +
         VideoSourceConfigXml(device, "tr2:VideoSource") +
         VideoEncoder2ConfigXml(s, "tr2:VideoEncoder") + PtzConfigurationXml(device, "tr2:PTZ") +
         "</tr2:Configurations></tr2:Profiles>";
}

SoapFault NoProfile(std::string_view token) {
  return InvalidArg("ter:NoProfile", "no profile '" + std::string(token) + "'");
}

// ---- Media (ver10) ----

SoapOutcome MediaGetProfile(const OnvifDevice& device, const OnvifCall& call) {
  const std::string token = ChildText(call.request.operation, "ProfileToken");
  const OnvifStream* s = FindStream(device, token);
  if (s == nullptr) return NoProfile(token);
  return "<trt:GetProfileResponse>" + Media1ProfileXml(device, *s, "trt:Profile") +
         "</trt:GetProfileResponse>";
}

std::string MediaGetProfiles(const OnvifDevice& device) {
  std::string out = "<trt:GetProfilesResponse>";
  for (const OnvifStream& s : device.streams) out += Media1ProfileXml(device, s, "trt:Profiles");
  return out + "</trt:GetProfilesResponse>";
}

std::string MediaGetVideoSources(const OnvifDevice& device) {
  const OnvifStream& main = MainStream(device);
  return "<trt:GetVideoSourcesResponse><trt:VideoSources token=\"" + std::string(kVideoSource) +
         "\">" + Tag("tt:Framerate", std::to_string(FrameRate(main))) +
         ResolutionXml(main.width, main.height) +
         "</trt:VideoSources></trt:GetVideoSourcesResponse>";
}

SoapOutcome MediaGetVideoEncoderConfiguration(const OnvifDevice& device, const OnvifCall& call) {
  const std::string token = ChildText(call.request.operation, "ConfigurationToken");
  for (const OnvifStream& s : device.streams) {
    if (EncoderToken(s) == token) {
      return "<trt:GetVideoEncoderConfigurationResponse>" +
             VideoEncoderConfigXml(s, "trt:Configuration") +
             "</trt:GetVideoEncoderConfigurationResponse>";
    }
  }
  return InvalidArg("ter:NoConfig", "no video encoder configuration '" + token + "'");
}

std::string MediaGetVideoEncoderConfigurations(const OnvifDevice& device) {
  std::string out = "<trt:GetVideoEncoderConfigurationsResponse>";
  for (const OnvifStream& s : device.streams) out += VideoEncoderConfigXml(s, "trt:Configurations");
  return out + "</trt:GetVideoEncoderConfigurationsResponse>";
}

SoapOutcome MediaGetStreamUri(const OnvifDevice& device, const OnvifCall& call) {
  const pugi::xml_node op = call.request.operation;
  const std::string token = ChildText(op, "ProfileToken");
  const OnvifStream* s = FindStream(device, token);
  if (s == nullptr) return NoProfile(token);
  const pugi::xml_node setup = onvif::Child(op, "StreamSetup");
  const std::string stream = ChildText(setup, "Stream");
  const std::string protocol = ChildText(onvif::Child(setup, "Transport"), "Protocol");
  if (!stream.empty() && stream != "RTP-Unicast") {
    return InvalidArg("ter:InvalidStreamSetup", "camsim streams RTP-Unicast only, not " + stream);
  }
  if (!protocol.empty() && protocol != "RTSP" && protocol != "UDP" && protocol != "TCP") {
    return InvalidArg("ter:InvalidStreamSetup",
                      "camsim streams over RTSP (UDP or TCP), not " + protocol);
  }
  return "<trt:GetStreamUriResponse><trt:MediaUri>" + Tag("tt:Uri", call.StreamUri(device, *s)) +
         "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
         "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout>"
         "</trt:MediaUri></trt:GetStreamUriResponse>";
}

// ---- Media2 (ver20) ----

SoapOutcome Media2GetProfiles(const OnvifDevice& device, const OnvifCall& call) {
  const std::string token = ChildText(call.request.operation, "Token");
  std::string out = "<tr2:GetProfilesResponse>";
  if (!token.empty()) {
    const OnvifStream* s = FindStream(device, token);
    if (s == nullptr) return NoProfile(token);
    out += Media2ProfileXml(device, *s);
  } else {
    for (const OnvifStream& s : device.streams) out += Media2ProfileXml(device, s);
  }
  return out + "</tr2:GetProfilesResponse>";
}

SoapOutcome Media2GetStreamUri(const OnvifDevice& device, const OnvifCall& call) {
  const std::string token = ChildText(call.request.operation, "ProfileToken");
  const OnvifStream* s = FindStream(device, token);
  if (s == nullptr) return NoProfile(token);
  const std::string protocol = ChildText(call.request.operation, "Protocol");
  if (protocol != "RTSP" && protocol != "RtspUnicast") {
    return InvalidArg("ter:InvalidStreamSetup",
                      "camsim streams RTSP and RtspUnicast, not '" + protocol + "'");
  }
  return "<tr2:GetStreamUriResponse>" + Tag("tr2:Uri", call.StreamUri(device, *s)) +
         "</tr2:GetStreamUriResponse>";
}

std::string Media2GetVideoSourceConfigurations(const OnvifDevice& device) {
  return "<tr2:GetVideoSourceConfigurationsResponse>" +
         VideoSourceConfigXml(device, "tr2:Configurations") +
         "</tr2:GetVideoSourceConfigurationsResponse>";
}

std::string Media2GetVideoEncoderConfigurations(const OnvifDevice& device) {
  std::string out = "<tr2:GetVideoEncoderConfigurationsResponse>";
  for (const OnvifStream& s : device.streams) out += VideoEncoder2ConfigXml(s, "tr2:Configurations");
  return out + "</tr2:GetVideoEncoderConfigurationsResponse>";
}

SoapFault NoSnapshots() {
  return SoapFault{true, "ter:ActionNotSupported",
                   "camsim serves no snapshots (its capabilities say SnapshotUri=false)"};
}

}  // namespace

SoapOutcome HandleMediaService(OnvifDevice& device, const OnvifCall& call) {
  const std::string_view op = call.request.operation_name();
  if (op == "GetProfiles") return MediaGetProfiles(device);
  if (op == "GetProfile") return MediaGetProfile(device, call);
  if (op == "GetVideoSources") return MediaGetVideoSources(device);
  if (op == "GetVideoSourceConfigurations") {
    return "<trt:GetVideoSourceConfigurationsResponse>" +
           VideoSourceConfigXml(device, "trt:Configurations") +
           "</trt:GetVideoSourceConfigurationsResponse>";
  }
  if (op == "GetVideoEncoderConfigurations") return MediaGetVideoEncoderConfigurations(device);
  if (op == "GetVideoEncoderConfiguration") return MediaGetVideoEncoderConfiguration(device, call);
  if (op == "GetStreamUri") return MediaGetStreamUri(device, call);
  if (op == "GetSnapshotUri") return NoSnapshots();
  return ActionNotSupported("Media service", op);
}

SoapOutcome HandleMedia2Service(OnvifDevice& device, const OnvifCall& call) {
  const std::string_view op = call.request.operation_name();
  if (op == "GetProfiles") return Media2GetProfiles(device, call);
  if (op == "GetStreamUri") return Media2GetStreamUri(device, call);
  if (op == "GetVideoSourceConfigurations") return Media2GetVideoSourceConfigurations(device);
  if (op == "GetVideoEncoderConfigurations") return Media2GetVideoEncoderConfigurations(device);
  if (op == "GetSnapshotUri") return NoSnapshots();
  return ActionNotSupported("Media2 service", op);
}

}  // namespace sightline::camsim
