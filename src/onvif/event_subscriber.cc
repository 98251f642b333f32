#include "onvif/event_subscriber.h"

#include <algorithm>

namespace sightline::onvif {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kUnsubscribeTimeout{2000};

}  // namespace

EventSubscriber::EventSubscriber(HttpUrl device_url, EventSubscriberOptions options, Callbacks callbacks)
    : url_(std::move(device_url)), options_(std::move(options)), callbacks_(std::move(callbacks)) {}

bool EventSubscriber::cancelled() const {
  return options_.client.cancellation != nullptr && options_.client.cancellation->cancelled();
}

EventSubscriberStats EventSubscriber::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

void EventSubscriber::Run() {
  milliseconds retry = options_.retry_min;
  while (!cancelled()) {
    Status s = Session();
    if (cancelled()) break;
    {
      MutexLock lock(mu_);
      ++stats_.failures;
    }
    if (callbacks_.on_session) callbacks_.on_session(s);
    if (callbacks_.on_pull) callbacks_.on_pull({}, std::chrono::system_clock::now());
    // A session that subscribed (and left its subscription) was a camera that worked: try again soon.
    if (live_) retry = options_.retry_min;
    if (options_.client.cancellation != nullptr && !options_.client.cancellation->Sleep(retry)) break;
    retry = std::min(options_.retry_max, retry * 2);
  }
  if (live_) Unsubscribe(*live_);
  live_.reset();
}

Status EventSubscriber::Session() {
  live_.reset();
  Device device(url_, options_.client);
  device.SetDeadline(Clock::now() + options_.client.device_timeout);
  // A camera whose clock cannot be read (only a local time, or behind authentication) is
  // still subscribed to; one that cannot be reached is not.
  if (Result<CameraClock> clock = device.MeasureClock(); !clock.ok()) {
    const StatusCode code = clock.status().code();
    if (code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded ||
        code == StatusCode::kCancelled || code == StatusCode::kUnimplemented) {
      return clock.status();
    }
  }
  offset_ = device.clock_offset();
  ASSIGN_OR_RETURN(ServiceAddrs services, device.GetServices());
  if (services.events.target.empty()) return FailedPreconditionError("the device has no Events service");
  events_ = services.events;
  ASSIGN_OR_RETURN(std::string body, device.Call(events_, CreatePullPointSubscriptionRequest(options_.lifetime)));
  ASSIGN_OR_RETURN(PullPointSubscription subscription, ParseCreatePullPointSubscription(body, events_));
  live_ = subscription;
  {
    MutexLock lock(mu_);
    ++stats_.sessions;
  }
  if (callbacks_.on_session) callbacks_.on_session(Status::Ok());
  return PullLoop(device, subscription);
}

Clock::time_point EventSubscriber::ExpiresAt(std::optional<milliseconds> lifetime) const {
  return Clock::now() + lifetime.value_or(options_.lifetime);
}

