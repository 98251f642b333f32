#include "auth/failed_login_summary.h"

#include <gtest/gtest.h>

#include "auth/account_store.h"

namespace sightline::auth {
namespace {

constexpr int64_t kS = 1'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kS;

TEST(FailedLoginSummaryTest, OneRowPerAddressAndMinuteWithTheCount) {
  FailedLoginSummary summary;
  for (int i = 0; i < 50; ++i) {
    EXPECT_TRUE(summary.Add("10.0.0.9", "admin", "wrong password", kT0 + i * kS).empty());
  }
  EXPECT_TRUE(summary.Add("10.0.0.9", "root", "unknown user", kT0 + 59 * kS).empty());
  EXPECT_TRUE(summary.TakeDue(kT0 + 59 * kS).empty());
  std::vector<AuditRecord> rows = summary.TakeDue(kT0 + 60 * kS);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].action, kAuditLogin);
  EXPECT_FALSE(rows[0].ok);
  EXPECT_EQ(rows[0].time_us, kT0);
  EXPECT_EQ(rows[0].remote, "10.0.0.9");
  EXPECT_EQ(rows[0].user, "") << "several names";
  EXPECT_EQ(rows[0].detail, "51 failed logins in 59 s: admin: wrong password 50; root: unknown user 1");
}

TEST(FailedLoginSummaryTest, ASingleFailureReadsAsBefore) {
  FailedLoginSummary summary;
  summary.Add("10.0.0.1", "admin", "wrong password", kT0);
  summary.Add("10.0.0.2", "nobody", "unknown user", kT0);
  std::vector<AuditRecord> rows = summary.TakeAll();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].user, "admin");
  EXPECT_EQ(rows[0].detail, "wrong password");
  EXPECT_EQ(rows[1].user, "nobody");
  EXPECT_EQ(rows[1].detail, "unknown user");
}

TEST(FailedLoginSummaryTest, TheNextMinuteStartsANewRowAndMemoryIsBounded) {
  FailedLoginSummary summary({.max_names = 2, .max_addresses = 3});
  summary.Add("a", "n1", "wrong password", kT0);
  std::vector<AuditRecord> due = summary.Add("a", "n1", "wrong password", kT0 + 61 * kS);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].detail, "wrong password");
  summary.Add("a", "n2", "unknown user", kT0 + 62 * kS);
  summary.Add("a", "n3", "unknown user", kT0 + 63 * kS);
  summary.Add("b", "x", "unknown user", kT0 + 63 * kS);
  summary.Add("c", "x", "unknown user", kT0 + 63 * kS);
  EXPECT_EQ(summary.pending(), 3u);
  due = summary.Add("d", "x", "unknown user", kT0 + 64 * kS);
  EXPECT_EQ(due.size(), 3u) << "a full map is written out";
  EXPECT_EQ(summary.pending(), 1u);
  EXPECT_EQ(due[0].remote, "a");
  EXPECT_EQ(due[0].detail, "3 failed logins in 2 s: n1: wrong password 1; n2: unknown user 1; other names: 1");
}

}  // namespace
}  // namespace sightline::auth
