// The ONVIF event subscriber (src/onvif/event_subscriber.h) against camsim's Events service over
// HTTP (issue 15): events arrive; a camera that restarts (its subscriptions gone) delivers again
// within 30 s of coming back; cameras that answer pulls at once do not make it spin, ones that
// hold pulls beyond their Timeout and ones without Renew still deliver; Stop is prompt.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "onvif/event_subscriber.h"
#include "support/child_process.h"
#include "support/free_port.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// camsim with one ONVIF camera "door" (motion `events`, `quirk` if any) on `onvif_port`.
Result<std::unique_ptr<ChildProcess>> StartCamsim(const std::string& file, uint16_t onvif_port,
                                                  const std::string& events, const std::string& quirk = "") {
  std::string spec = "name=door,file=" + file + ",events=" + events;
  if (!quirk.empty()) spec += ",quirk=" + quirk;
  ASSIGN_OR_RETURN(std::unique_ptr<ChildProcess> p,
                   ChildProcess::Start(SIGHTLINE_BINARY, {"camsim", "--listen", "127.0.0.1:0", "--onvif",
                                                          "127.0.0.1:" + std::to_string(onvif_port), "--user", "admin",
                                                          "--password", "pw", "--camera", spec, "--stats-interval",
                                                          "0"}));
  RETURN_IF_ERROR(p->WaitForLinePrefix("camsim: onvif http://", 10'000).status());
  return p;
}

// An EventSubscriber on its own thread, recording what it hears.
class Listener {
 public:
  Listener(uint16_t onvif_port, onvif::EventSubscriberOptions options) {
    options.client.credentials = {"admin", "pw"};
    options.client.cancellation = cancellation_;
    onvif::EventSubscriber::Callbacks callbacks;
    callbacks.on_pull = [this](const std::vector<std::pair<onvif::CameraSignal, WallTime>>& signals, WallTime) {
      MutexLock lock(mu_);
      for (const auto& s : signals) signals_.push_back({s.first, Clock::now()});
    };
    subscriber_ = std::make_unique<onvif::EventSubscriber>(
        *onvif::ParseHttpUrl("http://127.0.0.1:" + std::to_string(onvif_port) + "/onvif/door/device_service"),
        options, std::move(callbacks));
    thread_ = std::thread([this] { subscriber_->Run(); });
  }
  ~Listener() { Stop(); }

  void Stop() {
    cancellation_->Cancel();
    if (thread_.joinable()) thread_.join();
  }

  // Waits (bounded) until a signal heard after `since` (steady clock); false at the limit.
  bool WaitForSignalAfter(Clock::time_point since, std::chrono::seconds limit) {
    for (auto until = Clock::now() + limit; Clock::now() < until; std::this_thread::sleep_for(100ms)) {
      MutexLock lock(mu_);
      for (const Heard& h : signals_) {
        if (h.at > since) return true;
      }
    }
    return false;
  }

  struct Heard {
    onvif::CameraSignal signal;
    Clock::time_point at;
  };
  std::vector<Heard> heard() const {
    MutexLock lock(mu_);
    return signals_;
  }
  onvif::EventSubscriberStats stats() const { return subscriber_->stats(); }

 private:
  std::shared_ptr<onvif::Cancellation> cancellation_ = std::make_shared<onvif::Cancellation>();
  std::unique_ptr<onvif::EventSubscriber> subscriber_;
  std::thread thread_;
  mutable Mutex mu_;
  std::vector<Heard> signals_ SL_GUARDED_BY(mu_);
};

onvif::EventSubscriberOptions Fast() {
  onvif::EventSubscriberOptions o;
  o.pull_timeout = 2s;
  o.hold_margin = 8s;
  return o;
}

class OnvifEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = SharedMediaFile(kPets360H264).value_or("");
    if (file_.empty()) GTEST_SKIP() << kNoSharedMediaMessage;
    port_ = FreePort();
  }
  std::string file_;
  uint16_t port_ = 0;
};

TEST_F(OnvifEventsTest, MotionOnAndOffArriveInOrder) {
  auto cam = StartCamsim(file_, port_, "1/3");
  ASSERT_TRUE(cam.ok()) << cam.status();
  Listener listener(port_, Fast());
  ASSERT_TRUE(listener.WaitForSignalAfter(Clock::now() + 5s, 15s)) << "no event after 5 s";
  std::vector<Listener::Heard> heard = listener.heard();
  ASSERT_GE(heard.size(), 3u);
  EXPECT_TRUE(heard[0].signal.initialized);
  for (size_t i = 1; i < heard.size(); ++i) {
    EXPECT_EQ(heard[i].signal.kind, onvif::CameraEventKind::kMotion);
    EXPECT_FALSE(heard[i].signal.initialized);
    // After the first, states alternate: camsim reports every change.
    if (i > 1) {
      EXPECT_NE(heard[i].signal.state, heard[i - 1].signal.state) << i;
    }
  }
  // Held pulls: far fewer pulls than signals-per-second would need without the hold.
  EXPECT_EQ(listener.stats().sessions, 1u);
}

