// camsim's Events service over bytes: subscriptions, held pulls, the schedule, and each event
// quirk. Requests are built and answers read with Sightline's own ONVIF code (src/onvif/events.h),
// so both sides of the wire are exercised here; tests/onvif_events_test.cc runs them over HTTP.
#include "tools/camsim/onvif_events.h"

#include <gtest/gtest.h>

#include "onvif/events.h"
#include "onvif/soap.h"
#include "tools/camsim/onvif_site.h"

namespace sightline::camsim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const WallTime kWall = WallTime(seconds(1'800'000'000));
const MonoTime kEpoch = MonoTime(seconds(1000));

TEST(CamsimEventScheduleTest, OnForTheFirstPartOfEachPeriod) {
  EventSchedule s{milliseconds(3000), milliseconds(10000), kEpoch};
  EXPECT_TRUE(s.ActiveAt(kEpoch));
  EXPECT_TRUE(s.ActiveAt(kEpoch + milliseconds(2999)));
  EXPECT_FALSE(s.ActiveAt(kEpoch + milliseconds(3000)));
  EXPECT_TRUE(s.ActiveAt(kEpoch + milliseconds(10000)));
  EXPECT_FALSE(s.ActiveAt(kEpoch - milliseconds(1)));
  // (from, to]: the change at `to` is in, the one at `from` is not.
  std::vector<MonoTime> changes = s.ChangesIn(kEpoch, kEpoch + seconds(20), 10);
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0], kEpoch + seconds(3));
  EXPECT_EQ(changes[1], kEpoch + seconds(10));
  EXPECT_EQ(changes[2], kEpoch + seconds(13));
  EXPECT_EQ(changes[3], kEpoch + seconds(20));
  EXPECT_EQ(s.ChangesIn(kEpoch, kEpoch + seconds(100), 4).size(), 4u);
  EXPECT_FALSE(EventSchedule{}.NextChange(kEpoch).has_value());
}

Quirks With(bool Quirks::*flag) {
  Quirks q;
  q.*flag = true;
  return q;
}

class CamsimEventsTest : public ::testing::Test {
 protected:
  void Make(Quirks quirks = {}) {
    auto d = std::make_unique<OnvifDevice>();
    d->name = "cam";
    d->uuid = DeviceUuid("cam");
    d->quirks = quirks;
    d->events.schedule = {milliseconds(3000), milliseconds(10000), kEpoch};
    std::vector<std::unique_ptr<OnvifDevice>> devices;
    devices.push_back(std::move(d));
    site_ = std::make_unique<OnvifSite>(std::move(devices), "0123456789abcdef");
  }

  OnvifHttpResponse Send(const std::string& target, const onvif::SoapRequest& r, MonoTime now,
                         std::optional<MonoTime> received = std::nullopt) {
    OnvifHttpRequest req;
    req.method = "POST";
    req.target = target;
    req.body = onvif::BuildEnvelope(r.body_xml, std::nullopt, r.header_xml);
    req.onvif_authority = "127.0.0.1:8080";
    req.rtsp_authority = "127.0.0.1:8554";
    req.received = received;
    return site_->Handle(req, kWall + (now - kEpoch), now);
  }

  onvif::PullPointSubscription Subscribe(MonoTime now) {
    OnvifHttpResponse r = Send("/onvif/cam/events_service", onvif::CreatePullPointSubscriptionRequest(seconds(60)), now);
    EXPECT_EQ(r.status, 200) << r.body;
    Result<onvif::PullPointSubscription> s =
        onvif::ParseCreatePullPointSubscription(r.body, *onvif::ParseHttpUrl("http://127.0.0.1:8080/onvif/cam/events_service"));
    EXPECT_TRUE(s.ok()) << s.status() << r.body;
    return s.ok() ? *s : onvif::PullPointSubscription{};
  }

  OnvifHttpResponse Pull(const onvif::PullPointSubscription& s, MonoTime now, std::optional<MonoTime> received = {}) {
    return Send(s.address.target, onvif::PullMessagesRequest(s, seconds(10), 100), now, received);
  }

  std::vector<onvif::CameraSignal> Signals(const OnvifHttpResponse& r) {
    Result<onvif::PullMessagesResult> m = onvif::ParsePullMessages(r.body);
    EXPECT_TRUE(m.ok()) << m.status() << r.body;
    std::vector<onvif::CameraSignal> out;
    if (!m.ok()) return out;
    for (const onvif::Notification& n : m->notifications) {
      std::optional<onvif::CameraSignal> s = onvif::Classify(n);
      EXPECT_TRUE(s.has_value()) << n.topic;
      if (s) out.push_back(*s);
    }
    return out;
  }

  std::unique_ptr<OnvifSite> site_;
};

TEST_F(CamsimEventsTest, APullIsHeldUntilTheStateChanges) {
  Make();
  const MonoTime t0 = kEpoch + seconds(4);  // motion over
  onvif::PullPointSubscription s = Subscribe(t0);
  EXPECT_NE(s.address.target.find("subscription_service?id="), std::string::npos);
  // First the state at subscription time, at once.
  std::vector<onvif::CameraSignal> first = Signals(Pull(s, t0, t0));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(first[0].initialized);
  EXPECT_FALSE(first[0].state);
  // Then nothing until motion starts again at +10 s: held until then.
  OnvifHttpResponse held = Pull(s, t0 + seconds(1), t0 + seconds(1));
  ASSERT_TRUE(held.hold_until.has_value());
  EXPECT_EQ(*held.hold_until, kEpoch + seconds(10));
  std::vector<onvif::CameraSignal> next = Signals(Pull(s, kEpoch + seconds(10), t0 + seconds(1)));
  ASSERT_EQ(next.size(), 1u);
  EXPECT_TRUE(next[0].state);
  EXPECT_FALSE(next[0].initialized);
  // A pull past its Timeout with nothing new is answered empty.
  OnvifHttpResponse empty = Pull(s, kEpoch + seconds(12), kEpoch + seconds(2));
  EXPECT_FALSE(empty.hold_until.has_value());
  EXPECT_TRUE(Signals(empty).empty());
}

