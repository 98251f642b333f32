#include "auth/view_runs.h"

#include <gtest/gtest.h>

#include "auth/account_store.h"

namespace sightline::auth {
namespace {

constexpr int64_t kS = 1'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kS;

// A fetch of segment `seq` of 10 s segments recorded from kT0, by alice from 10.0.0.1.
RecordedView Fetch(int64_t seq, std::string stream = "main") {
  return {.user = "alice",
          .camera = "front",
          .stream = std::move(stream),
          .remote = "10.0.0.1",
          .seq = seq,
          .start_us = kT0 + seq * 10 * kS,
          .end_us = kT0 + (seq + 1) * 10 * kS,
          .bytes = 1000};
}

TEST(ViewRunsTest, AdjacentSegmentsBecomeOneRowWithTheirRealSpan) {
  ViewRuns runs;
  int64_t now = kT0 + 3600 * kS;
  for (int64_t seq = 5; seq <= 9; ++seq) {
    // Byte ranges: each segment fetched in two parts, the second covering its later half.
    RecordedView first = Fetch(seq), second = Fetch(seq);
    first.end_us -= 5 * kS;
    second.start_us += 5 * kS;
    EXPECT_TRUE(runs.Add(first, now += kS).empty());
    EXPECT_TRUE(runs.Add(second, now += kS).empty());
  }
  EXPECT_TRUE(runs.TakeDue(now + 59 * kS).empty()) << "not idle long enough";
  std::vector<AuditRecord> rows = runs.TakeDue(now + 60 * kS);
  ASSERT_EQ(rows.size(), 1u);
  const AuditRecord& r = rows[0];
  EXPECT_EQ(r.action, kAuditRecordingView);
  EXPECT_EQ(r.user, "alice");
  EXPECT_EQ(r.camera, "front");
  EXPECT_EQ(r.remote, "10.0.0.1");
  EXPECT_EQ(r.start_us, kT0 + 50 * kS);
  EXPECT_EQ(r.end_us, kT0 + 100 * kS);
  EXPECT_EQ(r.time_us, kT0 + 3601 * kS) << "when the viewing began";
  EXPECT_EQ(r.detail, "stream=main segments=5-9 fetches=10 bytes=10000");
  EXPECT_EQ(runs.pending(), 0u);
}

TEST(ViewRunsTest, ASeekEndsTheRunAndStartsAnother) {
  ViewRuns runs;
  const int64_t now = kT0 + 3600 * kS;
  EXPECT_TRUE(runs.Add(Fetch(1), now).empty());
  EXPECT_TRUE(runs.Add(Fetch(2), now + kS).empty());
  std::vector<AuditRecord> ended = runs.Add(Fetch(40), now + 2 * kS);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].start_us, kT0 + 10 * kS);
  EXPECT_EQ(ended[0].end_us, kT0 + 30 * kS);
  // Another stream, user or address is another run, not a seek.
  RecordedView other = Fetch(2, "sub");
  EXPECT_TRUE(runs.Add(other, now + 3 * kS).empty());
  other = Fetch(3);
  other.remote = "10.0.0.2";
  EXPECT_TRUE(runs.Add(other, now + 3 * kS).empty());
  std::vector<AuditRecord> all = runs.TakeAll();
  ASSERT_EQ(all.size(), 3u);
  for (const AuditRecord& r : all) EXPECT_EQ(r.detail.find("fetches=1 "), r.detail.find("fetches"));
}

TEST(ViewRunsTest, LongViewingsAreWrittenInPartsAndTheMapIsBounded) {
  ViewRuns runs({.max_run_us = 100 * kS, .max_runs = 2});
  int64_t now = kT0 + 3600 * kS;
  EXPECT_TRUE(runs.Add(Fetch(0), now).empty());
  EXPECT_TRUE(runs.Add(Fetch(1), now + 50 * kS).empty());
  std::vector<AuditRecord> part = runs.Add(Fetch(2), now + 100 * kS);
  ASSERT_EQ(part.size(), 1u) << "a run ends after max_run_us even while adjacent";
  EXPECT_EQ(part[0].end_us, kT0 + 20 * kS);

  RecordedView b = Fetch(0), c = Fetch(0);
  b.user = "bob";
  c.user = "carol";
  EXPECT_TRUE(runs.Add(b, now + 101 * kS).empty());
  std::vector<AuditRecord> early = runs.Add(c, now + 102 * kS);
  ASSERT_EQ(early.size(), 1u) << "the oldest run is written when the map is full";
  EXPECT_EQ(early[0].user, "alice");
  EXPECT_EQ(runs.pending(), 2u);
}

TEST(ViewRunsTest, TheTokenUsedIsNamed) {
  ViewRuns runs;
  RecordedView v = Fetch(0);
  v.via = "token=nightly";
  runs.Add(v, kT0);
  std::vector<AuditRecord> rows = runs.TakeAll();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].detail, "stream=main segments=0 fetches=1 bytes=1000 token=nightly");
}

}  // namespace
}  // namespace sightline::auth
