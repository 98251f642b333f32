#include "uplink/forwarder.h"

#include <gtest/gtest.h>

#include <thread>

#include "uplink/uplink_test_util.h"

namespace sightline::uplink {
namespace {

using namespace std::chrono_literals;
using testing::FakeLink;

class ForwarderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    outbox_ = site_.InstallOutbox();
    ASSERT_NE(outbox_, nullptr);
  }

  std::unique_ptr<Forwarder> Make(WindowOptions window = {}, int64_t bytes_per_s = 1 << 20) {
    ForwarderOptions o;
    o.site = "shop-1";
    o.outbox = outbox_.get();
    o.link = &link_;
    o.clock = &clock_;
    o.window = window;
    o.link_bytes_per_s = bytes_per_s;
    Result<std::unique_ptr<Forwarder>> f = Forwarder::Create(o);
    EXPECT_TRUE(f.ok()) << f.status();
    return f.ok() ? std::move(*f) : nullptr;
  }

  // The published messages since the last call, parsed, as "lane:seq".
  std::vector<std::string> Sent() {
    std::vector<std::string> out;
    for (const auto& [subject, data] : link_.Take()) {
      Result<Message> m = ParseMessage(subject, data);
      EXPECT_TRUE(m.ok()) << m.status();
      if (m.ok()) out.push_back(std::string(LaneName(m->lane)) + ":" + std::to_string(m->seq));
    }
    return out;
  }

  void Acknowledge(Forwarder& f, Lane lane, int64_t watermark) {
    Ack ack;
    ack.epoch = outbox_->epoch();
    ack.watermark[static_cast<int>(lane)] = watermark;
    f.OnAckMessage(EncodeAck(ack));
  }

  int64_t Rows(Lane lane) { return outbox_->Backlog(lane)->rows; }

  testing::SiteDatabase site_;
  std::unique_ptr<Outbox> outbox_;
  FakeLink link_;
  SimulatedClock clock_;
};

TEST_F(ForwarderTest, LanesGoInPriorityOrderEachInIdOrder) {
  site_.AddAudit("export");
  site_.AddClosedEvent("front");
  site_.AddClosedEvent("back");
  site_.AddStoreEvent("disk_full");
  std::unique_ptr<Forwarder> f = Make();
  ASSERT_TRUE(f->Step().ok());
  EXPECT_EQ(Sent(), (std::vector<std::string>{"alarm:1", "event:1", "event:2", "audit:1"}));
  ASSERT_TRUE(f->Step().ok());
  EXPECT_TRUE(Sent().empty()) << "nothing is sent twice while the window waits for acks";
}

TEST_F(ForwarderTest, RowsAreDeletedOnlyAtOrBelowTheCentresWatermark) {
  for (int i = 0; i < 5; ++i) site_.AddClosedEvent("front");
  std::unique_ptr<Forwarder> f = Make();
  ASSERT_TRUE(f->Step().ok());
  EXPECT_EQ(Sent().size(), 5u);
  EXPECT_EQ(Rows(Lane::kEvent), 5) << "sending deletes nothing";
  Acknowledge(*f, Lane::kEvent, 2);
  ASSERT_TRUE(f->Step().ok());
  EXPECT_EQ(Rows(Lane::kEvent), 3);
  EXPECT_EQ(outbox_->ReadAfter(Lane::kEvent, 0, 10)->front().seq, 3);
  EXPECT_EQ(f->stats().acked[static_cast<int>(Lane::kEvent)], 2);
}

TEST_F(ForwarderTest, AcknowledgementsOfAnotherEpochOrMalformedOnesDeleteNothing) {
  for (int i = 0; i < 3; ++i) site_.AddClosedEvent("front");
  std::unique_ptr<Forwarder> f = Make();
  ASSERT_TRUE(f->Step().ok());
  Ack other;
  other.epoch = std::string(32, 'f');
  other.watermark[static_cast<int>(Lane::kEvent)] = 3;
  f->OnAckMessage(EncodeAck(other));
  f->OnAckMessage("{not json");
  ASSERT_TRUE(f->Step().ok());
  EXPECT_EQ(Rows(Lane::kEvent), 3);
  EXPECT_EQ(f->stats().acks_refused, 2u);
}

