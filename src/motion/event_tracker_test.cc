#include "motion/event_tracker.h"

#include <gtest/gtest.h>

namespace sightline::motion {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kSecond;

FrameResult Motion(double fraction, std::vector<std::string> zones = {}) {
  FrameResult r;
  r.motion = true;
  r.fraction = fraction;
  r.zones = std::move(zones);
  return r;
}

// Feeds frames at 5 fps from `from` (inclusive) to `to` (exclusive), with motion or not, and
// collects every update.
struct Feeder {
  EventTracker tracker;
  std::vector<EventUpdate> updates;

  explicit Feeder(EventOptions options = {}) : tracker(options) {}

  void Run(int64_t from, int64_t to, const FrameResult& frame) {
    for (int64_t t = from; t < to; t += kSecond / 5) Add(tracker.Feed(t, frame));
  }
  void Add(std::vector<EventUpdate> u) { updates.insert(updates.end(), u.begin(), u.end()); }
  std::vector<EventUpdate> Of(EventUpdate::Kind kind) const {
    std::vector<EventUpdate> out;
    for (const EventUpdate& u : updates) {
      if (u.kind == kind) out.push_back(u);
    }
    return out;
  }
};

TEST(EventTrackerTest, StartAfterMinDurationEndAfterMergeGapWithPrePostCapture) {
  Feeder f;
  f.Run(kT0, kT0 + 10 * kSecond, FrameResult{});
  const int64_t first = kT0 + 10 * kSecond;
  f.Run(first, first + 800'000, Motion(0.01));
  EXPECT_TRUE(f.Of(EventUpdate::Kind::kStart).empty()) << "0.8 s of motion is below min_duration";
  f.Run(first + 800'000, first + 3 * kSecond, Motion(0.01));
  auto starts = f.Of(EventUpdate::Kind::kStart);
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0].event.start_us, first - 5 * kSecond);
  EXPECT_TRUE(f.tracker.in_event());
  const int64_t last = first + 3 * kSecond - kSecond / 5;
  // Quiet: the event ends at the first frame more than merge_gap (10 s) after the last motion.
  f.Run(first + 3 * kSecond, last + 10 * kSecond + 1, FrameResult{});
  EXPECT_TRUE(f.Of(EventUpdate::Kind::kEnd).empty());
  f.Run(last + 10 * kSecond + 1, last + 11 * kSecond, FrameResult{});
  auto ends = f.Of(EventUpdate::Kind::kEnd);
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0].event.start_us, first - 5 * kSecond);
  EXPECT_EQ(ends[0].event.end_us, last + 5 * kSecond);
  EXPECT_FALSE(f.tracker.in_event());
}

TEST(EventTrackerTest, ShortBlipsAreNoEvent) {
  Feeder f;
  // 0.6 s of motion every 3 s for a minute: each pause is longer than min_duration.
  for (int64_t t = kT0; t < kT0 + 60 * kSecond; t += 3 * kSecond) {
    f.Run(t, t + 600'000, Motion(0.02));
    f.Run(t + 600'000, t + 3 * kSecond, FrameResult{});
  }
  f.Add(f.tracker.Flush(kT0 + 61 * kSecond));
  EXPECT_TRUE(f.Of(EventUpdate::Kind::kStart).empty());
  EXPECT_TRUE(f.Of(EventUpdate::Kind::kEnd).empty());
}

TEST(EventTrackerTest, MinFramesAtALowFrameRate) {
  EventOptions options;
  options.min_frames = 3;
  EventTracker tracker(options);
  // Two motion frames 1 s apart reach min_duration but not min_frames.
  EXPECT_TRUE(tracker.Feed(kT0, Motion(0.1)).size() == 1);  // kPeak only
  auto u = tracker.Feed(kT0 + kSecond, Motion(0.05));
  EXPECT_TRUE(u.empty());
  u = tracker.Feed(kT0 + 1'500'000, Motion(0.05));
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].kind, EventUpdate::Kind::kStart);
}

