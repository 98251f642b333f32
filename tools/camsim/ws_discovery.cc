#include "tools/camsim/ws_discovery.h"

#include <cstdio>
#include <sstream>
#include <utility>

#include "onvif/xml.h"
#include "tools/camsim/onvif_soap.h"

namespace sightline::camsim {
namespace {

using onvif::Child;
using onvif::ChildText;
using onvif::XmlEscape;

constexpr std::string_view kActionBase = "http://schemas.xmlsoap.org/ws/2005/04/discovery/";
constexpr std::string_view kAnonymous =
    "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous";
constexpr std::string_view kDiscoveryUrn = "urn:schemas-xmlsoap-org:ws:2005:04:discovery";

// The namespace `prefix` ("" for the default one) is bound to at `node`.
std::string LookupNamespace(pugi::xml_node node, std::string_view prefix) {
  const std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    if (pugi::xml_attribute a = n.attribute(attr.c_str())) return a.value();
  }
  return "";
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// RFC 3986 matching (WS-Discovery 2005/04 section 5.1): the probe's scope equals ours or is a
// prefix of it ending at a path segment boundary.
bool ScopeMatches(std::string_view wanted, std::string_view ours) {
  while (wanted.size() > 1 && wanted.back() == '/') wanted.remove_suffix(1);
  if (!ours.starts_with(wanted)) return false;
  return ours.size() == wanted.size() || ours[wanted.size()] == '/';
}

std::string Header(std::string_view action, std::string_view message_id, std::string_view to,
                   std::string_view relates_to, AppSequence seq) {
  std::string h = "<env:Header><wsa:MessageID>" + std::string(message_id) + "</wsa:MessageID>";
  if (!relates_to.empty()) h += "<wsa:RelatesTo>" + XmlEscape(relates_to) + "</wsa:RelatesTo>";
  h += "<wsa:To>" + std::string(to) + "</wsa:To><wsa:Action>" + std::string(kActionBase) +
       std::string(action) + "</wsa:Action><wsd:AppSequence InstanceId=\"" +
       std::to_string(seq.instance_id) + "\" MessageNumber=\"" +
       std::to_string(seq.message_number) + "\"/></env:Header>";
  return h;
}

std::string Envelope(std::string_view header, std::string_view body) {
  return R"(<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env=")" +
         std::string(kNsSoap12) + R"(" xmlns:wsa=")" + std::string(kNsAddressing) +
         R"(" xmlns:wsd=")" + std::string(kNsDiscovery) + R"(" xmlns:tdn=")" +
         std::string(kNsNetwork) + R"(" xmlns:tds=")" + std::string(kNsDevice) + R"(">)" +
         std::string(header) + "<env:Body>" + std::string(body) + "</env:Body></env:Envelope>";
}

std::string EndpointReference(const DiscoveryTarget& t) {
  return "<wsa:EndpointReference><wsa:Address>" + XmlEscape(t.address) +
         "</wsa:Address></wsa:EndpointReference>";
}

// Types, Scopes, XAddrs and MetadataVersion: what ProbeMatch and Hello share.
std::string Description(const DiscoveryTarget& t) {
  std::string scopes;
  for (const std::string& s : t.scopes) scopes += (scopes.empty() ? "" : " ") + XmlEscape(s);
  return EndpointReference(t) + "<wsd:Types>tdn:NetworkVideoTransmitter tds:Device</wsd:Types>" +
         "<wsd:Scopes>" + scopes + "</wsd:Scopes><wsd:XAddrs>" + XmlEscape(t.xaddrs) +
         "</wsd:XAddrs><wsd:MetadataVersion>1</wsd:MetadataVersion>";
}

}  // namespace

Result<DiscoveryProbe> ParseProbe(std::string_view bytes) {
  ASSIGN_OR_RETURN(SoapRequest soap, ParseSoapRequest(bytes));
  if (soap.operation_name() != "Probe" || soap.operation_ns != kNsDiscovery) {
    return NotFoundError("not a Probe but " + std::string(soap.operation_name()));
  }
  DiscoveryProbe probe;
  probe.message_id = ChildText(soap.header, "MessageID");
  if (probe.message_id.empty()) return InvalidArgumentError("Probe without a MessageID");
  const pugi::xml_node types = Child(soap.operation, "Types");
  for (const std::string& qname : Words(types.text().get())) {
    const size_t colon = qname.find(':');
    const std::string prefix = colon == std::string::npos ? "" : qname.substr(0, colon);
    const std::string ns = LookupNamespace(types, prefix);
    if (ns.empty() && !prefix.empty()) {
      return InvalidArgumentError("Probe type '" + qname + "' has an undeclared prefix");
    }
    probe.types.emplace_back(ns, colon == std::string::npos ? qname : qname.substr(colon + 1));
  }
  probe.scopes = Words(ChildText(soap.operation, "Scopes"));
  return probe;
}

bool ProbeMatches(const DiscoveryProbe& probe, const DiscoveryTarget& target) {
  for (const auto& [ns, name] : probe.types) {
    const bool ours = (ns == kNsNetwork && name == "NetworkVideoTransmitter") ||
                      (ns == kNsDevice && name == "Device");
    if (!ours) return false;
  }
  for (const std::string& wanted : probe.scopes) {
    bool found = false;
    for (const std::string& s : target.scopes) found = found || ScopeMatches(wanted, s);
    if (!found) return false;
  }
  return true;
}

std::string ProbeMatchesXml(const DiscoveryTarget& target, std::string_view relates_to,
                            std::string_view message_id, AppSequence seq) {
  return Envelope(Header("ProbeMatches", message_id, kAnonymous, relates_to, seq),
                  "<wsd:ProbeMatches><wsd:ProbeMatch>" + Description(target) +
                      "</wsd:ProbeMatch></wsd:ProbeMatches>");
}

std::string HelloXml(const DiscoveryTarget& target, std::string_view message_id, AppSequence seq) {
  return Envelope(Header("Hello", message_id, kDiscoveryUrn, "", seq),
                  "<wsd:Hello>" + Description(target) + "</wsd:Hello>");
}

std::string ByeXml(const DiscoveryTarget& target, std::string_view message_id, AppSequence seq) {
  return Envelope(Header("Bye", message_id, kDiscoveryUrn, "", seq),
                  "<wsd:Bye>" + EndpointReference(target) + "</wsd:Bye>");
}


}  // namespace sightline::camsim
