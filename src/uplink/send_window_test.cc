#include "uplink/send_window.h"

#include <gtest/gtest.h>

namespace sightline::uplink {
namespace {

using namespace std::chrono_literals;

WindowOptions Options() { return {.max_bytes = 1000, .alarm_reserve_bytes = 200, .ack_timeout = 5s}; }

TEST(SendWindowTest, InFlightBytesStayWithinTheBoundLessTheAlarmReserve) {
  SimulatedClock clock;
  SendWindow w(Options(), clock);
  EXPECT_TRUE(w.Fits(Lane::kEvent, 5000)) << "an empty window takes one message of any size";
  w.OnSent(Lane::kEvent, 500);
  EXPECT_TRUE(w.Fits(Lane::kEvent, 300));
  EXPECT_FALSE(w.Fits(Lane::kEvent, 301)) << "800 is the limit of the lanes below alarms";
  EXPECT_TRUE(w.Fits(Lane::kAlarm, 500)) << "alarms may use the reserve";
  EXPECT_FALSE(w.Fits(Lane::kAlarm, 501));
  w.OnSent(Lane::kEvent, 300);
  EXPECT_EQ(w.in_flight_bytes(), 800u);
  EXPECT_FALSE(w.Fits(Lane::kAudit, 1));
  EXPECT_TRUE(w.Fits(Lane::kAlarm, 200));
}

TEST(SendWindowTest, AWatermarkFreesTheMessagesAtOrBelowItOnly) {
  SimulatedClock clock;
  SendWindow w(Options(), clock);
  w.ResetLane(Lane::kEvent, 10);
  for (int i = 0; i < 3; ++i) w.OnSent(Lane::kEvent, 100);  // ids 11, 12, 13
  EXPECT_EQ(w.sent_through(Lane::kEvent), 13);
  EXPECT_TRUE(w.OnAck(Lane::kEvent, 12));
  EXPECT_EQ(w.in_flight_bytes(), 100u);
  EXPECT_EQ(w.acked(Lane::kEvent), 12);
  EXPECT_FALSE(w.OnAck(Lane::kEvent, 12)) << "an old or repeated watermark changes nothing";
  EXPECT_FALSE(w.OnAck(Lane::kEvent, 5));
  EXPECT_EQ(w.acked(Lane::kEvent), 12);
}

TEST(SendWindowTest, AWatermarkBeyondWhatWasSentSkipsTheCommittedIds) {
  SimulatedClock clock;
  SendWindow w(Options(), clock);
  EXPECT_TRUE(w.OnAck(Lane::kAudit, 40));
  EXPECT_EQ(w.sent_through(Lane::kAudit), 40);
  EXPECT_EQ(w.in_flight_bytes(), 0u);
}

TEST(SendWindowTest, RewindSendsEveryLaneAgainFromItsWatermark) {
  SimulatedClock clock;
  SendWindow w(Options(), clock);
  w.ResetLane(Lane::kAlarm, 3);
  w.OnSent(Lane::kAlarm, 10);
  w.OnSent(Lane::kEvent, 10);
  w.OnSent(Lane::kEvent, 10);
  ASSERT_TRUE(w.OnAck(Lane::kEvent, 1));
  w.RewindAll();
  EXPECT_EQ(w.sent_through(Lane::kAlarm), 3);
  EXPECT_EQ(w.sent_through(Lane::kEvent), 1);
  EXPECT_EQ(w.in_flight_bytes(), 0u);
}

TEST(SendWindowTest, StalledAcknowledgementsRewindAfterTheTimeoutNotBefore) {
  SimulatedClock clock;
  SendWindow w(Options(), clock);
  EXPECT_FALSE(w.RewindIfStalled()) << "nothing in flight: nothing to wait for";
  w.OnSent(Lane::kEvent, 10);
  w.OnSent(Lane::kEvent, 10);
  clock.Advance(4s);
  EXPECT_FALSE(w.RewindIfStalled());
  ASSERT_TRUE(w.OnAck(Lane::kEvent, 1));  // progress restarts the timeout
  clock.Advance(4s);
  EXPECT_FALSE(w.RewindIfStalled());
  clock.Advance(1s);
  EXPECT_TRUE(w.RewindIfStalled());
  EXPECT_EQ(w.sent_through(Lane::kEvent), 1);
}

}  // namespace
}  // namespace sightline::uplink