TEST(EventTrackerTest, MotionWithinMergeGapContinuesTheEvent) {
  Feeder f;
  f.Run(kT0, kT0 + 2 * kSecond, Motion(0.01));
  f.Run(kT0 + 2 * kSecond, kT0 + 11 * kSecond, FrameResult{});  // 9.2 s quiet
  f.Run(kT0 + 11 * kSecond, kT0 + 13 * kSecond, Motion(0.01));
  f.Run(kT0 + 13 * kSecond, kT0 + 30 * kSecond, FrameResult{});
  ASSERT_EQ(f.Of(EventUpdate::Kind::kStart).size(), 1u);
  auto ends = f.Of(EventUpdate::Kind::kEnd);
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0].event.start_us, kT0 - 5 * kSecond);
  EXPECT_EQ(ends[0].event.end_us, kT0 + 13 * kSecond - kSecond / 5 + 5 * kSecond);

  // A pause longer than the merge gap makes two events that do not overlap.
  Feeder g;
  g.Run(kT0, kT0 + 2 * kSecond, Motion(0.01));
  g.Run(kT0 + 2 * kSecond, kT0 + 13 * kSecond, FrameResult{});
  g.Run(kT0 + 13 * kSecond, kT0 + 15 * kSecond, Motion(0.01));
  g.Add(g.tracker.Flush(kT0 + 40 * kSecond));
  ends = g.Of(EventUpdate::Kind::kEnd);
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_LE(ends[0].event.end_us, ends[1].event.start_us);
  EXPECT_EQ(ends[1].event.start_us, kT0 + 8 * kSecond);
}

TEST(EventTrackerTest, ZonesUnionAndPeak) {
  Feeder f;
  f.Add(f.tracker.Feed(kT0, Motion(0.01, {"door"})));
  f.Add(f.tracker.Feed(kT0 + 400'000, Motion(0.05)));
  f.Add(f.tracker.Feed(kT0 + 800'000, Motion(0.03, {"drive"})));
  f.Add(f.tracker.Feed(kT0 + 1'200'000, Motion(0.08, {"door", "drive"})));
  f.Add(f.tracker.Feed(kT0 + 1'600'000, Motion(0.02)));
  f.Add(f.tracker.Flush(kT0 + 3 * kSecond));
  const auto peaks = f.Of(EventUpdate::Kind::kPeak);
  ASSERT_EQ(peaks.size(), 3u);  // 0.01, then 0.05, then 0.08
  EXPECT_EQ(peaks.back().event.peak_time_us, kT0 + 1'200'000);
  const auto ends = f.Of(EventUpdate::Kind::kEnd);
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0].event.zones, (std::set<std::string>{"door", "drive"}));
  EXPECT_DOUBLE_EQ(ends[0].event.peak_fraction, 0.08);
  EXPECT_EQ(ends[0].event.peak_time_us, kT0 + 1'200'000);
  // Flush clamps the post-capture to the flush time.
  EXPECT_EQ(ends[0].event.end_us, kT0 + 3 * kSecond);
}

TEST(EventTrackerTest, UpdateOrderWhenANewEventFollowsAGap) {
  Feeder f;
  f.Run(kT0, kT0 + 2 * kSecond, Motion(0.01));
  // No frames at all for 20 s (the decoder was stopped), then motion again.
  const auto u = f.tracker.Feed(kT0 + 22 * kSecond, Motion(0.02));
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[0].kind, EventUpdate::Kind::kEnd);
  EXPECT_EQ(u[1].kind, EventUpdate::Kind::kPeak);
  EXPECT_EQ(u[1].event.start_us, kT0 + 17 * kSecond);
}

TEST(EventTrackerTest, ZeroMinDurationStartsAtOnceAndTimeNeverGoesBack) {
  EventOptions options;
  options.min_duration_us = 0;
  options.min_frames = 1;
  EventTracker tracker(options);
  auto u = tracker.Feed(kT0, Motion(0.01));
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[1].kind, EventUpdate::Kind::kStart);
  // An earlier time is treated as the latest one.
  u = tracker.Feed(kT0 - 60 * kSecond, FrameResult{});
  EXPECT_TRUE(u.empty());
  u = tracker.Flush(kT0 - 60 * kSecond);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].event.end_us, kT0);
}

TEST(EventTrackerTest, ValidatesOptions) {
  EXPECT_TRUE(ValidateEventOptions({}).ok());
  EventOptions o;
  o.merge_gap_us = -1;
  EXPECT_EQ(ValidateEventOptions(o).message(), "event options: merge_gap -1 us is negative");
  o = {};
  o.min_frames = 0;
  EXPECT_FALSE(ValidateEventOptions(o).ok());
}

}  // namespace
}  // namespace sightline::motion