TEST_F(OnvifEventsTest, ACameraThatRestartsDeliversAgainWithin30s) {
  auto cam = StartCamsim(file_, port_, "1/3");
  ASSERT_TRUE(cam.ok()) << cam.status();
  Listener listener(port_, Fast());
  ASSERT_TRUE(listener.WaitForSignalAfter(Clock::now(), 10s));
  // Power cut at the camera: its subscriptions are gone with it.
  cam->reset();
  std::this_thread::sleep_for(5s);
  auto again = StartCamsim(file_, port_, "1/3");
  ASSERT_TRUE(again.ok()) << again.status();
  const Clock::time_point back = Clock::now();
  EXPECT_TRUE(listener.WaitForSignalAfter(back, 30s)) << "no event within 30 s of the camera coming back";
  const onvif::EventSubscriberStats stats = listener.stats();
  EXPECT_GE(stats.sessions, 2u);
  EXPECT_GE(stats.failures, 1u);
}

TEST_F(OnvifEventsTest, ACameraAnsweringPullsAtOnceCostsAboutOneRequestASecond) {
  auto cam = StartCamsim(file_, port_, "1/100", "onvif-pull-immediate");
  ASSERT_TRUE(cam.ok()) << cam.status();
  Listener listener(port_, Fast());
  ASSERT_TRUE(listener.WaitForSignalAfter(Clock::now() - 1s, 10s));  // the Initialized state
  const uint64_t before = listener.stats().pulls;
  std::this_thread::sleep_for(5s);
  const uint64_t pulls = listener.stats().pulls - before;
  EXPECT_GE(pulls, 3u);
  EXPECT_LE(pulls, 7u) << "a camera that ignores Timeout made the subscriber spin";
}

TEST_F(OnvifEventsTest, PullsHeldBeyondTheirTimeoutStillDeliver) {
  auto cam = StartCamsim(file_, port_, "1/3", "onvif-pull-hold");
  ASSERT_TRUE(cam.ok()) << cam.status();
  Listener listener(port_, Fast());  // Timeout 2 s; camsim holds 7 s; the margin is 8 s
  ASSERT_TRUE(listener.WaitForSignalAfter(Clock::now() + 8s, 25s));
  EXPECT_EQ(listener.stats().sessions, 1u) << "a pull held past its Timeout was taken for a lost subscription";
}

TEST_F(OnvifEventsTest, WithoutRenewASubscriptionIsMadeAnewBeforeItRunsOut) {
  auto cam = StartCamsim(file_, port_, "1/2", "onvif-no-renew");
  ASSERT_TRUE(cam.ok()) << cam.status();
  onvif::EventSubscriberOptions o = Fast();
  o.lifetime = 3s;  // camsim's shortest is 1 s; renewal is due after 2 s
  Listener listener(port_, o);
  ASSERT_TRUE(listener.WaitForSignalAfter(Clock::now() + 8s, 20s));
  const onvif::EventSubscriberStats stats = listener.stats();
  EXPECT_GE(stats.renewals, 2u);
  EXPECT_EQ(stats.failures, 0u);
}

TEST_F(OnvifEventsTest, SubscriptionsAreRenewedBeforeTheyRunOut) {
  // Found by bench/onvif_events.py: renewals timed on the lifetime left after each pull came
  // later and later until a held pull outlasted the subscription.
  auto cam = StartCamsim(file_, port_, "1/1000");  // nothing happens: every pull is held to its end
  ASSERT_TRUE(cam.ok()) << cam.status();
  onvif::EventSubscriberOptions o = Fast();
  o.lifetime = 8s;
  o.hold_margin = 2s;
  Listener listener(port_, o);
  std::this_thread::sleep_for(20s);
  const onvif::EventSubscriberStats stats = listener.stats();
  EXPECT_GE(stats.renewals, 3u);
  EXPECT_EQ(stats.failures, 0u);
  EXPECT_EQ(stats.sessions, 1u);
}

TEST_F(OnvifEventsTest, StopEndsAHeldPullAtOnce) {
  auto cam = StartCamsim(file_, port_, "1/1000");
  ASSERT_TRUE(cam.ok()) << cam.status();
  onvif::EventSubscriberOptions o;
  o.pull_timeout = 30s;  // a long poll in progress when we stop
  Listener listener(port_, o);
  ASSERT_TRUE(listener.WaitForSignalAfter(Clock::now() - 1s, 10s));
  std::this_thread::sleep_for(500ms);
  const Clock::time_point start = Clock::now();
  listener.Stop();
  EXPECT_LT(Clock::now() - start, 3s);  // the cancel, and the 2 s Unsubscribe at most
}

}  // namespace
}  // namespace sightline::testing
