#include "onvif/soap.h"

#include <array>
#include <vector>

namespace sightline::onvif {
namespace {

struct FaultParts {
  std::vector<std::string> codes;  // Code value, then each nested Subcode value
  std::string reason;
};

FaultParts ReadSoap12Fault(pugi::xml_node fault) {
  FaultParts parts;
  // Code/Value, Code/Subcode/Value, Code/Subcode/Subcode/Value... (SOAP 1.2 part 1, 5.4.6);
  // bounded, as the nesting comes from the camera.
  pugi::xml_node code = Child(fault, "Code");
  for (int depth = 0; code && depth < 8; ++depth) {
    std::string value = ChildText(code, "Value");
    if (!value.empty()) parts.codes.push_back(value.substr(0, 100));
    code = Child(code, "Subcode");
  }
  pugi::xml_node reason = Child(fault, "Reason");
  parts.reason = ChildText(reason, "Text");
  if (parts.reason.empty()) parts.reason = ChildText(fault, "Reason");
  return parts;
}

FaultParts ReadSoap11Fault(pugi::xml_node fault) {
  FaultParts parts;
  std::string code = ChildText(fault, "faultcode");
  if (!code.empty()) parts.codes.push_back(code.substr(0, 100));
  // ONVIF devices speaking SOAP 1.1 put the subcode in Detail, when anywhere; the reason text is
  // where its ter: code shows.
  parts.reason = ChildText(fault, "faultstring");
  return parts;
}

StatusCode CodeFor(const FaultParts& parts) {
  static constexpr std::array<std::string_view, 5> kAuth = {"NotAuthorized", "FailedAuthentication",
                                                            "InvalidSecurity", "FailedCheck",
                                                            "SecurityTokenUnavailable"};
  static constexpr std::array<std::string_view, 4> kNotFound = {"NoProfile", "NoConfig", "NoEntity", "NoSource"};
  // The most specific code decides: walk from the innermost subcode out.
  for (auto it = parts.codes.rbegin(); it != parts.codes.rend(); ++it) {
    const std::string_view local = LocalName(*it);
    for (std::string_view a : kAuth) {
      if (local == a) return StatusCode::kUnauthenticated;
    }
    for (std::string_view n : kNotFound) {
      if (local == n) return StatusCode::kNotFound;
    }
    if (local == "ActionNotSupported" || local == "VersionMismatch" || local == "MustUnderstand") {
      return StatusCode::kUnimplemented;
    }
    if (local == "Sender" || local == "Client") return StatusCode::kInvalidArgument;
    if (local == "Receiver" || local == "Server") return StatusCode::kUnavailable;
  }
  return StatusCode::kInvalidArgument;
}

Result<XmlDoc> ParseWithAmpersandRecovery(std::string_view bytes) {
  Result<XmlDoc> doc = ParseXml(bytes);
  if (doc.ok() || bytes.find('&') == std::string_view::npos || bytes.size() > kMaxXmlBytes) return doc;
  Result<XmlDoc> again = ParseXml(EscapeStrayAmpersands(bytes));
  if (again.ok()) return again;
  return doc;  // the first error describes the bytes as received
}

}  // namespace

std::string BuildEnvelope(std::string_view body_xml, const std::optional<UsernameToken>& token,
                          std::string_view header_xml) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\">";
  if (token || !header_xml.empty()) {
    out += "<s:Header>";
    out += header_xml;
    if (token) out += SecurityHeaderXml(*token);
    out += "</s:Header>";
  }
  out += "<s:Body>";
  out += body_xml;
  out += "</s:Body></s:Envelope>";
  return out;
}

Status FaultStatus(pugi::xml_node fault) {
  const bool soap11 = NamespaceUri(fault) == kSoap11Ns || Child(fault, "faultcode");
  const FaultParts parts = soap11 ? ReadSoap11Fault(fault) : ReadSoap12Fault(fault);
  std::string codes;
  for (const std::string& c : parts.codes) codes += (codes.empty() ? "" : "/") + c;
  std::string message = "SOAP Fault " + (codes.empty() ? std::string("(no code)") : codes);
  if (!parts.reason.empty()) message += ": " + parts.reason.substr(0, 200);
  return Status(CodeFor(parts), std::move(message));
}

Result<SoapResponse> ParseEnvelope(std::string_view bytes) {
  ASSIGN_OR_RETURN(XmlDoc doc, ParseWithAmpersandRecovery(bytes));
  pugi::xml_node envelope = doc->document_element();
  if (LocalName(envelope.name()) != "Envelope") {
    return InvalidArgumentError("SOAP: the root element is <" + std::string(envelope.name()).substr(0, 50) +
                                ">, not an Envelope");
  }
  const std::string_view ns = NamespaceUri(envelope);
  if (ns != kSoap12Ns && ns != kSoap11Ns) {
    return InvalidArgumentError("SOAP: Envelope namespace '" + std::string(ns.substr(0, 80)) +
                                "' is neither SOAP 1.2 nor 1.1");
  }
  pugi::xml_node body = Child(envelope, "Body");
  if (!body) return InvalidArgumentError("SOAP: the Envelope has no Body");
  pugi::xml_node first = body.first_child();
  while (first && first.type() != pugi::node_element) first = first.next_sibling();
  if (!first) return InvalidArgumentError("SOAP: the Body is empty");
  if (LocalName(first.name()) == "Fault") return FaultStatus(first);
  return SoapResponse{std::move(doc), first};
}

Result<SoapResponse> ParseResponse(std::string_view bytes, std::string_view expected) {
  ASSIGN_OR_RETURN(SoapResponse r, ParseEnvelope(bytes));
  if (LocalName(r.body.name()) != expected) {
    return InvalidArgumentError("SOAP: expected " + std::string(expected) + " in the Body, got <" +
                                std::string(r.body.name()).substr(0, 80) + ">");
  }
  return r;
}

}  // namespace sightline::onvif