TEST_F(ForwarderTest, TheWindowBoundsBytesInFlightAndAnAlarmStillGetsThrough) {
  for (int i = 0; i < 50; ++i) site_.AddClosedEvent("front");
  std::unique_ptr<Forwarder> f = Make({.max_bytes = 3000, .alarm_reserve_bytes = 1000});
  ASSERT_TRUE(f->Step().ok());
  const std::vector<std::string> first = Sent();
  ASSERT_GT(first.size(), 1u);
  ASSERT_LT(first.size(), 50u);
  ASSERT_TRUE(f->Step().ok());
  EXPECT_TRUE(Sent().empty()) << "a full window sends nothing more";
  site_.AddStoreEvent("disk_full");
  ASSERT_TRUE(f->Step().ok());
  EXPECT_EQ(Sent(), std::vector<std::string>{"alarm:1"}) << "the reserve is the alarm lane's";
  Acknowledge(*f, Lane::kEvent, static_cast<int64_t>(first.size()));
  ASSERT_TRUE(f->Step().ok());
  const std::vector<std::string> next = Sent();
  ASSERT_FALSE(next.empty());
  EXPECT_EQ(next.front(), "event:" + std::to_string(first.size() + 1));
}

TEST_F(ForwarderTest, NothingIsSentWhileDisconnectedAndEverythingUnacknowledgedAfterAReconnect) {
  for (int i = 0; i < 3; ++i) site_.AddClosedEvent("front");
  std::unique_ptr<Forwarder> f = Make();
  ASSERT_TRUE(f->Step().ok());
  EXPECT_EQ(Sent().size(), 3u);
  Acknowledge(*f, Lane::kEvent, 1);
  link_.SetConnected(false);
  site_.AddClosedEvent("front");
  ASSERT_TRUE(f->Step().ok());
  EXPECT_TRUE(Sent().empty());
  link_.SetConnected(true);
  ASSERT_TRUE(f->Step().ok());
  EXPECT_EQ(Sent(), (std::vector<std::string>{"event:2", "event:3", "event:4"}));
  EXPECT_EQ(Rows(Lane::kEvent), 3);
}

TEST_F(ForwarderTest, WhenAcknowledgementsStallTheWindowIsSentAgainAfterTheTimeout) {
  site_.AddClosedEvent("front");
  std::unique_ptr<Forwarder> f = Make({.ack_timeout = 10s});
  ASSERT_TRUE(f->Step().ok());
  EXPECT_EQ(Sent().size(), 1u);
  clock_.Advance(9s);
  ASSERT_TRUE(f->Step().ok());
  EXPECT_TRUE(Sent().empty());
  clock_.Advance(1s);
  ASSERT_TRUE(f->Step().ok());
  EXPECT_EQ(Sent(), std::vector<std::string>{"event:1"});
  EXPECT_EQ(f->stats().rewinds, 1u);
}

// A connection that looks up but carries nothing back (TCP retransmitting into an outage that
// ended): after the second stall in a row the forwarder redials, then sends it all again.
TEST_F(ForwarderTest, TwoStallsInARowRedialTheLinkAndAnAcknowledgementResetsTheCount) {
  site_.AddClosedEvent("front");
  std::unique_ptr<Forwarder> f = Make({.ack_timeout = 10s});
  ASSERT_TRUE(f->Step().ok());
  ASSERT_EQ(Sent().size(), 1u);
  clock_.Advance(10s);
  ASSERT_TRUE(f->Step().ok());  // first stall: sent again, no redial
  EXPECT_EQ(Sent(), std::vector<std::string>{"event:1"});
  EXPECT_EQ(link_.redials(), 0u);
  clock_.Advance(10s);
  ASSERT_TRUE(f->Step().ok());  // second: redial
  EXPECT_EQ(link_.redials(), 1u);
  EXPECT_EQ(f->stats().redials, 1u);
  ASSERT_TRUE(f->Step().ok());  // the new connection: everything unacknowledged again
  EXPECT_EQ(Sent(), std::vector<std::string>{"event:1"});
  // An acknowledgement between two stalls starts the count again.
  site_.AddClosedEvent("front");
  Acknowledge(*f, Lane::kEvent, 1);
  ASSERT_TRUE(f->Step().ok());
  EXPECT_EQ(Sent(), std::vector<std::string>{"event:2"});
  clock_.Advance(10s);
  ASSERT_TRUE(f->Step().ok());
  Acknowledge(*f, Lane::kEvent, 1);  // moves nothing: no progress
  site_.AddClosedEvent("front");
  Acknowledge(*f, Lane::kEvent, 2);
  ASSERT_TRUE(f->Step().ok());
  clock_.Advance(10s);
  ASSERT_TRUE(f->Step().ok());
  EXPECT_EQ(link_.redials(), 1u) << "a stall after an acknowledgement is the first of a new count";
}

