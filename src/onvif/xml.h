#pragma once
// XML from cameras, parsed with pugixml (no DTD, no entity expansion beyond the five predefined
// ones, so no XXE or billion laughs), and read by local names: vendors put any prefix on any
// namespace (`tt:`, `ns2:`, none), so `<s:Envelope>` and `<SOAP-ENV:Envelope>` are both
// "Envelope". Pure.

#include <memory>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "base/result.h"

namespace sightline::onvif {

// The largest document accepted; ONVIF answers are a few kB, a profile list some tens.
inline constexpr size_t kMaxXmlBytes = 1 << 20;

// A parsed document. pugixml documents cannot move, so this holds one on the heap.
using XmlDoc = std::unique_ptr<pugi::xml_document>;

// Parses `bytes`; an error names the byte offset and pugixml's reason. Rejects documents over
// kMaxXmlBytes and a DOCTYPE (no ONVIF message has one).
Result<XmlDoc> ParseXml(std::string_view bytes);

// "Envelope" for "s:Envelope" or "Envelope".
std::string_view LocalName(std::string_view qualified);

// The first child element of `parent` with local name `name`, or an empty node.
pugi::xml_node Child(pugi::xml_node parent, std::string_view name);
// The first element below `parent` (any depth, document order) with local name `name`.
pugi::xml_node Descendant(pugi::xml_node parent, std::string_view name);
// The trimmed text of Child(parent, name), or "" if there is none.
std::string ChildText(pugi::xml_node parent, std::string_view name);
// The value of the attribute with local name `name`, or "".
std::string_view Attribute(pugi::xml_node node, std::string_view name);

// The namespace URI of `node`'s prefix (or of the default namespace), looked up through the
// xmlns declarations of it and its ancestors; "" when undeclared.
std::string_view NamespaceUri(pugi::xml_node node);
// The same for `prefix` ("" for the default namespace) in scope at `node`: for prefixes in
// text, such as an event's topic "tns1:VideoSource/MotionAlarm".
std::string_view PrefixNamespaceUri(pugi::xml_node node, std::string_view prefix);

// Camera quirk (zoneminder#3767): some firmware writes a raw `&` into text, typically the query
// of a `<tt:Uri>`, and the document does not parse. Returns `bytes` with every `&` that does not
// start an entity or character reference (`&name;`, `&#123;`, `&#x1F;`) written as `&amp;`.
std::string EscapeStrayAmpersands(std::string_view bytes);

// Escapes `&`, `<`, `>`, `"` and `'` for text or attribute values we write.
std::string XmlEscape(std::string_view text);

}  // namespace sightline::onvif
