#pragma once
// SOAP envelopes for camsim's ONVIF services (SOAP 1.2, W3C "SOAP Version 1.2 Part 1"; SOAP 1.1
// for the onvif-soap11 quirk): reading a request's operation and security header, writing a
// response or a fault. Requests are read by local names (src/onvif/xml.h), so any prefix works.
// Pure.

#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "base/result.h"
#include "onvif/xml.h"

namespace sightline::camsim {

// Namespaces of the services and schemas camsim speaks (ONVIF Core and service WSDLs).
inline constexpr std::string_view kNsSoap12 = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr std::string_view kNsSoap11 = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kNsDevice = "http://www.onvif.org/ver10/device/wsdl";
inline constexpr std::string_view kNsMedia = "http://www.onvif.org/ver10/media/wsdl";
inline constexpr std::string_view kNsMedia2 = "http://www.onvif.org/ver20/media/wsdl";
inline constexpr std::string_view kNsPtz = "http://www.onvif.org/ver20/ptz/wsdl";
inline constexpr std::string_view kNsSchema = "http://www.onvif.org/ver10/schema";
inline constexpr std::string_view kNsError = "http://www.onvif.org/ver10/error";
inline constexpr std::string_view kNsEvents = "http://www.onvif.org/ver10/events/wsdl";
inline constexpr std::string_view kNsWsn = "http://docs.oasis-open.org/wsn/b-2";
inline constexpr std::string_view kNsWsa = "http://www.w3.org/2005/08/addressing";
inline constexpr std::string_view kNsTopics = "http://www.onvif.org/ver10/topics";

enum class SoapVersion { k11, k12 };

// A parsed request: the document, the Header (may be empty) and the one operation element in
// the Body, with its namespace resolved.
struct SoapRequest {
  onvif::XmlDoc doc;
  SoapVersion version = SoapVersion::k12;
  pugi::xml_node header;
  pugi::xml_node operation;
  std::string operation_ns;  // namespace URI of the operation element
  std::string_view operation_name() const { return onvif::LocalName(operation.name()); }
};

// Parses an envelope. Errors say what is wrong (not XML, no Envelope, empty Body, ...).
Result<SoapRequest> ParseSoapRequest(std::string_view bytes);

// The namespace URI an element's prefix (or default namespace) resolves to, looking up the
// xmlns declarations on it and its ancestors; "" if undeclared.
std::string NamespaceOf(pugi::xml_node element);

// A fault (SOAP 1.2 section 5.4, ONVIF Core 5.11): Sender or Receiver, an ONVIF subcode such
// as "ter:ActionNotSupported" (prefix ter: is declared on the envelope) and a reason.
struct SoapFault {
  bool receiver = false;  // env:Receiver (the camera failed) instead of env:Sender
  std::string subcode;    // e.g. "ter:InvalidArgVal", optionally followed by " ter:NoProfile"
  std::string reason;
};

// The full envelope around `body_xml` (already XML: elements with prefixes tds:, trt:, tr2:,
// tptz:, tt:, ter:, tev:, wsnt:, wsa:, tns1:, which the envelope declares).
std::string SoapEnvelope(SoapVersion version, std::string_view body_xml);
std::string SoapFaultEnvelope(SoapVersion version, const SoapFault& fault);
// The Content-Type of a response in `version`.
std::string_view SoapContentType(SoapVersion version);

}  // namespace sightline::camsim