TEST_F(ForwarderTest, TheLinkBudgetPacesTheBytes) {
  for (int i = 0; i < 300; ++i) site_.AddClosedEvent("front");
  // 20 kB/s: the burst is one largest message (16 KiB).
  std::unique_ptr<Forwarder> f = Make({.max_bytes = 1 << 20}, 20'000);
  ASSERT_TRUE(f->Step().ok());
  const uint64_t burst = f->stats().bytes_sent;
  EXPECT_LE(burst, kMaxMessageBytes + 0u);
  EXPECT_LT(Sent().size(), 300u);
  clock_.Advance(1s);
  ASSERT_TRUE(f->Step().ok());
  EXPECT_LE(f->stats().bytes_sent - burst, 20'000u + 0u);
  EXPECT_GT(f->stats().bytes_sent - burst, 15'000u);
}

TEST_F(ForwarderTest, ARestartedForwarderStartsAfterTheDeletedRows) {
  for (int i = 0; i < 4; ++i) site_.AddClosedEvent("front");
  {
    std::unique_ptr<Forwarder> f = Make();
    ASSERT_TRUE(f->Step().ok());
    Acknowledge(*f, Lane::kEvent, 3);
    ASSERT_TRUE(f->Step().ok());
    Sent();
  }
  std::unique_ptr<Forwarder> again = Make();
  ASSERT_TRUE(again->Step().ok());
  EXPECT_EQ(Sent(), std::vector<std::string>{"event:4"});
}

TEST_F(ForwarderTest, AnOversizeRowGoesAsAStubSoTheLaneKeepsMoving) {
  site_.AddAudit("export");
  ASSERT_TRUE(site_.db->Exec("UPDATE outbox SET body = json_object('pad', printf('%.20000c', 'x'))").ok());
  site_.AddAudit("view");
  std::unique_ptr<Forwarder> f = Make();
  ASSERT_TRUE(f->Step().ok());
  const auto published = link_.Take();
  ASSERT_EQ(published.size(), 2u);
  Result<Message> stub = ParseMessage(published[0].first, published[0].second);
  ASSERT_TRUE(stub.ok()) << stub.status();
  EXPECT_NE(stub->body.find("oversize_bytes"), std::string::npos);
  EXPECT_EQ(f->stats().oversize, 1u);
}

TEST_F(ForwarderTest, TheThreadSendsWithoutBeingAskedAndStops) {
  site_.AddClosedEvent("front");
  RealClock real;
  ForwarderOptions o;
  o.site = "shop-1";
  o.outbox = outbox_.get();
  o.link = &link_;
  o.clock = &real;
  o.poll_interval = 10ms;
  Result<std::unique_ptr<Forwarder>> made = Forwarder::Create(o);
  ASSERT_TRUE(made.ok()) << made.status();
  std::unique_ptr<Forwarder> f = std::move(*made);
  f->Start();
  for (int i = 0; i < 500 && f->stats().messages_sent == 0; ++i) std::this_thread::sleep_for(10ms);
  f->Stop();
  EXPECT_EQ(f->stats().messages_sent, 1u);
}

}  // namespace
}  // namespace sightline::uplink
