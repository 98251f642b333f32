// Retention tiers (docs/design/storage.md, "Retention tiers"): segments with motion are kept
// motion days, the others continuous days, on a simulated clock.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "store/index_writer.h"
#include "store/store_test_util.h"

namespace sightline::store {
namespace {

using testing::GridOfCells;

constexpr int64_t kHourUs = int64_t{3600} * 1'000'000;
constexpr int64_t kDayUs = 24 * kHourUs;

class RetentionTiersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    index_ = *Index::Open(tmp_.path() + "/index.db");
    dir_ = tmp_.path() + "/disk";
    std::filesystem::create_directories(dir_ + "/cam/main");
    dir_id_ = *index_->AddDir("uuid-1", dir_);
    stream_id_ = *index_->EnsureStream("cam", "main");
  }
  int64_t Now() const { return UnixMicros(clock_.WallNow()); }

  // One-hour segments covering the `days` before now, closed, each with its (empty) file.
  void RecordDays(int days) {
    std::vector<SegmentRow> rows;
    const int64_t first = Now() - days * kDayUs;
    for (int i = 0; i < days * 24; ++i) {
      SegmentRow r;
      r.stream_id = stream_id_;
      r.seq = i + 1;
      r.dir_id = dir_id_;
      r.start_us = first + i * kHourUs;
      r.end_us = r.start_us + kHourUs;
      r.codec = "avc1.640028";
      r.init_length = 700;
      r.durable_length = 1700;
      r.frames = 36000;
      r.open = false;
      rows.push_back(r);
      std::ofstream(dir_ + "/" + SegmentRelativePath("cam", "main", r.seq));
    }
    ASSERT_TRUE(index_->CommitSegments(rows).ok());
  }
  int64_t AddEvent(int64_t start_us, int64_t end_us) {
    MotionEventRow e;
    e.camera = "cam";
    e.stream = "sub";
    e.start_us = start_us;
    e.end_us = end_us;
    return *index_->AddMotionEvent(e);
  }
  static Retention Tiers(std::optional<int64_t> continuous_days, std::optional<int64_t> motion_days) {
    Retention r;
    r.continuous_days = continuous_days;
    r.motion_days = motion_days;
    return r;
  }
  Status RunRetention(Retention r) {
    IndexWriterOptions o;
    o.index = index_.get();
    o.env = DefaultEnv();
    o.clock = &clock_;
    o.dirs = {{dir_id_, dir_, 0}};
    o.streams = {{stream_id_, r}};
    o.on_fatal = [](const Status& s) { ADD_FAILURE() << s; };
    IndexWriter writer(o);
    Status s = writer.RunRetention();
    stats_ = writer.stats();
    return s;
  }
  std::vector<int64_t> Seqs() {
    std::vector<int64_t> out;
    const std::vector<SegmentRow> rows = *index_->SegmentsInRange(stream_id_, 0, INT64_MAX / 2);
    for (const SegmentRow& r : rows) out.push_back(r.seq);
    return out;
  }
  bool FileExists(int64_t seq) { return std::filesystem::exists(dir_ + "/" + SegmentRelativePath("cam", "main", seq)); }

  testing::TempDir tmp_;
  SimulatedClock clock_;
  std::string dir_;
  std::unique_ptr<Index> index_;
  int64_t dir_id_ = 0, stream_id_ = 0;
  IndexWriterStats stats_;
};

TEST_F(RetentionTiersTest, MotionIsKeptPastContinuousDaysAndGoesAfterMotionDays) {
  RecordDays(10);  // seq i + 1 covers [now - 10 d + i h, + 1 h)
  const int64_t t0 = Now();
  // Motion 6 days ago, in seq 97; seq 13 is locked as evidence.
  AddEvent(t0 - 6 * kDayUs + kHourUs / 2, t0 - 6 * kDayUs + kHourUs / 2 + 60'000'000);
  ASSERT_EQ(*index_->SetProtected(stream_id_, t0 - 10 * kDayUs + 12 * kHourUs, t0 - 10 * kDayUs + 13 * kHourUs, true),
            1);
  const Retention tiers = Tiers(3, 7);

  ASSERT_TRUE(RunRetention(tiers).ok());
  // Without motion, what ended more than 3 days ago is gone: seqs up to 167 (seq 168 ends
  // exactly 3 days ago), except the locked one and the one with motion.
  std::vector<int64_t> kept = Seqs();
  ASSERT_EQ(kept.size(), 2u + 73u);
  EXPECT_EQ(kept[0], 13);
  EXPECT_EQ(kept[1], 97);
  EXPECT_EQ(kept[2], 168);
  EXPECT_EQ(stats_.segments_deleted, 165u);
  EXPECT_FALSE(FileExists(1));
  EXPECT_TRUE(FileExists(97));
  EXPECT_TRUE(index_->Garbage()->empty());

  // A day later the motion segment is 7 days old less an hour: kept.
  clock_.Advance(std::chrono::hours(24));
  ASSERT_TRUE(RunRetention(tiers).ok());
  EXPECT_EQ(Seqs()[1], 97);
  // Two days later it is older than 7 days: gone. The evidence lock never goes.
  clock_.Advance(std::chrono::hours(24));
  ASSERT_TRUE(RunRetention(tiers).ok());
  kept = Seqs();
  EXPECT_EQ(kept[0], 13);
  EXPECT_NE(kept[1], 97);
  EXPECT_FALSE(FileExists(97));
  EXPECT_TRUE(FileExists(13));
}

