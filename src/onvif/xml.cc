#include "onvif/xml.h"

#include <cctype>
#include <string>

namespace sightline::onvif {

Result<XmlDoc> ParseXml(std::string_view bytes) {
  if (bytes.size() > kMaxXmlBytes) {
    return InvalidArgumentError("XML: " + std::to_string(bytes.size()) + " bytes, over the limit of " +
                                std::to_string(kMaxXmlBytes));
  }
  auto doc = std::make_unique<pugi::xml_document>();
  // parse_default without parse_doctype skips a DOCTYPE's contents; we refuse one outright.
  pugi::xml_parse_result r =
      doc->load_buffer(bytes.data(), bytes.size(), pugi::parse_default | pugi::parse_doctype, pugi::encoding_utf8);
  if (!r) {
    return InvalidArgumentError("XML: " + std::string(r.description()) + " at byte " + std::to_string(r.offset));
  }
  for (pugi::xml_node n : doc->children()) {
    if (n.type() == pugi::node_doctype) return InvalidArgumentError("XML: a DOCTYPE is not accepted");
  }
  if (!doc->document_element()) return InvalidArgumentError("XML: no root element");
  return doc;
}

std::string_view LocalName(std::string_view qualified) {
  size_t colon = qualified.rfind(':');
  return colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
}

pugi::xml_node Child(pugi::xml_node parent, std::string_view name) {
  for (pugi::xml_node c : parent.children()) {
    if (c.type() == pugi::node_element && LocalName(c.name()) == name) return c;
  }
  return {};
}

pugi::xml_node Descendant(pugi::xml_node parent, std::string_view name) {
  return parent.find_node([name](pugi::xml_node n) {
    return n.type() == pugi::node_element && LocalName(n.name()) == name;
  });
}

namespace {
std::string Trim(std::string_view s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}
}  // namespace

std::string ChildText(pugi::xml_node parent, std::string_view name) {
  return Trim(Child(parent, name).text().get());
}

std::string_view Attribute(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_attribute a : node.attributes()) {
    if (LocalName(a.name()) == name) return a.value();
  }
  return {};
}

std::string_view PrefixNamespaceUri(pugi::xml_node node, std::string_view prefix) {
  const std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    if (pugi::xml_attribute a = n.attribute(attr.c_str())) return a.value();
  }
  return {};
}

std::string_view NamespaceUri(pugi::xml_node node) {
  const std::string_view name = node.name();
  const size_t colon = name.find(':');
  return PrefixNamespaceUri(node, colon == std::string_view::npos ? std::string_view() : name.substr(0, colon));
}

namespace {
bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}
// Whether `s` (just after a '&') is a reference: "name;", "#digits;" or "#xhex;".
bool StartsReference(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '#') {
    ++i;
    bool hex = i < s.size() && (s[i] == 'x' || s[i] == 'X');
    if (hex) ++i;
    size_t digits = i;
    while (i < s.size() && (hex ? std::isxdigit(static_cast<unsigned char>(s[i])) != 0 : s[i] >= '0' && s[i] <= '9')) {
      ++i;
    }
    return i > digits && i < s.size() && s[i] == ';';
  }
  while (i < s.size() && i < 32 && IsNameChar(s[i])) ++i;
  return i > 0 && i < s.size() && s[i] == ';';
}
}  // namespace

std::string EscapeStrayAmpersands(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + 16);
  for (size_t i = 0; i < bytes.size(); ++i) {
    out += bytes[i];
    if (bytes[i] == '&' && !StartsReference(bytes.substr(i + 1))) out += "amp;";
  }
  return out;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace sightline::onvif
