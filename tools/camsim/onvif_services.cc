#include "tools/camsim/onvif_services.h"

#include <cstdint>
#include <cstdio>

#include "onvif/xml.h"

namespace sightline::camsim {
namespace {

// RFC 3986 unreserved characters pass; the rest is percent-encoded (scopes are URIs).
std::string PercentEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// FNV-1a, then the SplitMix64 finalizer so that names differing in one character differ in
// every part of the UUID.
uint64_t Hash(std::string_view text, uint64_t seed) {
  uint64_t h = 14695981039346656037ull ^ seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

}  // namespace

std::vector<std::string> DeviceScopes(const OnvifDevice& device) {
  return {"onvif://www.onvif.org/name/" + PercentEncode(device.name),
          "onvif://www.onvif.org/hardware/camsim", "onvif://www.onvif.org/type/video_encoder",
          "onvif://www.onvif.org/type/ptz", "onvif://www.onvif.org/Profile/Streaming",
          "onvif://www.onvif.org/location/sightline"};
}

std::string DeviceUuid(std::string_view name) {
  const uint64_t a = Hash(name, 0x63616d73696dull);  // "camsim"
  const uint64_t b = Hash(name, a);
  char buf[64];
  // Version nibble 5 and variant bits 10 (RFC 4122 section 4.1.3, 4.1.1).
  std::snprintf(buf, sizeof(buf), "urn:uuid:%08x-%04x-5%03x-%04x-%012llx",
                static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xffff),
                static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

std::string ServiceUrl(const OnvifDevice& device, std::string_view authority,
                       std::string_view service) {
  const std::string path = "/onvif/" + device.name + "/" + std::string(service);
  // go2rtc#884 and go2rtc's resolveEventAddress: cameras that announce a relative path, or an
  // address the client cannot reach (a NAT'd or internal one).
  if (device.quirks.onvif_xaddr_relative) return path;
  if (device.quirks.onvif_xaddr_wrong) return "http://192.0.2.1:8999" + path;  // TEST-NET-1
  return "http://" + std::string(authority) + path;
}

std::string OnvifCall::StreamUri(const OnvifDevice& device, const OnvifStream& stream) const {
  std::string uri = "rtsp://" + rtsp_authority + "/" + stream.camera;
  // zoneminder#3767: a query with a '&' that the camera forgets to escape. camsim's RTSP server
  // ignores the query, so the URI still plays once a client repairs the XML.
  if (device.quirks.onvif_amp) return uri + "?profile=" + stream.token + "&transport=tcp";
  return onvif::XmlEscape(uri);
}

SoapFault ActionNotSupported(std::string_view service, std::string_view operation) {
  return SoapFault{false, "ter:ActionNotSupported",
                   std::string(operation) + " is not supported by camsim's " +
                       std::string(service)};
}

SoapFault InvalidArg(std::string subcode, std::string reason) {
  return SoapFault{false, "ter:InvalidArgVal " + std::move(subcode), std::move(reason)};
}

const OnvifStream* FindStream(const OnvifDevice& device, std::string_view token) {
  for (const OnvifStream& s : device.streams) {
    if (s.token == token) return &s;
  }
  return nullptr;
}

}  // namespace sightline::camsim
