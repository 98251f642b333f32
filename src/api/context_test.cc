#include "api/context.h"

#include <gtest/gtest.h>

namespace sightline::api {
namespace {

constexpr int64_t kS = 1'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kS;

TEST(HourRangeKeyTest, RangesWithinTheSameHoursShareAKey) {
  constexpr int64_t kHour = 3600 * kS;
  const int64_t h = kT0 - kT0 % kHour;
  const std::string key = Context::HourRangeKey("cam", "main", h + 10 * kS, h + 20 * 60 * kS);
  EXPECT_EQ(Context::HourRangeKey("cam", "main", h, h + kHour), key) << "a growing range";
  EXPECT_NE(Context::HourRangeKey("cam", "main", h + kHour, h + kHour + kS), key) << "the next hour";
  EXPECT_NE(Context::HourRangeKey("cam", "main", h, h + kHour + kS), key) << "one more hour";
  EXPECT_NE(Context::HourRangeKey("cam", "sub", h, h + kHour), key);
  EXPECT_NE(Context::HourRangeKey("cam", "main", -kHour - 1, 0),
            Context::HourRangeKey("cam", "main", -kHour, 0))
      << "floor, also before 1970";
}

}  // namespace
}  // namespace sightline::api
