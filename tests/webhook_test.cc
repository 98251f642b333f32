// Acceptance for webhooks (issue 14, deliverable 3; docs/design/webhooks.md): an Endpoint
// delivering to a real HTTP receiver on loopback that checks every signature. Signed and in
// order; transient failures retried with the same delivery id, refusals not; a receiver that
// is down, then up, gets everything; a full queue drops and counts; Stop is prompt even while
// a receiver hangs; one failing endpoint never delays another.

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "record_harness.h"
#include "support/free_port.h"
#include "support/http_client.h"
#include "support/shared_media.h"
#include "webhook/endpoint.h"
#include "webhook/payload.h"
#include "webhook_receiver.h"

namespace sightline::testing {
namespace {

using namespace std::chrono_literals;
using webhook::Endpoint;
using webhook::EndpointOptions;
using webhook::Event;

constexpr const char* kSecret = "test-secret-0123456789";

EndpointOptions To(const std::string& url) {
  EndpointOptions o;
  o.name = "webhooks[0]";
  o.url = url;
  o.secret = kSecret;
  o.timeout = 2s;
  o.backoff_min = 20ms;
  o.backoff_max = 200ms;
  return o;
}

Event Motion(int64_t id, const std::string& type = "motion_event.new", const std::string& camera = "front") {
  const int64_t now = UnixMicros(RealClock().WallNow());
  return {type, camera, now, webhook::MotionEventData(id, now, 0, {"door"}, "")};
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

int64_t EventId(const Delivery& d) { return nlohmann::json::parse(d.body)["data"]["id"].get<int64_t>(); }

TEST(WebhookTest, SignedEventsArriveInOrderWithTheirHeaders) {
  WebhookReceiver rx(kSecret);
  ASSERT_TRUE(rx.started().ok()) << rx.started();
  std::unique_ptr<Endpoint> e = Endpoint::Start(To(rx.url()));
  for (int i = 1; i <= 50; ++i) ASSERT_TRUE(e->Offer(Motion(i)));
  ASSERT_TRUE(WaitUntil([&] { return e->stats().delivered == 50; })) << e->stats().delivered;
  const std::vector<Delivery> got = rx.deliveries();
  ASSERT_EQ(got.size(), 50u);
  std::set<std::string> ids;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_TRUE(got[i].signature.ok()) << got[i].signature;
    EXPECT_EQ(got[i].event, "motion_event.new");
    EXPECT_EQ(EventId(got[i]), static_cast<int64_t>(i + 1)) << "out of order";
    EXPECT_EQ(nlohmann::json::parse(got[i].body)["id"], got[i].delivery_id);
    ids.insert(got[i].delivery_id);
  }
  EXPECT_EQ(ids.size(), 50u);
  const webhook::EndpointStats s = e->stats();
  EXPECT_EQ(s.attempts, 50u);
  EXPECT_EQ(s.dropped + s.refused + s.expired, 0u);
}

TEST(WebhookTest, TransientFailuresAreRetriedWithTheSameDeliveryId) {
  WebhookReceiver rx(kSecret);
  rx.Script({503, 429, 500, 408});
  std::unique_ptr<Endpoint> e = Endpoint::Start(To(rx.url()));
  ASSERT_TRUE(e->Offer(Motion(1)));
  ASSERT_TRUE(e->Offer(Motion(2)));
  ASSERT_TRUE(WaitUntil([&] { return e->stats().delivered == 2; }));
  const std::vector<Delivery> got = rx.deliveries();
  ASSERT_EQ(got.size(), 6u);  // four failures, then both events
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(got[i].delivery_id, got[0].delivery_id) << "attempt " << i;
    EXPECT_TRUE(got[i].signature.ok()) << "each attempt is signed afresh: " << got[i].signature;
  }
  EXPECT_EQ(EventId(got[4]), 1);
  EXPECT_EQ(EventId(got[5]), 2);
  EXPECT_EQ(e->stats().attempts, 6u);
  EXPECT_FALSE(e->stats().failing);
}

TEST(WebhookTest, RefusedEventsAreNotRetried) {
  WebhookReceiver rx(kSecret);
  rx.Script({400, 404, 301});
  std::unique_ptr<Endpoint> e = Endpoint::Start(To(rx.url()));
  for (int i = 1; i <= 4; ++i) ASSERT_TRUE(e->Offer(Motion(i)));
  ASSERT_TRUE(WaitUntil([&] { return e->stats().delivered + e->stats().refused == 4; }));
  EXPECT_EQ(e->stats().refused, 3u);
  EXPECT_EQ(e->stats().delivered, 1u);
  EXPECT_EQ(rx.deliveries().size(), 4u);
  EXPECT_EQ(EventId(rx.accepted().at(0)), 4);
}

TEST(WebhookTest, AWrongSecretIsRefusedByTheReceiver) {
  WebhookReceiver rx("the-receivers-secret-0000");
  std::unique_ptr<Endpoint> e = Endpoint::Start(To(rx.url()));
  ASSERT_TRUE(e->Offer(Motion(1)));
  ASSERT_TRUE(WaitUntil([&] { return e->stats().refused == 1; }));
  ASSERT_EQ(rx.deliveries().size(), 1u);
  EXPECT_EQ(rx.deliveries()[0].signature.code(), StatusCode::kUnauthenticated);
}

TEST(WebhookTest, AReceiverDownThenUpGetsEverything) {
  const uint16_t port = static_cast<uint16_t>(FreePort());
  std::unique_ptr<Endpoint> e = Endpoint::Start(To("http://127.0.0.1:" + std::to_string(port) + "/hook"));
  for (int i = 1; i <= 20; ++i) ASSERT_TRUE(e->Offer(Motion(i)));
  ASSERT_TRUE(WaitUntil([&] { return e->stats().attempts >= 3; }));
  EXPECT_TRUE(e->stats().failing);
  EXPECT_EQ(e->stats().delivered, 0u);
  WebhookReceiver rx(kSecret, port);
  ASSERT_TRUE(rx.started().ok()) << rx.started();
  ASSERT_TRUE(WaitUntil([&] { return e->stats().delivered == 20; })) << e->stats().delivered;
  const std::vector<Delivery> got = rx.accepted();
  ASSERT_EQ(got.size(), 20u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(EventId(got[i]), static_cast<int64_t>(i + 1));
  EXPECT_FALSE(e->stats().failing);
}

TEST(WebhookTest, AFullQueueDropsTheNewestAndCountsThem) {
  const uint16_t port = static_cast<uint16_t>(FreePort());  // nobody listens
  EndpointOptions o = To("http://127.0.0.1:" + std::to_string(port) + "/hook");
  o.max_queue = 5;
  std::unique_ptr<Endpoint> e = Endpoint::Start(o);
  int accepted = 0;
  for (int i = 1; i <= 12; ++i) accepted += e->Offer(Motion(i));
  EXPECT_EQ(accepted, 5);
  EXPECT_EQ(e->stats().dropped, 7u);
  EXPECT_EQ(e->stats().queue, 5u);
  e->Stop(0ms);
  EXPECT_EQ(e->stats().dropped, 12u) << "what was queued at Stop is counted too";
}

TEST(WebhookTest, StopIsPromptWhileTheReceiverHangs) {
  WebhookReceiver rx(kSecret);
  rx.SetDelay(3s);
  EndpointOptions o = To(rx.url());
  o.timeout = 10s;
  std::unique_ptr<Endpoint> e = Endpoint::Start(o);
  ASSERT_TRUE(e->Offer(Motion(1)));
  ASSERT_TRUE(WaitUntil([&] { return e->stats().attempts == 1; }));
  const auto t0 = std::chrono::steady_clock::now();
  e->Stop(100ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(e->stats().dropped, 1u);
}

TEST(WebhookTest, OneFailingEndpointNeverDelaysAnother) {
  WebhookReceiver slow(kSecret);
  slow.SetDelay(3s);
  WebhookReceiver fast(kSecret);
  std::unique_ptr<Endpoint> a = Endpoint::Start(To(slow.url()));
  std::unique_ptr<Endpoint> b = Endpoint::Start(To(fast.url()));
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 1; i <= 10; ++i) {
    a->Offer(Motion(i));
    b->Offer(Motion(i));
  }
  ASSERT_TRUE(WaitUntil([&] { return b->stats().delivered == 10; }, 2s));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(a->stats().delivered, 0u);
  a->Stop(0ms);
}

TEST(WebhookTest, TheFilterChoosesTypesAndCameras) {
  WebhookReceiver rx(kSecret);
  EndpointOptions o = To(rx.url());
  o.filter = {.events = {"motion_event.end", "camera"}, .cameras = {"front"}};
  std::unique_ptr<Endpoint> e = Endpoint::Start(o);
  EXPECT_FALSE(e->Offer(Motion(1, "motion_event.new")));
  EXPECT_TRUE(e->Offer(Motion(1, "motion_event.end")));
  EXPECT_FALSE(e->Offer(Motion(2, "motion_event.end", "yard")));
  EXPECT_TRUE(e->Offer({"camera.offline", "front", UnixMicros(RealClock().WallNow()), webhook::CameraStatusData(0)}));
  ASSERT_TRUE(WaitUntil([&] { return e->stats().delivered == 2; }));
  const std::vector<Delivery> got = rx.deliveries();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].event, "motion_event.end");
  EXPECT_EQ(got[1].event, "camera.offline");
  EXPECT_EQ(e->stats().queued, 2u);
}