TEST_F(RetentionTiersTest, WithoutMotionDaysMotionIsKeptAsLongAsTheRest) {
  RecordDays(3);
  AddEvent(Now() - 2 * kDayUs, Now() - 2 * kDayUs + 1'000'000);
  ASSERT_TRUE(RunRetention(Tiers(1, std::nullopt)).ok());
  // Everything that ended more than a day ago, motion or not.
  EXPECT_EQ(Seqs().front(), 48);
  EXPECT_EQ(Seqs().size(), 25u);
}

TEST_F(RetentionTiersTest, WhatAnOpenEventMayCoverWaitsForItsEnd) {
  RecordDays(10);
  const int64_t t0 = Now();
  MotionEventRow open;
  open.camera = "cam";
  open.stream = "sub";
  open.start_us = t0 - 4 * kDayUs;
  open.id = *index_->AddMotionEvent(open);
  const Retention tiers = Tiers(1, 7);

  ASSERT_TRUE(RunRetention(tiers).ok());
  // Only what ended by the event's start (seq 144 ends exactly there) is gone.
  EXPECT_EQ(Seqs().front(), 145);
  EXPECT_EQ(Seqs().size(), 96u);

  // The event closes after 10 minutes: its segment is flagged, the rest older than a day go
  // (seq 216 ends exactly a day ago).
  open.end_us = open.start_us + 600'000'000;
  ASSERT_TRUE(index_->UpdateMotionEvent(open).ok());
  ASSERT_TRUE(RunRetention(tiers).ok());
  std::vector<int64_t> kept = Seqs();
  ASSERT_EQ(kept.size(), 1u + 25u);
  EXPECT_EQ(kept[0], 145);
  EXPECT_EQ(kept[1], 216);
}

TEST_F(RetentionTiersTest, ZeroContinuousDaysStillWaitsTenMinutes) {
  // One segment that ended 5 minutes ago, without motion.
  SegmentRow r;
  r.stream_id = stream_id_;
  r.seq = 1;
  r.dir_id = dir_id_;
  r.start_us = Now() - kHourUs;
  r.end_us = Now() - 5 * 60'000'000;
  r.codec = "avc1.640028";
  r.open = false;
  ASSERT_TRUE(index_->CommitSegments({r}).ok());
  const Retention only_motion = Tiers(0, 30);
  ASSERT_TRUE(RunRetention(only_motion).ok());
  EXPECT_EQ(Seqs().size(), 1u) << "an event starting now could still reach back over it";
  clock_.Advance(std::chrono::minutes(6));
  ASSERT_TRUE(RunRetention(only_motion).ok());
  EXPECT_TRUE(Seqs().empty());
}

TEST_F(RetentionTiersTest, MaxAgeAndMaxBytesOutrankTheTiers) {
  RecordDays(4);
  AddEvent(Now() - 3 * kDayUs, Now() - kHourUs);  // everything after 3 days ago has motion
  Retention r = Tiers(1, 30);
  r.max_age_s = 2 * 24 * 3600;
  ASSERT_TRUE(RunRetention(r).ok());
  EXPECT_EQ(Seqs().front(), 48) << "older than max_age: deleted with motion";
  r.max_age_s = 0;
  r.max_bytes = 1700 * 10;
  ASSERT_TRUE(RunRetention(r).ok());
  EXPECT_EQ(Seqs().size(), 10u) << "over max_bytes: the oldest go, with motion or not";
}

TEST_F(RetentionTiersTest, MotionDataOlderThanTheOldestSegmentGoes) {
  RecordDays(2);
  const int64_t t0 = Now();
  AddEvent(t0 - 3 * kDayUs, t0 - 3 * kDayUs + 1'000'000);  // before every segment
  const int64_t kept_event = AddEvent(t0 - kDayUs, t0 - kDayUs + 1'000'000);
  std::vector<MotionGridChunk> chunks;
  for (int64_t start : {t0 - 3 * kDayUs, t0 - kDayUs}) {
    MotionGridChunk c;
    c.camera = "cam";
    c.stream = "sub";
    c.start_us = start;
    c.end_us = start + 60'000'000;
    c.frames = 300;
    c.any_grid = GridOfCells(0, 0, 0, 0);
    c.data = {0};
    AppendBytes(c.data, c.any_grid);
    chunks.push_back(c);
  }
  ASSERT_TRUE(index_->AddMotionGrids(chunks).ok());
  ASSERT_TRUE(RunRetention(Retention{}).ok());  // nothing to delete but the old motion data
  EXPECT_EQ(stats_.segments_deleted, 0u);
  EXPECT_EQ(stats_.motion_rows_deleted, 2u);
  std::vector<MotionEventRow> events = *index_->MotionEvents("cam", 0, INT64_MAX, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, kept_event);
  Result<MotionSearchResult> r = index_->SearchMotion("cam", 0, INT64_MAX / 2, GridOfCells(0, 0, 0, 0), 10);
  ASSERT_EQ(r->ranges.size(), 1u);
  EXPECT_EQ(r->ranges[0].start_us, t0 - kDayUs);
}

}  // namespace
}  // namespace sightline::store
