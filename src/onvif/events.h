#pragma once
// The Events service (tev, http://www.onvif.org/ver10/events/wsdl) as a pull point (ONVIF
// Core 9.1, WS-BaseNotification): request builders and response parsers for
// CreatePullPointSubscription, PullMessages, Renew and Unsubscribe, and Classify, which maps a
// notification to what Sightline keeps of it. Pure.
//
// What is kept (docs/design/onvif.md, "Camera events"): motion, tamper (scene change, too
// dark, blurred) and digital inputs, from the standard topics only (prefix bound to
// http://www.onvif.org/ver10/topics). Everything else is ignored, whatever it is: an allow
// list, so that no analytics topic that describes people (faces, attributes, recognition)
// ever becomes a Sightline event, and no object ids are kept.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "onvif/soap.h"
#include "onvif/xaddr.h"

namespace sightline::onvif {

// Notifications read from one PullMessages response at most (we ask for fewer; MessageLimit
// is ignored by some firmware).
inline constexpr size_t kMaxNotifications = 1000;
// ReferenceParameters copied back into each request's header, at most.
inline constexpr size_t kMaxReferenceParametersBytes = 4096;

// A subscription as CreatePullPointSubscription returned it.
struct PullPointSubscription {
  HttpUrl address;  // the subscription manager / pull point, rebased onto the device's origin
  // The ReferenceParameters' children (XML, with their namespace declarations), sent back as
  // header elements with every request to the subscription (WS-Addressing 1.0, 3.3).
  std::string reference_parameters;
  // TerminationTime − CurrentTime: how long the subscription lives unless renewed; absent
  // when the camera did not say.
  std::optional<std::chrono::milliseconds> lifetime;
};

SoapRequest CreatePullPointSubscriptionRequest(std::chrono::milliseconds initial_termination);
// `base`: the events service URL the request went to.
Result<PullPointSubscription> ParseCreatePullPointSubscription(std::string_view response, const HttpUrl& base);

// Requests to a subscription carry WS-Addressing Action and To, and its ReferenceParameters.
SoapRequest PullMessagesRequest(const PullPointSubscription& s, std::chrono::milliseconds timeout,
                                int message_limit);
SoapRequest RenewRequest(const PullPointSubscription& s, std::chrono::milliseconds termination);
SoapRequest UnsubscribeRequest(const PullPointSubscription& s);

// One notification, as the camera wrote it.
struct Notification {
  std::string topic;          // the topic path without its prefix: "VideoSource/MotionAlarm"
  bool standard_topic = false;  // its prefix is bound to the ONVIF topic namespace
  std::optional<WallTime> utc_time;  // Message/@UtcTime, on the camera's clock
  std::string property_operation;    // "Initialized", "Changed", "Deleted" or ""
  std::vector<std::pair<std::string, std::string>> source;  // SimpleItem Name, Value
  std::vector<std::pair<std::string, std::string>> data;
};

struct PullMessagesResult {
  std::vector<Notification> notifications;
  std::optional<std::chrono::milliseconds> lifetime;  // TerminationTime − CurrentTime
  size_t dropped = 0;  // notifications beyond kMaxNotifications
};

Result<PullMessagesResult> ParsePullMessages(std::string_view response);
// The subscription's lifetime after the renewal, when the camera said.
Result<std::optional<std::chrono::milliseconds>> ParseRenew(std::string_view response);

// --- What Sightline keeps ---

enum class CameraEventKind { kMotion, kTamper, kInput };
std::string_view CameraEventKindName(CameraEventKind k);  // "motion", "tamper", "input"
// "motion", "tamper", "input"; InvalidArgument otherwise.
Result<CameraEventKind> ParseCameraEventKind(std::string_view name);

// A state a camera reported: `kind`, the input's token for digital inputs ("" for the
// camera's motion and tamper: one of each per camera), and the state as the camera wrote it
// (inversion is the tracker's business).
struct CameraSignal {
  CameraEventKind kind = CameraEventKind::kMotion;
  std::string input;
  // The topic and the source items: several topics may report the same kind (Hikvision sends
  // MotionAlarm and CellMotionDetector for one motion); each is tracked on its own.
  std::string member;
  bool state = false;
  bool initialized = false;  // PropertyOperation "Initialized": the state at subscription time
};

// The signal a notification carries, or nothing when Sightline does not keep it (see above),
// its state item is missing or not a boolean, or it is a "Deleted" property.
std::optional<CameraSignal> Classify(const Notification& n);

}  // namespace sightline::onvif