// `sightline run` with a `webhooks:` entry: the motion events of real footage (PETS2009's
// substream with stall=4/10, so that a pause ends each event: one every 10 s) arrive signed,
// new before end; a camera whose camera dies is reported offline, and online once it is back.
TEST(WebhookRunTest, MotionEventsAndCameraStatusReachTheReceiver) {
  std::optional<std::string> sub = SharedMediaFile("pets2009_s2l1_360p10_400k.h264.mp4");
  if (!sub) GTEST_SKIP() << kNoSharedMediaMessage;
  WebhookReceiver rx(kSecret);
  const std::string url = rx.url();
  const std::string camera = "name=pets,file=" + *sub + ",start=0,stall=4/10";
  auto r = StartRecorder({camera}, [&](const std::string& dir, const std::string& port) {
    return "storage:\n  dirs: [" + dir + "/disk]\nhttp:\n  listen: 127.0.0.1:0\n" +
           "motion:\n  events: {pre_capture: 1s, post_capture: 1s, min_duration: 1s, merge_gap: 2s}\n" +
           "metrics:\n  enabled: true\n  token: webhook-test-metrics-token\n" +
           "webhooks:\n  - url: " + url + "\n    secret: " + kSecret + "\n    base_url: https://nvr.example\n" +
           "cameras:\n  pets:\n    streams:\n      sub: {url: rtsp://127.0.0.1:" + port +
           "/pets, roles: [record, detect]}\n";
  });
  ASSERT_TRUE(r.ok()) << r.status();
  auto types = [&] {
    std::vector<std::string> out;
    for (const Delivery& d : rx.deliveries()) out.push_back(d.event);
    return out;
  };
  auto has = [&](const std::string& type) {
    const std::vector<std::string> t = types();
    return std::find(t.begin(), t.end(), type) != t.end();
  };
  ASSERT_TRUE(WaitUntil([&] { return has("motion_event.end"); }, 40s)) << ::testing::PrintToString(types());
  int64_t first_id = 0;
  for (const Delivery& d : rx.deliveries()) {
    EXPECT_TRUE(d.signature.ok()) << d.signature;
    const nlohmann::json j = nlohmann::json::parse(d.body);
    EXPECT_EQ(j["camera"], "pets");
    if (first_id == 0) {
      EXPECT_EQ(d.event, "motion_event.new") << "an event is new before it is updated or ends";
      first_id = j["data"]["id"].get<int64_t>();
    }
    if (d.event == "motion_event.end" && j["data"]["id"] == first_id) {
      EXPECT_FALSE(j["data"]["end"].is_null());
      EXPECT_GT(j["data"]["end"].get<double>(), j["data"]["start"].get<double>());
      EXPECT_EQ(j["data"]["thumbnail"], "https://nvr.example/api/events/" + std::to_string(first_id) + "/thumbnail.jpg");
    }
  }
  EXPECT_FALSE(has("camera.offline")) << "the camera came online within the grace period";

  // The camera dies; then it is back, on the same port.
  const std::string port = (*r)->camsim->port;
  (*r)->camsim->process->Signal(SIGKILL).IgnoreError();
  EXPECT_TRUE((*r)->camsim->process->Wait(5000).ok());
  ASSERT_TRUE(WaitUntil([&] { return has("camera.offline"); }, 20s)) << ::testing::PrintToString(types());
  auto again = ChildProcess::Start(SIGHTLINE_BINARY, {"camsim", "--listen", "127.0.0.1:" + port, "--stats-interval",
                                                      "0", "--camera", camera});
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_TRUE((*again)->WaitForLinePrefix("camsim: serving", 10'000).ok());
  ASSERT_TRUE(WaitUntil([&] { return has("camera.online"); }, 30s)) << ::testing::PrintToString(types());
  for (const Delivery& d : rx.deliveries()) {
    if (d.event != "camera.online") continue;
    const nlohmann::json j = nlohmann::json::parse(d.body);
    EXPECT_FALSE(j["data"]["last_online"].is_null()) << "it was online before it died";
  }
  // The metrics count them (sightline_webhook_events_total, docs/ref/metrics.md).
  HttpRequest scrape;
  scrape.target = "/metrics";
  scrape.headers = {{"Authorization", "Bearer webhook-test-metrics-token"}};
  Result<HttpReply> m = Fetch((*r)->http_port, scrape);
  ASSERT_TRUE(m.ok()) << m.status();
  const std::string line = "sightline_webhook_events_total{webhook=\"0\",outcome=\"delivered\"} ";
  const size_t at = m->body.find(line);
  ASSERT_NE(at, std::string::npos) << m->body;
  EXPECT_GE(std::stoll(m->body.substr(at + line.size())), static_cast<long long>(rx.accepted().size()) - 1)
      << "an event may arrive between the count and the scrape";
  EXPECT_NE(m->body.find("sightline_webhook_failing{webhook=\"0\"} 0"), std::string::npos) << m->body;
}

}  // namespace
}  // namespace sightline::testing
