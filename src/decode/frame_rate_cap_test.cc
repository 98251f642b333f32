#include "decode/frame_rate_cap.h"

#include <gtest/gtest.h>

#include <vector>

namespace sightline::decode {
namespace {

int Taken(FrameRateCap& cap, const std::vector<int64_t>& pts) {
  int n = 0;
  for (int64_t p : pts) n += cap.Take(p);
  return n;
}

// `frames` timestamps `interval_90k` apart, each moved by up to +-2 x `jitter_90k` in an
// irregular pattern.
std::vector<int64_t> Stream(int frames, int64_t interval_90k, int64_t jitter_90k = 0) {
  std::vector<int64_t> pts;
  for (int i = 0; i < frames; ++i) pts.push_back(i * interval_90k + (i * 7 % 5 - 2) * jitter_90k);
  return pts;
}

TEST(FrameRateCapTest, HalvesTenFpsAtFive) {
  FrameRateCap cap(5);
  EXPECT_EQ(Taken(cap, Stream(100, 9000)), 50);
}

TEST(FrameRateCapTest, ZeroTakesAll) {
  FrameRateCap cap(0);
  EXPECT_EQ(Taken(cap, Stream(100, 9000)), 100);
}

TEST(FrameRateCapTest, CapAboveStreamRateTakesAll) {
  FrameRateCap cap(10);
  EXPECT_EQ(Taken(cap, Stream(100, 9000)), 100);
}

TEST(FrameRateCapTest, JitteredTimestampsStillGiveTheCap) {
  // 10 fps with up to +-2 ms of timestamp jitter, capped at 5 fps: still every other frame.
  FrameRateCap cap(5);
  EXPECT_EQ(Taken(cap, Stream(100, 9000, 90)), 50);
}

TEST(FrameRateCapTest, TwentyFiveFpsAtFive) {
  FrameRateCap cap(5);
  EXPECT_EQ(Taken(cap, Stream(250, 3600)), 50);
}

TEST(FrameRateCapTest, BackwardsPtsRestarts) {
  FrameRateCap cap(1);
  EXPECT_TRUE(cap.Take(900000));
  EXPECT_FALSE(cap.Take(900000 + 9000));
  EXPECT_TRUE(cap.Take(0));
  EXPECT_FALSE(cap.Take(9000));
  cap.Reset();
  EXPECT_TRUE(cap.Take(18000));
}

}  // namespace
}  // namespace sightline::decode