Status EventSubscriber::PullLoop(Device& device, PullPointSubscription& subscription) {
  // When the subscription runs out, as the camera last said. It is renewed once a third of
  // its lifetime is left, and no pull is held past it.
  Clock::time_point expires_at = ExpiresAt(subscription.lifetime);
  const milliseconds renew_margin = options_.lifetime / 3;
  while (!cancelled()) {
    if (expires_at - Clock::now() < renew_margin) RETURN_IF_ERROR(Renew(device, subscription, &expires_at));
    const Clock::time_point started = Clock::now();
    const milliseconds left = std::chrono::duration_cast<milliseconds>(expires_at - started);
    const milliseconds timeout = std::min(options_.pull_timeout, std::max(milliseconds(1000), left - milliseconds(1000)));
    const WallTime sent = std::chrono::system_clock::now();
    // Pulls are held open by design: one may last its Timeout and the margin; the other calls
    // keep the client's own timeout, so that a camera without power is noticed soon.
    const milliseconds pull_limit = timeout + options_.hold_margin;
    device.SetCallTimeout(pull_limit);
    device.SetDeadline(started + pull_limit);
    Result<std::string> pulled =
        device.Call(subscription.address, PullMessagesRequest(subscription, timeout, options_.message_limit));
    device.SetCallTimeout(options_.client.call_timeout);
    ASSIGN_OR_RETURN(std::string body, std::move(pulled));
    ASSIGN_OR_RETURN(PullMessagesResult result, ParsePullMessages(body));
    {
      MutexLock lock(mu_);
      ++stats_.pulls;
      stats_.notifications += result.notifications.size() + result.dropped;
    }
    // Cameras that renew on each pull say so in the answer's TerminationTime.
    if (result.lifetime) expires_at = ExpiresAt(result.lifetime);
    Deliver(result, device, sent, std::chrono::system_clock::now());
    const Clock::duration took = Clock::now() - started;
    if (result.notifications.empty() && took < options_.min_pull_interval) {
      const auto rest = std::chrono::duration_cast<milliseconds>(options_.min_pull_interval - took);
      if (options_.client.cancellation != nullptr && !options_.client.cancellation->Sleep(rest)) break;
    }
  }
  return CancelledError("stopped");
}

Status EventSubscriber::Renew(Device& device, PullPointSubscription& subscription, Clock::time_point* expires_at) {
  device.SetDeadline(Clock::now() + options_.client.call_timeout);
  Result<std::string> body = device.Call(subscription.address, RenewRequest(subscription, options_.lifetime));
  if (body.ok()) {
    ASSIGN_OR_RETURN(std::optional<milliseconds> lifetime, ParseRenew(*body));
    *expires_at = ExpiresAt(lifetime);
    MutexLock lock(mu_);
    ++stats_.renewals;
    return Status::Ok();
  }
  if (body.status().code() != StatusCode::kUnimplemented) return body.status();
  // No Renew on this camera: a new subscription replaces the old, which runs out by itself.
  ASSIGN_OR_RETURN(std::string created,
                   device.Call(events_, CreatePullPointSubscriptionRequest(options_.lifetime)));
  ASSIGN_OR_RETURN(subscription, ParseCreatePullPointSubscription(created, events_));
  live_ = subscription;
  *expires_at = ExpiresAt(subscription.lifetime);
  MutexLock lock(mu_);
  ++stats_.renewals;
  return Status::Ok();
}

void EventSubscriber::Deliver(const PullMessagesResult& result, const Device& device, WallTime sent,
                              WallTime received) {
  std::vector<std::pair<CameraSignal, WallTime>> signals;
  const milliseconds offset = device.clock_offset().value_or(milliseconds(0));
  for (const Notification& n : result.notifications) {
    std::optional<CameraSignal> signal = Classify(n);
    if (!signal) continue;
    // On our clock; a time outside what this pull can have seen (a camera clock that jumped, a
    // queued Initialized state) is the time of receipt. The lower bound allows for states
    // queued while we were not pulling.
    WallTime t = received;
    if (n.utc_time) {
      const WallTime ours = *n.utc_time - offset;
      if (ours >= sent - options_.lifetime && ours <= received) t = ours;
    }
    signals.emplace_back(std::move(*signal), t);
  }
  {
    MutexLock lock(mu_);
    stats_.signals += signals.size();
  }
  if (callbacks_.on_pull) callbacks_.on_pull(signals, received);
}

void EventSubscriber::Unsubscribe(const PullPointSubscription& subscription) {
  ClientOptions client = options_.client;
  client.cancellation = nullptr;  // the run was cancelled; this one call still goes out
  client.call_timeout = kUnsubscribeTimeout;
  Device device(url_, client);
  if (offset_) device.SetClockOffset(*offset_);
  device.SetDeadline(Clock::now() + kUnsubscribeTimeout);
  device.Call(subscription.address, UnsubscribeRequest(subscription)).status().IgnoreError();
}

}  // namespace sightline::onvif
