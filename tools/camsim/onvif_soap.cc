#include "tools/camsim/onvif_soap.h"

#include <string>
#include <utility>

namespace sightline::camsim {

using onvif::Child;
using onvif::LocalName;

std::string NamespaceOf(pugi::xml_node element) {
  const std::string_view qualified = element.name();
  const size_t colon = qualified.find(':');
  const std::string attr =
      colon == std::string_view::npos ? "xmlns" : "xmlns:" + std::string(qualified.substr(0, colon));
  for (pugi::xml_node n = element; n && n.type() == pugi::node_element; n = n.parent()) {
    if (pugi::xml_attribute a = n.attribute(attr.c_str())) return a.value();
  }
  return "";
}

Result<SoapRequest> ParseSoapRequest(std::string_view bytes) {
  Result<onvif::XmlDoc> doc = onvif::ParseXml(bytes);
  if (!doc.ok()) return std::move(doc).status().WithContext("request is not well-formed XML");
  SoapRequest req;
  req.doc = std::move(*doc);
  const pugi::xml_node envelope = req.doc->document_element();
  if (LocalName(envelope.name()) != "Envelope") {
    return InvalidArgumentError("request is not a SOAP envelope (root element <" +
                                std::string(envelope.name()) + ">)");
  }
  const std::string env_ns = NamespaceOf(envelope);
  if (env_ns == kNsSoap11) {
    req.version = SoapVersion::k11;
  } else if (env_ns == kNsSoap12) {
    req.version = SoapVersion::k12;
  } else {
    return InvalidArgumentError("unknown SOAP envelope namespace '" + env_ns + "'");
  }
  req.header = Child(envelope, "Header");
  const pugi::xml_node body = Child(envelope, "Body");
  if (!body) return InvalidArgumentError("SOAP envelope without a Body");
  for (pugi::xml_node c : body.children()) {
    if (c.type() == pugi::node_element) {
      req.operation = c;
      break;
    }
  }
  if (!req.operation) return InvalidArgumentError("SOAP Body without an operation");
  req.operation_ns = NamespaceOf(req.operation);
  return req;
}

namespace {

// The prefixes every response may use, declared once on the envelope.
constexpr std::pair<std::string_view, std::string_view> kPrefixes[] = {
    {"tds", kNsDevice}, {"trt", kNsMedia},  {"tr2", kNsMedia2}, {"tptz", kNsPtz},  {"tt", kNsSchema},
    {"ter", kNsError},  {"tev", kNsEvents}, {"wsnt", kNsWsn},   {"wsa", kNsWsa},   {"tns1", kNsTopics}};

std::string EnvelopeOpen(SoapVersion version) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env=")";
  out += version == SoapVersion::k11 ? kNsSoap11 : kNsSoap12;
  out += '"';
  for (const auto& [prefix, ns] : kPrefixes) {
    out += " xmlns:";
    out += prefix;
    out += "=\"";
    out += ns;
    out += '"';
  }
  out += "><env:Body>";
  return out;
}

constexpr std::string_view kEnvelopeClose = "</env:Body></env:Envelope>";

}  // namespace

std::string SoapEnvelope(SoapVersion version, std::string_view body_xml) {
  std::string out = EnvelopeOpen(version);
  out += body_xml;
  out += kEnvelopeClose;
  return out;
}

std::string SoapFaultEnvelope(SoapVersion version, const SoapFault& fault) {
  const std::string reason = onvif::XmlEscape(fault.reason);
  std::string body;
  if (version == SoapVersion::k11) {
    // SOAP 1.1 section 4.4: faultcode and faultstring; the ONVIF subcode goes in faultcode.
    body = "<env:Fault><faultcode>" +
           (fault.subcode.empty() ? std::string(fault.receiver ? "env:Server" : "env:Client")
                                  : fault.subcode.substr(0, fault.subcode.find(' '))) +
           "</faultcode><faultstring>" + reason + "</faultstring></env:Fault>";
  } else {
    body = "<env:Fault><env:Code><env:Value>";
    body += fault.receiver ? "env:Receiver" : "env:Sender";
    body += "</env:Value>";
    // "ter:InvalidArgVal ter:NoProfile": nested subcodes, outermost first (ONVIF Core 5.11.2).
    std::string_view rest = fault.subcode;
    int depth = 0;
    while (!rest.empty()) {
      const size_t space = rest.find(' ');
      body += "<env:Subcode><env:Value>" + std::string(rest.substr(0, space)) + "</env:Value>";
      ++depth;
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
    for (int i = 0; i < depth; ++i) body += "</env:Subcode>";
    body += R"(</env:Code><env:Reason><env:Text xml:lang="en">)" + reason +
            "</env:Text></env:Reason></env:Fault>";
  }
  return SoapEnvelope(version, body);
}

std::string_view SoapContentType(SoapVersion version) {
  // SOAP 1.1 travels as text/xml (SOAP 1.1 section 6.1.1); 1.2 as application/soap+xml (RFC 3902).
  return version == SoapVersion::k11 ? "text/xml; charset=utf-8"
                                     : "application/soap+xml; charset=utf-8";
}

}  // namespace sightline::camsim
