#pragma once
// SOAP envelopes: the requests we send (SOAP 1.2, as ONVIF specifies) and the responses we
// read, which cameras write in SOAP 1.2 or 1.1 with any namespace prefixes. A SOAP Fault
// becomes a Status naming its Code, Subcodes and Reason. Pure.

#include <optional>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "base/result.h"
#include "onvif/wsse.h"
#include "onvif/xml.h"

namespace sightline::onvif {

inline constexpr std::string_view kSoap12Ns = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr std::string_view kSoap11Ns = "http://schemas.xmlsoap.org/soap/envelope/";

// The ONVIF services Sightline talks to, by the namespace GetServices names them with.
inline constexpr std::string_view kDeviceNs = "http://www.onvif.org/ver10/device/wsdl";
inline constexpr std::string_view kMedia1Ns = "http://www.onvif.org/ver10/media/wsdl";
inline constexpr std::string_view kMedia2Ns = "http://www.onvif.org/ver20/media/wsdl";
inline constexpr std::string_view kEventsNs = "http://www.onvif.org/ver10/events/wsdl";
inline constexpr std::string_view kPtzNs = "http://www.onvif.org/ver20/ptz/wsdl";
inline constexpr std::string_view kImagingNs = "http://www.onvif.org/ver20/imaging/wsdl";

// One SOAP operation: the action (for the HTTP Content-Type) and the Body's content, an
// element that declares its own namespaces. `header_xml`: further Header elements, each
// declaring its namespaces (WS-Addressing for the Events service's subscriptions), or "".
struct SoapRequest {
  std::string action;
  std::string body_xml;
  std::string header_xml = {};
};

// A SOAP 1.2 envelope (prefix `s`) around `body_xml`, with a Header holding `header_xml` and a
// WS-Security header carrying `token` when given.
std::string BuildEnvelope(std::string_view body_xml, const std::optional<UsernameToken>& token = std::nullopt,
                          std::string_view header_xml = {});

// A parsed response: the document and the first element of its Body.
struct SoapResponse {
  XmlDoc doc;
  pugi::xml_node body;  // first element child of Body; lives as long as `doc`
};

// Parses a response envelope (SOAP 1.2 or 1.1 namespace, any prefix). A document that does not
// parse is retried once with stray `&` escaped (EscapeStrayAmpersands, zoneminder#3767). A Fault
// is returned as its Status (FaultStatus); an empty Body or another root is InvalidArgument.
Result<SoapResponse> ParseEnvelope(std::string_view bytes);

// As ParseEnvelope, and the Body's element must have local name `expected` (e.g.
// "GetProfilesResponse"); the error names both.
Result<SoapResponse> ParseResponse(std::string_view bytes, std::string_view expected);

// The Status for a Fault element (SOAP 1.2 Code/Subcode/Reason, or SOAP 1.1 faultcode/
// faultstring): "SOAP Fault env:Sender/ter:NotAuthorized: Sender not authorized". The code
// follows the most specific subcode: NotAuthorized, FailedAuthentication, InvalidSecurity and
// FailedCheck are Unauthenticated; ActionNotSupported and VersionMismatch Unimplemented;
// NoProfile, NoConfig, NoEntity NotFound; other Sender faults InvalidArgument; Receiver
// faults Unavailable.
Status FaultStatus(pugi::xml_node fault);

}  // namespace sightline::onvif
