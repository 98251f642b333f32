#include "onvif/event_tracker.h"

#include <gtest/gtest.h>

namespace sightline::onvif {
namespace {

using std::chrono::milliseconds;
constexpr int64_t kS = 1'000'000;

CameraSignal Motion(bool state, std::string member = "VideoSource/MotionAlarm|Source=0", bool initialized = false) {
  return {CameraEventKind::kMotion, "", std::move(member), state, initialized};
}

CameraSignal Input(const std::string& token, bool state) {
  return {CameraEventKind::kInput, token, "Device/Trigger/DigitalInput|InputToken=" + token, state, false};
}

TEST(EventTrackerTest, TrueThenFalseIsOneEvent) {
  EventTracker t({});
  std::vector<CameraEventChange> start = t.Apply(Motion(true), 10 * kS);
  ASSERT_EQ(start.size(), 1u);
  EXPECT_FALSE(start[0].ended);
  EXPECT_EQ(start[0].start_us, 10 * kS);
  EXPECT_TRUE(t.Apply(Motion(true), 12 * kS).empty());  // repeated: the same event
  std::vector<CameraEventChange> end = t.Apply(Motion(false), 15 * kS);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_TRUE(end[0].ended);
  EXPECT_EQ(end[0].start_us, 10 * kS);
  EXPECT_EQ(end[0].end_us, 15 * kS);
  EXPECT_EQ(t.open_events(), 0u);
  EXPECT_TRUE(t.Apply(Motion(false), 16 * kS).empty());  // nothing open: nothing to end
}

TEST(EventTrackerTest, TwoTopicsForOneMotionMakeOneEvent) {
  EventTracker t({});
  const std::string cell = "RuleEngine/CellMotionDetector/Motion|Rule=MyMotionDetectorRule";
  EXPECT_EQ(t.Apply(Motion(true), 10 * kS).size(), 1u);
  EXPECT_TRUE(t.Apply(Motion(true, cell), 10 * kS + 100).empty());
  EXPECT_TRUE(t.Apply(Motion(false), 14 * kS).empty());  // the cell detector still sees motion
  std::vector<CameraEventChange> end = t.Apply(Motion(false, cell), 15 * kS);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].end_us, 15 * kS);
}

TEST(EventTrackerTest, AStateNeverSetBackEndsAfterTheTimeout) {
  // zoneminder#4195: cameras that only ever send "true".
  EventTracker t({.timeout = milliseconds(30000), .inverted = {}});
  ASSERT_EQ(t.Apply(Motion(true), 100 * kS).size(), 1u);
  EXPECT_TRUE(t.Expire(120 * kS).empty());
  EXPECT_TRUE(t.Apply(Motion(true), 125 * kS).empty());  // repeated: still on
  EXPECT_TRUE(t.Expire(150 * kS).empty());
  std::vector<CameraEventChange> end = t.Expire(155 * kS);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].start_us, 100 * kS);
  EXPECT_EQ(end[0].end_us, 125 * kS);  // the last "true" heard
  // A single "true" gives an event of a second, not of nothing.
  ASSERT_EQ(t.Apply(Motion(true), 200 * kS).size(), 1u);
  end = t.Expire(231 * kS);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].end_us, 201 * kS);
}

TEST(EventTrackerTest, InvertedKindsAreReadTheOtherWayRound) {
  // zoneminder#3802; inputs wired normally closed.
  EventTracker t({.timeout = milliseconds(60000), .inverted = {CameraEventKind::kInput}});
  EXPECT_TRUE(t.Apply(Input("DI_1", true), 10 * kS).empty());  // idle
  std::vector<CameraEventChange> start = t.Apply(Input("DI_1", false), 11 * kS);
  ASSERT_EQ(start.size(), 1u);
  EXPECT_EQ(start[0].kind, CameraEventKind::kInput);
  EXPECT_EQ(start[0].input, "DI_1");
  // Motion is not inverted.
  EXPECT_EQ(t.Apply(Motion(true), 12 * kS).size(), 1u);
  std::vector<CameraEventChange> end = t.Apply(Input("DI_1", true), 13 * kS);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_TRUE(end[0].ended);
  EXPECT_EQ(end[0].input, "DI_1");
}

TEST(EventTrackerTest, EachInputIsItsOwnEvent) {
  EventTracker t({});
  EXPECT_EQ(t.Apply(Input("DI_1", true), 10 * kS).size(), 1u);
  EXPECT_EQ(t.Apply(Input("DI_2", true), 11 * kS).size(), 1u);
  EXPECT_EQ(t.open_events(), 2u);
  ASSERT_EQ(t.Apply(Input("DI_1", false), 12 * kS).size(), 1u);
  EXPECT_EQ(t.open_events(), 1u);
}

TEST(EventTrackerTest, AnInitializedTrueAfterAReconnectContinuesTheEvent) {
  EventTracker t({});
  ASSERT_EQ(t.Apply(Motion(true), 10 * kS).size(), 1u);
  // The subscription was lost; the new one reports the state as it is: still on.
  EXPECT_TRUE(t.Apply(Motion(true, "VideoSource/MotionAlarm|Source=0", true), 20 * kS).empty());
  EXPECT_EQ(t.open_events(), 1u);
}

TEST(EventTrackerTest, AnInitializedFalseEndsWhatTheOldSubscriptionLeftOpen) {
  EventTracker t({});
  const std::string cell = "RuleEngine/CellMotionDetector/Motion|Rule=r";
  t.Apply(Motion(true), 10 * kS);
  t.Apply(Motion(true, cell), 10 * kS);
  std::vector<CameraEventChange> end = t.Apply(Motion(false, "VideoSource/MotionAlarm|Source=0", true), 30 * kS);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].end_us, 30 * kS);
}

TEST(EventTrackerTest, EndAllEndsEveryOpenEvent) {
  EventTracker t({});
  t.Apply(Motion(true), 10 * kS);
  t.Apply(Input("DI_1", true), 11 * kS);
  std::vector<CameraEventChange> ended = t.EndAll(20 * kS);
  ASSERT_EQ(ended.size(), 2u);
  for (const CameraEventChange& c : ended) {
    EXPECT_TRUE(c.ended);
    EXPECT_EQ(c.end_us, 20 * kS);
  }
  EXPECT_EQ(t.open_events(), 0u);
}

TEST(EventTrackerTest, EndsNeverPrecedeStarts) {
  EventTracker t({});
  t.Apply(Motion(true), 10 * kS);
  std::vector<CameraEventChange> end = t.Apply(Motion(false), 9 * kS);  // a camera clock that stepped back
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].end_us, 10 * kS);
}

TEST(EventTrackerTest, SourcesNameKindAndInput) {
  EXPECT_EQ(CameraEventSource(CameraEventKind::kMotion, ""), "onvif:motion");
  EXPECT_EQ(CameraEventSource(CameraEventKind::kTamper, ""), "onvif:tamper");
  EXPECT_EQ(CameraEventSource(CameraEventKind::kInput, "DI_1"), "onvif:input:DI_1");
  EXPECT_EQ(CameraEventSource(CameraEventKind::kInput, ""), "onvif:input:0");
}

}  // namespace
}  // namespace sightline::onvif
