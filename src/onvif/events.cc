#include "onvif/events.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <sstream>

#include "onvif/ptz.h"  // XsDuration
#include "onvif/wsse.h"  // ParseDateTime
#include "onvif/xml.h"

namespace sightline::onvif {
namespace {

constexpr std::string_view kWsnNs = "http://docs.oasis-open.org/wsn/b-2";
constexpr std::string_view kWsaNs = "http://www.w3.org/2005/08/addressing";
constexpr std::string_view kTopicsNs = "http://www.onvif.org/ver10/topics";
constexpr size_t kMaxItemBytes = 256;

std::string Open(std::string_view prefix, std::string_view op, std::string_view ns) {
  return "<" + std::string(prefix) + ":" + std::string(op) + " xmlns:" + std::string(prefix) + "=\"" +
         std::string(ns) + "\">";
}
std::string Close(std::string_view prefix, std::string_view op) {
  return "</" + std::string(prefix) + ":" + std::string(op) + ">";
}

// WS-Addressing headers for a request to the subscription: Action, To, the reference
// parameters (WS-Addressing 1.0 Core 3.3: each is a header block of its own).
std::string AddressingHeader(const PullPointSubscription& s, std::string_view action) {
  const std::string wsa = "xmlns:wsa=\"" + std::string(kWsaNs) + "\"";
  return "<wsa:Action " + wsa + ">" + XmlEscape(action) + "</wsa:Action><wsa:To " + wsa + ">" +
         XmlEscape(s.address.ToString()) + "</wsa:To>" + s.reference_parameters;
}

// TerminationTime − CurrentTime of a response that has both (camera clock on both sides, so
// the offset between the clocks does not matter).
std::optional<std::chrono::milliseconds> Lifetime(pugi::xml_node response) {
  Result<WallTime> now = ParseDateTime(ChildText(response, "CurrentTime"));
  Result<WallTime> end = ParseDateTime(ChildText(response, "TerminationTime"));
  if (!now.ok() || !end.ok()) return std::nullopt;
  return std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(*end - *now));
}

// Each child element of `params` printed with the declaration of its own prefix, so that it
// means the same outside the response it came from.
Result<std::string> ReferenceParameters(pugi::xml_node params) {
  std::string out;
  for (pugi::xml_node child = params.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    pugi::xml_document copy;
    pugi::xml_node node = copy.append_copy(child);
    const std::string_view qualified = child.name();
    const size_t colon = qualified.find(':');
    const std::string attr = colon == std::string_view::npos ? "xmlns" : "xmlns:" + std::string(qualified.substr(0, colon));
    if (!node.attribute(attr.c_str())) {
      const std::string uri(NamespaceUri(child));
      if (!uri.empty()) node.append_attribute(attr.c_str()) = uri.c_str();
    }
    std::ostringstream printed;
    node.print(printed, "", pugi::format_raw);
    out += printed.str();
    if (out.size() > kMaxReferenceParametersBytes) {
      return InvalidArgumentError("ReferenceParameters over " + std::to_string(kMaxReferenceParametersBytes) + " bytes");
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> SimpleItems(pugi::xml_node parent) {
  std::vector<std::pair<std::string, std::string>> out;
  for (pugi::xml_node item = parent.first_child(); item; item = item.next_sibling()) {
    if (LocalName(item.name()) != "SimpleItem" || out.size() >= 16) continue;
    out.emplace_back(std::string(Attribute(item, "Name")).substr(0, kMaxItemBytes),
                     std::string(Attribute(item, "Value")).substr(0, kMaxItemBytes));
  }
  return out;
}

Notification ReadNotification(pugi::xml_node message) {
  Notification n;
  pugi::xml_node topic = Child(message, "Topic");
  std::string text = topic.text().get();
  text.erase(0, text.find_first_not_of(" \t\r\n"));
  text.erase(text.find_last_not_of(" \t\r\n") + 1);
  const size_t colon = text.find(':');
  const std::string prefix = colon == std::string::npos ? "" : text.substr(0, colon);
  n.topic = text.substr(colon == std::string::npos ? 0 : colon + 1, kMaxItemBytes);
  const std::string_view uri = prefix.empty() ? std::string_view() : PrefixNamespaceUri(topic, prefix);
  // An undeclared tns1 is the ONVIF namespace in every camera seen; a declared one must be.
  n.standard_topic = uri == kTopicsNs || (uri.empty() && prefix == "tns1");
  pugi::xml_node body = Child(Child(message, "Message"), "Message");
  if (Result<WallTime> t = ParseDateTime(Attribute(body, "UtcTime")); t.ok()) n.utc_time = *t;
  n.property_operation = std::string(Attribute(body, "PropertyOperation")).substr(0, 32);
  n.source = SimpleItems(Child(body, "Source"));
  n.data = SimpleItems(Child(body, "Data"));
  return n;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::string_view> Item(const std::vector<std::pair<std::string, std::string>>& items,
                                     std::string_view name) {
  for (const auto& [n, v] : items) {
    if (EqualsIgnoreCase(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<bool> Boolean(std::string_view v) {
  if (EqualsIgnoreCase(v, "true") || v == "1") return true;
  if (EqualsIgnoreCase(v, "false") || v == "0") return false;
  return std::nullopt;
}

// The topics Sightline keeps and the data item holding each one's state.
struct KnownTopic {
  std::string_view path;  // compared without case: firmware varies
  CameraEventKind kind;
  std::string_view state_item;
};
constexpr std::array<KnownTopic, 10> kKnownTopics = {{
    {"VideoSource/MotionAlarm", CameraEventKind::kMotion, "State"},
    {"RuleEngine/CellMotionDetector/Motion", CameraEventKind::kMotion, "IsMotion"},
    {"RuleEngine/MotionRegionDetector/Motion", CameraEventKind::kMotion, "State"},
    {"VideoSource/GlobalSceneChange/ImagingService", CameraEventKind::kTamper, "State"},
    {"VideoSource/GlobalSceneChange/AnalyticsService", CameraEventKind::kTamper, "State"},
    {"RuleEngine/TamperDetector/Tamper", CameraEventKind::kTamper, "IsTamper"},
    {"VideoSource/ImageTooDark/ImagingService", CameraEventKind::kTamper, "State"},
    {"VideoSource/ImageTooBlurry/ImagingService", CameraEventKind::kTamper, "State"},
    {"Device/Trigger/DigitalInput", CameraEventKind::kInput, "LogicalState"},
    {"Device/IO/DigitalInput", CameraEventKind::kInput, "LogicalState"},
}};

}  // namespace

SoapRequest CreatePullPointSubscriptionRequest(std::chrono::milliseconds initial_termination) {
  return {std::string(kEventsNs) + "/EventPortType/CreatePullPointSubscriptionRequest",
          Open("tev", "CreatePullPointSubscription", kEventsNs) + "<tev:InitialTerminationTime>" +
              XsDuration(initial_termination) + "</tev:InitialTerminationTime>" +
              Close("tev", "CreatePullPointSubscription")};
}

Result<PullPointSubscription> ParseCreatePullPointSubscription(std::string_view response, const HttpUrl& base) {
  ASSIGN_OR_RETURN(SoapResponse r, ParseResponse(response, "CreatePullPointSubscriptionResponse"));
  pugi::xml_node reference = Child(r.body, "SubscriptionReference");
  const std::string address = ChildText(reference, "Address");
  if (address.empty()) return InvalidArgumentError("CreatePullPointSubscriptionResponse: no SubscriptionReference/Address");
  PullPointSubscription s;
  Result<HttpUrl> url = RebaseXAddr(address, base);
  if (!url.ok()) return std::move(url).status().WithContext("CreatePullPointSubscriptionResponse: the subscription address");
  s.address = std::move(url).value();
  if (pugi::xml_node params = Child(reference, "ReferenceParameters")) {
    ASSIGN_OR_RETURN(s.reference_parameters, ReferenceParameters(params));
  }
  s.lifetime = Lifetime(r.body);
  return s;
}

SoapRequest PullMessagesRequest(const PullPointSubscription& s, std::chrono::milliseconds timeout,
                                int message_limit) {
  const std::string action = std::string(kEventsNs) + "/PullPointSubscription/PullMessagesRequest";
  return {action,
          Open("tev", "PullMessages", kEventsNs) + "<tev:Timeout>" + XsDuration(timeout) +
              "</tev:Timeout><tev:MessageLimit>" + std::to_string(std::max(1, message_limit)) +
              "</tev:MessageLimit>" + Close("tev", "PullMessages"),
          AddressingHeader(s, action)};
}

SoapRequest RenewRequest(const PullPointSubscription& s, std::chrono::milliseconds termination) {
  const std::string action = "http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest";
  return {action,
          Open("wsnt", "Renew", kWsnNs) + "<wsnt:TerminationTime>" + XsDuration(termination) +
              "</wsnt:TerminationTime>" + Close("wsnt", "Renew"),
          AddressingHeader(s, action)};
}

SoapRequest UnsubscribeRequest(const PullPointSubscription& s) {
  const std::string action = "http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeRequest";
  return {action, "<wsnt:Unsubscribe xmlns:wsnt=\"" + std::string(kWsnNs) + "\"/>", AddressingHeader(s, action)};
}

Result<PullMessagesResult> ParsePullMessages(std::string_view response) {
  ASSIGN_OR_RETURN(SoapResponse r, ParseResponse(response, "PullMessagesResponse"));
  PullMessagesResult out;
  out.lifetime = Lifetime(r.body);
  for (pugi::xml_node m = r.body.first_child(); m; m = m.next_sibling()) {
    if (LocalName(m.name()) != "NotificationMessage") continue;
    if (out.notifications.size() >= kMaxNotifications) {
      ++out.dropped;
      continue;
    }
    out.notifications.push_back(ReadNotification(m));
  }
  return out;
}

Result<std::optional<std::chrono::milliseconds>> ParseRenew(std::string_view response) {
  ASSIGN_OR_RETURN(SoapResponse r, ParseResponse(response, "RenewResponse"));
  return Lifetime(r.body);
}

std::string_view CameraEventKindName(CameraEventKind k) {
  switch (k) {
    case CameraEventKind::kMotion: return "motion";
    case CameraEventKind::kTamper: return "tamper";
    case CameraEventKind::kInput: return "input";
  }
  return "motion";
}

Result<CameraEventKind> ParseCameraEventKind(std::string_view name) {
  for (CameraEventKind k : {CameraEventKind::kMotion, CameraEventKind::kTamper, CameraEventKind::kInput}) {
    if (name == CameraEventKindName(k)) return k;
  }
  return InvalidArgumentError("'" + std::string(name.substr(0, 40)) + "' is no camera event kind (motion, tamper, input)");
}

std::optional<CameraSignal> Classify(const Notification& n) {
  if (!n.standard_topic || EqualsIgnoreCase(n.property_operation, "Deleted")) return std::nullopt;
  const auto known = std::find_if(kKnownTopics.begin(), kKnownTopics.end(),
                                  [&](const KnownTopic& t) { return EqualsIgnoreCase(t.path, n.topic); });
  if (known == kKnownTopics.end()) return std::nullopt;
  const std::optional<std::string_view> value = Item(n.data, known->state_item);
  const std::optional<bool> state = value ? Boolean(*value) : std::nullopt;
  if (!state) return std::nullopt;
  CameraSignal s;
  s.kind = known->kind;
  s.state = *state;
  s.initialized = EqualsIgnoreCase(n.property_operation, "Initialized");
  if (s.kind == CameraEventKind::kInput) {
    s.input = std::string(Item(n.source, "InputToken").value_or(""));
    if (s.input.empty()) s.input = std::string(Item(n.source, "Index").value_or(""));
    // It names the event's source in the index and the UI: short and plain.
    s.input = s.input.substr(0, 32);
    for (char& c : s.input) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
    }
  }
  s.member = n.topic;
  for (const auto& [name, v] : n.source) s.member += "|" + name + "=" + v;
  return s;
}

}  // namespace sightline::onvif
