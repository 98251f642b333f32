#include "base/logging.h"

#include <gtest/gtest.h>

#include <vector>

namespace sightline {
namespace {

TEST(LoggingTest, SinkGetsStructuredLineAndLevelFilters) {
  std::vector<std::string> lines;
  SetLogSink([&](LogLevel, std::string_view l) { lines.emplace_back(l); });
  SetMinLogLevel(LogLevel::kInfo);
  SL_LOG(kDebug) << "camera=a hidden";
  SL_LOG(kWarning) << "camera=a stream=main reconnecting";
  SetLogSink(nullptr);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(" W camera=a stream=main reconnecting"), std::string::npos);
  EXPECT_EQ(lines[0][4], '-');  // ISO date prefix
}

TEST(LogRateLimiterTest, BurstThenSuppressesThenReportsCount) {
  LogRateLimiter rl(std::chrono::seconds(60), 2);
  std::chrono::steady_clock::time_point t{};
  t += std::chrono::hours(1);
  int suppressed = -1;
  EXPECT_TRUE(rl.Allow(t, &suppressed));
  EXPECT_TRUE(rl.Allow(t, &suppressed));
  EXPECT_FALSE(rl.Allow(t, &suppressed));
  EXPECT_FALSE(rl.Allow(t + std::chrono::seconds(59), &suppressed));
  EXPECT_TRUE(rl.Allow(t + std::chrono::seconds(61), &suppressed));
  EXPECT_EQ(suppressed, 2);
}

TEST(LoggingTest, ParseLevel) {
  LogLevel l;
  EXPECT_TRUE(ParseLogLevel("debug", &l));
  EXPECT_EQ(l, LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("loud", &l));
}

}  // namespace
}  // namespace sightline
