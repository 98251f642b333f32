#include "auth/rate_limiter.h"

#include <gtest/gtest.h>

namespace sightline::auth {
namespace {

using namespace std::chrono_literals;

class RateLimiterTest : public ::testing::Test {
 protected:
  // `n` admitted attempts (failures, as nothing says otherwise), each checked to be admitted.
  void Fail(int n, std::string_view name = "alice", std::string_view remote = "10.0.0.1") {
    for (int i = 0; i < n; ++i) ASSERT_EQ(limiter_.Admit(name, remote), 0s) << "attempt " << i;
  }
  SimulatedClock clock_;
  RateLimiter limiter_{clock_};
};

TEST_F(RateLimiterTest, FiveFreeFailuresThenDoublingDelays) {
  Fail(5);
  // The delays after the 5th, 6th, 7th ... failure.
  for (std::chrono::seconds delay : {1s, 2s, 4s, 8s, 16s, 32s, 64s, 128s, 256s}) {
    EXPECT_EQ(limiter_.Admit("alice", "10.0.0.1"), delay);
    clock_.Advance(delay - 1ms);
    EXPECT_EQ(limiter_.Admit("alice", "10.0.0.1"), 1s) << "1 ms left, rounded up";
    clock_.Advance(1ms);
    EXPECT_EQ(limiter_.Admit("alice", "10.0.0.1"), 0s) << "after " << delay.count() << " s";
  }
  // Capped at 5 minutes.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter_.Admit("alice", "10.0.0.1"), 300s);
    clock_.Advance(300s);
    EXPECT_EQ(limiter_.Admit("alice", "10.0.0.1"), 0s);
  }
}

TEST_F(RateLimiterTest, RefusedAttemptsDoNotCount) {
  Fail(5);
  for (int i = 0; i < 50; ++i) EXPECT_GT(limiter_.Admit("alice", "10.0.0.1"), 0s);
  clock_.Advance(1s);
  EXPECT_EQ(limiter_.Admit("alice", "10.0.0.1"), 0s);
  EXPECT_EQ(limiter_.Admit("alice", "10.0.0.1"), 2s) << "the 6th failure, not the 56th";
}

TEST_F(RateLimiterTest, PerNameAcrossAddresses) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(limiter_.Admit("alice", "10.0.0." + std::to_string(i)), 0s);
  EXPECT_EQ(limiter_.Admit("alice", "10.9.9.9"), 1s);
  EXPECT_EQ(limiter_.Admit("ALICE", "10.9.9.9"), 1s) << "names are case-insensitive";
  EXPECT_EQ(limiter_.Admit("bob", "10.9.9.9"), 0s);
}

TEST_F(RateLimiterTest, PerAddressAcrossNames) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(limiter_.Admit("user" + std::to_string(i), "10.0.0.1"), 0s);
  EXPECT_EQ(limiter_.Admit("someone", "10.0.0.1"), 1s);
  EXPECT_EQ(limiter_.Admit("someone", "10.0.0.2"), 0s);
}

TEST_F(RateLimiterTest, EmptyRemoteIsNotTracked) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(limiter_.Admit("user" + std::to_string(i), ""), 0s);
  EXPECT_EQ(limiter_.Admit("another", ""), 0s);
  EXPECT_EQ(limiter_.tracked_keys(), 6u);
}

TEST_F(RateLimiterTest, FailuresAreForgottenAfterTheWindow) {
  Fail(5);
  clock_.Advance(15min - 1s);
  EXPECT_EQ(limiter_.Admit("alice", "10.0.0.1"), 0s) << "the 1 s delay has long passed";
  EXPECT_EQ(limiter_.Admit("alice", "10.0.0.1"), 2s) << "still remembered: 6 failures";
  clock_.Advance(15min);
  Fail(5);  // a fresh start: five free attempts again
  EXPECT_EQ(limiter_.Admit("alice", "10.0.0.1"), 1s);
}

TEST_F(RateLimiterTest, SuccessResetsTheNameButNotTheAddress) {
  Fail(4, "alice", "10.0.0.1");
  ASSERT_EQ(limiter_.Admit("alice", "10.0.0.1"), 0s);
  limiter_.Succeeded("alice", "10.0.0.1");
  // alice starts afresh; the address keeps its 4 failures (the success is not one).
  Fail(1, "alice", "10.0.0.1");
  EXPECT_EQ(limiter_.Admit("mallory", "10.0.0.1"), 1s);
  Fail(4, "alice", "10.0.0.2");
  EXPECT_EQ(limiter_.Admit("alice", "10.0.0.3"), 1s) << "alice's count restarted from zero";
}

TEST_F(RateLimiterTest, MemoryIsBoundedOldestEvicted) {
  RateLimiter small(clock_, {.max_keys = 10});
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(small.Admit("user" + std::to_string(i), ""), 0s);
    clock_.Advance(1ms);
  }
  EXPECT_EQ(small.tracked_keys(), 10u);
  // user99, the newest key, survives with its first failure: four more are free.
  for (int i = 0; i < 4; ++i) ASSERT_EQ(small.Admit("user99", ""), 0s);
  EXPECT_EQ(small.Admit("user99", ""), 1s);
  EXPECT_EQ(small.tracked_keys(), 10u);
}

TEST(RetryAfterTest, RoundTrip) {
  const Status s = TooManyFailedLoginsError(42s);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), "too many failed logins; retry in 42 s");
  EXPECT_EQ(RetryAfterSeconds(s), 42);
  Status with_context = s;
  with_context.AddContext("login");
  EXPECT_EQ(RetryAfterSeconds(with_context), 42);
  EXPECT_EQ(RetryAfterSeconds(ResourceExhaustedError("disk full")), std::nullopt);
  EXPECT_EQ(RetryAfterSeconds(UnauthenticatedError("too many failed logins; retry in 3 s")),
            std::nullopt);
  EXPECT_EQ(RetryAfterSeconds(Status()), std::nullopt);
}

}  // namespace
}  // namespace sightline::auth
