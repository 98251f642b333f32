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

TEST_F(RateLimiterTest, PerAddressGroupAcrossNames) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(limiter_.Admit("user" + std::to_string(i), "10.0.0.1"), 0s);
  EXPECT_EQ(limiter_.Admit("someone", "10.0.0.1"), 1s);
  EXPECT_EQ(limiter_.Admit("someone", "10.0.0.200"), 1s) << "the same /24";
  EXPECT_EQ(limiter_.Admit("someone", "10.0.1.2"), 0s) << "another /24";
}

TEST_F(RateLimiterTest, Ipv6AddressesCountPerSlash64) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(limiter_.Admit("user" + std::to_string(i), "2001:db8:0:1::" + std::to_string(i + 1)), 0s);
  }
  EXPECT_EQ(limiter_.Admit("someone", "2001:db8:0:1:ffff::1"), 1s);
  EXPECT_EQ(limiter_.Admit("someone", "2001:db8:0:2::1"), 0s);
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

// security-review-1 H1: expired keys left memory only when the same key came back.
TEST_F(RateLimiterTest, ExpiredKeysLeaveMemoryOnTimeAlone) {
  for (int i = 0; i < 20; ++i) ASSERT_EQ(limiter_.Admit("user" + std::to_string(i), ""), 0s);
  EXPECT_EQ(limiter_.tracked_keys(), 20u);
  clock_.Advance(15min);
  ASSERT_EQ(limiter_.Admit("newcomer", ""), 0s);
  EXPECT_EQ(limiter_.tracked_keys(), 1u);
}

TEST_F(RateLimiterTest, SuccessResetsTheNameButNotTheAddress) {
  Fail(4, "alice", "10.0.0.1");
  ASSERT_EQ(limiter_.Admit("alice", "10.0.0.1"), 0s);
  limiter_.Succeeded("alice", "10.0.0.1");
  // alice starts afresh; the address keeps its 4 failures (the success is not one).
  Fail(1, "alice", "10.0.0.1");
  EXPECT_EQ(limiter_.Admit("mallory", "10.0.0.1"), 1s);
  Fail(4, "alice", "10.0.1.2");
  EXPECT_EQ(limiter_.Admit("alice", "10.0.2.3"), 1s) << "alice's count restarted from zero";
}

// security-review-1 L4: failures on a name from elsewhere do not lock its owner out of the
// address group they logged in from before.
TEST_F(RateLimiterTest, TrustedAddressSkipsTheNameThrottle) {
  ASSERT_EQ(limiter_.Admit("alice", "10.0.0.1"), 0s);
  limiter_.Succeeded("alice", "10.0.0.1");
  for (int i = 0; i < 5; ++i) ASSERT_EQ(limiter_.Admit("alice", "10.9." + std::to_string(i) + ".1"), 0s);
  EXPECT_EQ(limiter_.Admit("alice", "10.9.9.9"), 1s) << "the attacker is throttled";
  EXPECT_EQ(limiter_.Admit("alice", "10.0.0.7"), 0s) << "the owner's /24 is not";
  EXPECT_EQ(limiter_.Admit("ALICE", "10.0.0.8"), 0s) << "names are case-insensitive";
}

// security-review-1 M4: a new (name, address) per guess slipped past both keys.
TEST_F(RateLimiterTest, SprayingSpendsTheGlobalBudget) {
  RateLimiter limiter(clock_, {.global_failures_per_minute = 6});
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(limiter.Admit("user" + std::to_string(i), "10." + std::to_string(i) + ".0.1"), 0s);
  }
  EXPECT_EQ(limiter.Admit("user99", "10.99.0.1"), 10s) << "one failure per 10 s refills";
  EXPECT_EQ(limiter.Admit("local", ""), 0s) << "local tools draw on no budget";
  clock_.Advance(10s);
  EXPECT_EQ(limiter.Admit("user99", "10.99.0.1"), 0s);
  EXPECT_GT(limiter.Admit("user100", "10.100.0.1"), 0s);
}

TEST_F(RateLimiterTest, TrustedPairsPassASpentBudget) {
  RateLimiter limiter(clock_, {.global_failures_per_minute = 2});
  ASSERT_EQ(limiter.Admit("alice", "10.0.0.1"), 0s);
  limiter.Succeeded("alice", "10.0.0.1");
  ASSERT_EQ(limiter.Admit("x", "10.1.0.1"), 0s);
  ASSERT_EQ(limiter.Admit("y", "10.2.0.1"), 0s);
  EXPECT_GT(limiter.Admit("z", "10.3.0.1"), 0s);
  EXPECT_EQ(limiter.Admit("alice", "10.0.0.1"), 0s);
}

// security-review-1 H1: 1 MiB names cost 2 MiB each, without bound.
TEST_F(RateLimiterTest, LongNamesAreCutAndMemoryIsBoundedInBytes) {
  RateLimiter small(clock_, {.global_failures_per_minute = 0, .max_bytes = 64 << 10});
  for (int i = 0; i < 500; ++i) {
    std::string name = std::to_string(i) + std::string(100 << 10, 'x');
    ASSERT_EQ(small.Admit(name, "10." + std::to_string(i % 200) + "." + std::to_string(i / 200) + ".1"), 0s);
    ASSERT_LE(small.tracked_bytes(), 64u << 10);
  }
  EXPECT_GT(small.tracked_keys(), 100u);
  // Names that agree in their first 64 bytes share a key.
  const std::string prefix(64, 'n');
  for (int i = 0; i < 5; ++i) ASSERT_EQ(limiter_.Admit(prefix + std::to_string(i), ""), 0s);
  EXPECT_EQ(limiter_.Admit(prefix + "other", ""), 1s);
}

TEST_F(RateLimiterTest, OldestKeyEvictedFirst) {
  RateLimiter small(clock_, {.max_bytes = 10 * (160 + 2 * 11)});  // ten keys of "name:userNN"
  for (int i = 10; i < 100; ++i) {
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
