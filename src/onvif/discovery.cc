#include "onvif/discovery.h"

#include <charconv>

#include "base/hex.h"
#include "base/percent_decode.h"
#include "onvif/soap.h"
#include "onvif/wsse.h"
#include "onvif/xml.h"

namespace sightline::onvif {
namespace {

constexpr size_t kMaxListEntries = 64;
constexpr size_t kMaxEntryBytes = 1024;
constexpr size_t kMaxMatches = 16;

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size() && out.size() < kMaxListEntries) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) ++i;
    const size_t start = i;
    while (i < text.size() && !(text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) ++i;
    if (i > start && i - start <= kMaxEntryBytes) out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

std::string Decoded(std::string_view s) {
  Result<std::string> d = PercentDecode(s);
  return d.ok() ? *d : std::string(s);
}

DiscoveredEndpoint ReadEndpoint(pugi::xml_node n) {
  DiscoveredEndpoint e;
  e.address = ChildText(Child(n, "EndpointReference"), "Address").substr(0, kMaxEntryBytes);
  e.types = SplitList(ChildText(n, "Types"));
  e.scopes = SplitList(ChildText(n, "Scopes"));
  e.xaddrs = SplitList(ChildText(n, "XAddrs"));
  const std::string version = ChildText(n, "MetadataVersion");
  uint64_t v = 0;
  const std::from_chars_result r = std::from_chars(version.data(), version.data() + version.size(), v);
  if (r.ec == std::errc()) e.metadata_version = v;
  e.scope_info = DecodeScopes(e.scopes);
  return e;
}

DiscoveryKind KindOf(std::string_view local, bool* known) {
  *known = true;
  if (local == "ProbeMatches") return DiscoveryKind::kProbeMatches;
  if (local == "Hello") return DiscoveryKind::kHello;
  if (local == "Bye") return DiscoveryKind::kBye;
  *known = false;
  return DiscoveryKind::kProbeMatches;
}

}  // namespace

std::string NewMessageId() {
  Bytes b = RandomNonce();  // 16 random bytes
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4 (RFC 4122 section 4.4)
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // variant 10
  const std::string h = HexLower(b);
  return "urn:uuid:" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20);
}

std::string BuildProbe(std::string_view message_id) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
         "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
         "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "
         "xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\">"
         "<s:Header>"
         "<a:Action s:mustUnderstand=\"1\">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>"
         "<a:MessageID>" + XmlEscape(message_id) + "</a:MessageID>"
         "<a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>"
         "<a:To s:mustUnderstand=\"1\">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>"
         "</s:Header>"
         "<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body>"
         "</s:Envelope>";
}

ScopeInfo DecodeScopes(const std::vector<std::string>& scopes) {
  constexpr std::string_view kPrefix = "onvif://www.onvif.org/";
  ScopeInfo info;
  for (const std::string& s : scopes) {
    if (s.size() <= kPrefix.size() || s.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    std::string_view rest = std::string_view(s).substr(kPrefix.size());
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) continue;
    const std::string_view key = rest.substr(0, slash);
    const std::string value = Decoded(rest.substr(slash + 1));
    if (key == "name" && info.name.empty()) {
      info.name = value;
    } else if (key == "hardware" && info.hardware.empty()) {
      info.hardware = value;
    } else if (key == "location") {
      // Several location scopes are common (country/..., city/...): joined with ", ".
      info.location += (info.location.empty() ? "" : ", ") + value;
    } else if (key == "Profile") {
      info.profiles.push_back(value);
    }
  }
  return info;
}

bool DiscoveredEndpoint::IsVideoTransmitter() const {
  if (types.empty()) return true;
  for (const std::string& t : types) {
    if (LocalName(t) == "NetworkVideoTransmitter") return true;
  }
  return false;
}

Result<DiscoveryMessage> ParseDiscoveryMessage(std::string_view datagram, std::string_view probe_message_id) {
  if (datagram.size() > kMaxDatagramBytes) return InvalidArgumentError("WS-Discovery: datagram too large");
  Result<SoapResponse> r = ParseEnvelope(datagram);
  if (!r.ok()) return std::move(r).status().WithContext("WS-Discovery");
  bool known = false;
  DiscoveryMessage msg;
  msg.kind = KindOf(LocalName(r->body.name()), &known);
  if (!known) {
    return InvalidArgumentError("WS-Discovery: <" + std::string(r->body.name()).substr(0, 50) +
                                "> is not ProbeMatches, Hello or Bye");
  }
  pugi::xml_node header = Child(r->doc->document_element(), "Header");
  msg.relates_to = ChildText(header, "RelatesTo").substr(0, kMaxEntryBytes);
  if (msg.kind == DiscoveryKind::kProbeMatches && !probe_message_id.empty() && msg.relates_to != probe_message_id) {
    return InvalidArgumentError("WS-Discovery: ProbeMatches relates to '" + msg.relates_to.substr(0, 80) +
                                "', not to our Probe '" + std::string(probe_message_id) + "'");
  }
  if (msg.kind == DiscoveryKind::kProbeMatches) {
    for (pugi::xml_node m : r->body.children()) {
      if (m.type() != pugi::node_element || LocalName(m.name()) != "ProbeMatch") continue;
      DiscoveredEndpoint e = ReadEndpoint(m);
      if (!e.address.empty()) msg.endpoints.push_back(std::move(e));
      if (msg.endpoints.size() == kMaxMatches) break;
    }
  } else {
    DiscoveredEndpoint e = ReadEndpoint(r->body);
    if (!e.address.empty()) msg.endpoints.push_back(std::move(e));
  }
  if (msg.endpoints.empty()) return InvalidArgumentError("WS-Discovery: no endpoint with an Address");
  return msg;
}

}  // namespace sightline::onvif
