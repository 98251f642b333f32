#include "uplink/token_bucket.h"

#include <gtest/gtest.h>

namespace sightline::uplink {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucketTest, BytesGoAtTheBudgetsRateAfterTheBurst) {
  SimulatedClock clock;
  TokenBucket bucket(1000, 500, clock);  // 8 kbit/s
  EXPECT_TRUE(bucket.TryTake(500));
  EXPECT_FALSE(bucket.TryTake(1));
  clock.Advance(100ms);
  EXPECT_TRUE(bucket.TryTake(100));
  EXPECT_FALSE(bucket.TryTake(1));
  clock.Advance(10s);
  EXPECT_TRUE(bucket.TryTake(500)) << "never more than the burst accrues";
  EXPECT_FALSE(bucket.TryTake(1));
}

TEST(TokenBucketTest, AMessageLargerThanTheBurstGoesWhenTheBucketIsFull) {
  SimulatedClock clock;
  TokenBucket bucket(1000, 500, clock);
  EXPECT_TRUE(bucket.TryTake(2000));
  EXPECT_FALSE(bucket.TryTake(2000));
  clock.Advance(400ms);
  EXPECT_FALSE(bucket.TryTake(2000));
  clock.Advance(100ms);
  EXPECT_TRUE(bucket.TryTake(2000));
}

}  // namespace
}  // namespace sightline::uplink
