// The Events service (ONVIF Core 9.1: tev, with WS-BaseNotification's wsnt) over each camera's
// EventState: CreatePullPointSubscription, GetEventProperties, GetServiceCapabilities; and the
// pull point of each subscription: PullMessages (held until a change or its Timeout),
// Renew, Unsubscribe, SetSynchronizationPoint. The camera's motion is
// tns1:VideoSource/MotionAlarm with data item State, source item Source = "vs0".
//
// Quirks (tools/camsim/README.md): onvif-events-no-false never reports the end of motion;
// onvif-events-inverted reports State backwards; onvif-pull-immediate answers PullMessages at
// once; onvif-pull-hold holds every pull 5 s beyond its Timeout; onvif-no-renew has no Renew.
// A camsim restart forgets every subscription: the next pull gets a fault, as after a reboot.

#include <algorithm>
#include <charconv>
#include <string>

#include "onvif/ptz.h"   // ParseXsDuration
#include "onvif/wsse.h"  // FormatDateTime, ParseDateTime
#include "onvif/xml.h"
#include "tools/camsim/onvif_services.h"

namespace sightline::camsim {
namespace {

using onvif::ChildText;
using std::chrono::milliseconds;

constexpr milliseconds kDefaultLifetime{60000};
constexpr milliseconds kMaxLifetime{3600000};
constexpr milliseconds kMaxPullTimeout{120000};
constexpr milliseconds kHoldQuirkExtra{5000};
constexpr int kMaxMessageLimit = 1000;
constexpr std::string_view kIdParameter = "SubscriptionId";

// A termination time: a duration ("PT60S") or an absolute time on the camera's clock.
milliseconds ParseTermination(const std::string& text, WallTime camera_now) {
  if (text.empty()) return kDefaultLifetime;
  if (Result<milliseconds> d = onvif::ParseXsDuration(text); d.ok()) return std::clamp(*d, milliseconds(1000), kMaxLifetime);
  if (Result<WallTime> t = onvif::ParseDateTime(text); t.ok()) {
    return std::clamp(std::chrono::duration_cast<milliseconds>(*t - camera_now), milliseconds(1000), kMaxLifetime);
  }
  return kDefaultLifetime;
}

std::string Times(const OnvifCall& call, MonoTime expires, std::string_view prefix) {
  const WallTime end = call.camera_now + std::chrono::duration_cast<milliseconds>(expires - call.now);
  const std::string p(prefix);
  return "<" + p + ":CurrentTime>" + onvif::FormatDateTime(call.camera_now) + "</" + p + ":CurrentTime><" + p +
         ":TerminationTime>" + onvif::FormatDateTime(end) + "</" + p + ":TerminationTime>";
}

SoapFault NoSubscription(std::string_view why) {
  return SoapFault{false, "ter:InvalidArgVal ter:NoSubscription", std::string(why)};
}

// The subscription a request is for: its ReferenceParameters' SubscriptionId header, or the
// `id` in the address's query (clients that do not echo reference parameters).
std::optional<uint64_t> SubscriptionId(const OnvifCall& call) {
  std::string text = ChildText(call.request.header, kIdParameter);
  if (text.empty()) {
    const size_t q = call.target.find("?id=");
    if (q != std::string_view::npos) text = std::string(call.target.substr(q + 4));
  }
  uint64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

SoapOutcome CreatePullPointSubscription(OnvifDevice& device, const OnvifCall& call) {
  EventState& events = device.events;
  if (events.subscriptions.size() >= kMaxEventSubscriptions) {
    return SoapFault{true, "ter:Action ter:TooManySubscriptions",
                     "this camera keeps " + std::to_string(kMaxEventSubscriptions) + " subscriptions at most"};
  }
  const milliseconds lifetime =
      ParseTermination(ChildText(call.request.operation, "InitialTerminationTime"), call.camera_now);
  const uint64_t id = events.next_id++;
  EventSubscription& s = events.subscriptions[id];
  s.expires = call.now + lifetime;
  s.told_until = call.now;
  const std::string address = call.ServiceUrl(device, kServiceSubscription) + "?id=" + std::to_string(id);
  return "<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa:Address>" +
         onvif::XmlEscape(address) + "</wsa:Address><wsa:ReferenceParameters><cs:" + std::string(kIdParameter) +
         " xmlns:cs=\"urn:sightline:camsim\">" + std::to_string(id) + "</cs:" + std::string(kIdParameter) +
         "></wsa:ReferenceParameters></tev:SubscriptionReference>" + Times(call, s.expires, "wsnt") +
         "</tev:CreatePullPointSubscriptionResponse>";
}

std::string GetEventProperties() {
  return "<tev:GetEventPropertiesResponse>"
         "<tev:TopicNamespaceLocation>http://www.onvif.org/onvif/ver10/topics/topicns.xml</tev:TopicNamespaceLocation>"
         "<wsnt:FixedTopicSet>true</wsnt:FixedTopicSet>"
         "<wstop:TopicSet xmlns:wstop=\"http://docs.oasis-open.org/wsn/t-1\"><tns1:VideoSource>"
         "<MotionAlarm wstop:topic=\"true\"><tt:MessageDescription IsProperty=\"true\">"
         "<tt:Source><tt:SimpleItemDescription Name=\"Source\" Type=\"tt:ReferenceToken\"/></tt:Source>"
         "<tt:Data><tt:SimpleItemDescription Name=\"State\" Type=\"xs:boolean\"/></tt:Data>"
         "</tt:MessageDescription></MotionAlarm></tns1:VideoSource></wstop:TopicSet>"
         "<wsnt:TopicExpressionDialect>http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"
         "</wsnt:TopicExpressionDialect></tev:GetEventPropertiesResponse>";
}

std::string MotionMessage(const OnvifDevice& device, const OnvifCall& call, MonoTime at, bool state,
                          std::string_view operation) {
  const bool reported = device.quirks.onvif_events_inverted ? !state : state;
  const WallTime when = call.camera_now - std::chrono::duration_cast<milliseconds>(call.now - at);
  return "<wsnt:NotificationMessage><wsnt:Topic Dialect=\"http://www.onvif.org/ver10/tev/topicExpression/"
         "ConcreteSet\">tns1:VideoSource/MotionAlarm</wsnt:Topic><wsnt:Message><tt:Message UtcTime=\"" +
         onvif::FormatDateTime(when) + "\" PropertyOperation=\"" + std::string(operation) +
         "\"><tt:Source><tt:SimpleItem Name=\"Source\" Value=\"vs0\"/></tt:Source><tt:Data>"
         "<tt:SimpleItem Name=\"State\" Value=\"" +
         (reported ? "true" : "false") + "\"/></tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>";
}

// What subscription `s` has not been told yet, up to `limit` messages; advances it.
std::string TakeMessages(const OnvifDevice& device, const OnvifCall& call, EventSubscription& s, size_t limit,
                         size_t* count) {
  std::string out;
  const EventSchedule& schedule = device.events.schedule;
  const bool no_false = device.quirks.onvif_events_no_false;
  if (!s.initialized_sent && limit > 0) {
    s.initialized_sent = true;
    const bool state = schedule.ActiveAt(s.told_until);
    if (state || !no_false) {
      out += MotionMessage(device, call, s.told_until, state, "Initialized");
      ++*count;
    }
  }
  for (MonoTime t : schedule.ChangesIn(s.told_until, call.now, limit)) {
    if (*count >= limit) break;
    s.told_until = t;
    const bool state = schedule.ActiveAt(t);
    if (!state && no_false) continue;
    out += MotionMessage(device, call, t, state, "Changed");
    ++*count;
  }
  if (*count < limit) s.told_until = call.now;
  return out;
}

SoapOutcome PullMessages(OnvifDevice& device, const OnvifCall& call, EventSubscription& s) {
  milliseconds timeout = kDefaultLifetime / 6;
  if (Result<milliseconds> t = onvif::ParseXsDuration(ChildText(call.request.operation, "Timeout")); t.ok()) {
    timeout = std::min(*t, kMaxPullTimeout);
  }
  int limit = 100;
  const std::string limit_text = ChildText(call.request.operation, "MessageLimit");
  std::from_chars(limit_text.data(), limit_text.data() + limit_text.size(), limit);
  limit = std::clamp(limit, 1, kMaxMessageLimit);
  const Quirks& q = device.quirks;
  const MonoTime answer_by = call.received + timeout + (q.onvif_pull_hold ? kHoldQuirkExtra : milliseconds(0));
  if (!q.onvif_pull_immediate && call.now < answer_by) {
    // Held: by this quirk to the end; otherwise until the next change of state.
    std::optional<MonoTime> next = device.events.schedule.NextChange(s.told_until);
    const bool pending = !s.initialized_sent || (next && *next <= call.now);
    if (q.onvif_pull_hold || !pending) {
      MonoTime until = answer_by;
      if (!q.onvif_pull_hold && next) until = std::min(until, *next);
      return SoapHold{until};
    }
  }
  ++device.events.pulls;
  size_t count = 0;
  const std::string messages = TakeMessages(device, call, s, static_cast<size_t>(limit), &count);
  return "<tev:PullMessagesResponse>" + Times(call, s.expires, "tev") + messages + "</tev:PullMessagesResponse>";
}

}  // namespace

SoapOutcome HandleEventsService(OnvifDevice& device, const OnvifCall& call) {
  device.events.Expire(call.now);
  const std::string_view op = call.request.operation_name();
  if (op == "CreatePullPointSubscription") return CreatePullPointSubscription(device, call);
  if (op == "GetEventProperties") return GetEventProperties();
  if (op == "GetServiceCapabilities") {
    return "<tev:GetServiceCapabilitiesResponse><tev:Capabilities WSSubscriptionPolicySupport=\"false\" "
           "WSPullPointSupport=\"true\" WSPausableSubscriptionManagerInterfaceSupport=\"false\" "
           "MaxNotificationProducers=\"0\" MaxPullPoints=\"" +
           std::to_string(kMaxEventSubscriptions) + "\"/></tev:GetServiceCapabilitiesResponse>";
  }
  return ActionNotSupported("Events service", op);
}

SoapOutcome HandleSubscriptionService(OnvifDevice& device, const OnvifCall& call) {
  device.events.Expire(call.now);
  const std::string_view op = call.request.operation_name();
  const std::optional<uint64_t> id = SubscriptionId(call);
  if (!id) return NoSubscription("no subscription id (SubscriptionId header or ?id=)");
  auto it = device.events.subscriptions.find(*id);
  if (it == device.events.subscriptions.end()) {
    return NoSubscription("no subscription " + std::to_string(*id) + " (it expired, or the camera restarted)");
  }
  EventSubscription& s = it->second;
  if (op == "PullMessages") return PullMessages(device, call, s);
  if (op == "SetSynchronizationPoint") {
    s.initialized_sent = false;
    return "<tev:SetSynchronizationPointResponse/>";
  }
  if (op == "Renew" && !device.quirks.onvif_no_renew) {
    s.expires = call.now + ParseTermination(ChildText(call.request.operation, "TerminationTime"), call.camera_now);
    return "<wsnt:RenewResponse>" + Times(call, s.expires, "wsnt") + "</wsnt:RenewResponse>";
  }
  if (op == "Unsubscribe") {
    device.events.subscriptions.erase(it);
    return "<wsnt:UnsubscribeResponse/>";
  }
  return ActionNotSupported("pull point", op);
}

}  // namespace sightline::camsim