TEST_F(CamsimEventsTest, ChangesMissedBetweenPullsAllArriveInOrder) {
  Make();
  onvif::PullPointSubscription s = Subscribe(kEpoch + seconds(1));
  std::vector<onvif::CameraSignal> got = Signals(Pull(s, kEpoch + seconds(25), kEpoch + seconds(25)));
  // Initialized (on), off at 3, on at 10, off at 13, on at 20, off at 23.
  ASSERT_EQ(got.size(), 6u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].state, i % 2 == 0) << i;
}

TEST_F(CamsimEventsTest, NoFalseQuirkNeverReportsTheEnd) {
  Make(With(&Quirks::onvif_events_no_false));
  onvif::PullPointSubscription s = Subscribe(kEpoch + seconds(1));
  std::vector<onvif::CameraSignal> got = Signals(Pull(s, kEpoch + seconds(25), kEpoch + seconds(25)));
  ASSERT_EQ(got.size(), 3u);
  for (const onvif::CameraSignal& g : got) EXPECT_TRUE(g.state);
}

TEST_F(CamsimEventsTest, InvertedQuirkReportsBackwards) {
  Make(With(&Quirks::onvif_events_inverted));
  onvif::PullPointSubscription s = Subscribe(kEpoch + seconds(1));  // motion on
  std::vector<onvif::CameraSignal> got = Signals(Pull(s, kEpoch + seconds(1), kEpoch + seconds(1)));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].state);
}

TEST_F(CamsimEventsTest, PullImmediateQuirkNeverHolds) {
  Make(With(&Quirks::onvif_pull_immediate));
  onvif::PullPointSubscription s = Subscribe(kEpoch + seconds(4));
  Signals(Pull(s, kEpoch + seconds(4), kEpoch + seconds(4)));
  OnvifHttpResponse r = Pull(s, kEpoch + seconds(5), kEpoch + seconds(5));
  EXPECT_FALSE(r.hold_until.has_value());
  EXPECT_TRUE(Signals(r).empty());
}

TEST_F(CamsimEventsTest, PullHoldQuirkHoldsBeyondTheTimeout) {
  Make(With(&Quirks::onvif_pull_hold));
  onvif::PullPointSubscription s = Subscribe(kEpoch + seconds(4));
  OnvifHttpResponse r = Pull(s, kEpoch + seconds(4), kEpoch + seconds(4));
  ASSERT_TRUE(r.hold_until.has_value());
  EXPECT_EQ(*r.hold_until, kEpoch + seconds(4 + 10 + 5));
}

TEST_F(CamsimEventsTest, UnknownExpiredAndUnsubscribedSubscriptionsAreFaults) {
  Make();
  onvif::PullPointSubscription s = Subscribe(kEpoch);
  onvif::PullPointSubscription bogus = s;
  bogus.address.target = "/onvif/cam/subscription_service?id=999";
  bogus.reference_parameters = "";
  OnvifHttpResponse r = Pull(bogus, kEpoch);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("no subscription 999"), std::string::npos) << r.body;
  // Renewed, it outlives its first minute; not renewed, it is gone after it.
  EXPECT_EQ(Send(s.address.target, onvif::RenewRequest(s, seconds(60)), kEpoch + seconds(50)).status, 200);
  EXPECT_EQ(Pull(s, kEpoch + seconds(70), kEpoch + seconds(70)).status, 200);
  EXPECT_EQ(Pull(s, kEpoch + seconds(111), kEpoch + seconds(111)).status, 400);
  onvif::PullPointSubscription t = Subscribe(kEpoch + seconds(200));
  EXPECT_EQ(Send(t.address.target, onvif::UnsubscribeRequest(t), kEpoch + seconds(201)).status, 200);
  EXPECT_EQ(Pull(t, kEpoch + seconds(202), kEpoch + seconds(202)).status, 400);
}

TEST_F(CamsimEventsTest, TheReferenceParameterAloneNamesTheSubscription) {
  Make();
  onvif::PullPointSubscription s = Subscribe(kEpoch + seconds(4));
  onvif::PullPointSubscription by_header = s;
  by_header.address.target = "/onvif/cam/subscription_service";
  EXPECT_EQ(Signals(Pull(by_header, kEpoch + seconds(4), kEpoch + seconds(4))).size(), 1u);
}

TEST_F(CamsimEventsTest, NoRenewQuirkHasNoRenew) {
  Make(With(&Quirks::onvif_no_renew));
  onvif::PullPointSubscription s = Subscribe(kEpoch);
  OnvifHttpResponse r = Send(s.address.target, onvif::RenewRequest(s, seconds(60)), kEpoch + seconds(1));
  EXPECT_NE(r.status, 200);
  EXPECT_NE(r.body.find("ActionNotSupported"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace sightline::camsim
