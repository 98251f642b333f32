#include "store/store.h"

#include <thread>

#include <gtest/gtest.h>

#include <atomic>

#include "store/fault_injection_env.h"
#include "store/fragment_table.h"
#include "store/store_test_util.h"

namespace sightline::store {
namespace {

using namespace std::chrono_literals;
using testing::FrameSource;

class StoreTest : public ::testing::Test {
 protected:
  StoreOptions Options() {
    StoreOptions o;
    o.dirs = {{tmp_.path() + "/disk", 0}};
    o.index_path = tmp_.path() + "/index.db";
    o.flush_interval = 30ms;
    o.segment_duration = 6s;
    o.retention_interval = 50ms;
    o.env = &env_;
    o.clock = &clock_;
    o.on_fatal = [this](const Status& s) {
      std::lock_guard lock(mu_);
      fatal_.push_back(s);
    };
    return o;
  }
  std::vector<StreamSpec> Streams(Retention r = {}) {
    return {{"front", "main", r}, {"back", "main", r}};
  }
  std::unique_ptr<Store> OpenStore(std::vector<StreamSpec> streams = {}) {
    if (streams.empty()) streams = Streams();
    Result<std::unique_ptr<Store>> s = Store::Open(Options(), streams);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
  // Feeds `n` frames and waits until the writer has taken every finished GOP.
  static void Feed(StreamRecorder* r, FrameSource& src, int n) {
    for (int i = 0; i < n; ++i) r->OnFrame(src.Next());
    WaitDrained(r);
  }
  static void WaitDrained(StreamRecorder* r) {
    for (int i = 0; i < 2000 && r->stats().pending_bytes != 0; ++i) std::this_thread::sleep_for(1ms);
  }
  std::unique_ptr<Index> ReadIndex() {
    Result<std::unique_ptr<Index>> i = Index::Open(tmp_.path() + "/index.db");
    EXPECT_TRUE(i.ok()) << i.status();
    return std::move(*i);
  }
  std::vector<SegmentRow> Segments(Index& index, const std::string& camera) {
    std::optional<StreamRow> s = *index.FindStream(camera, "main");
    if (!s) return {};
    return *index.SegmentsInRange(s->id, 0, INT64_MAX / 2);
  }
  static int64_t Frames(const std::vector<SegmentRow>& rows) {
    int64_t n = 0;
    for (const SegmentRow& r : rows) n += r.frames;
    return n;
  }

  testing::TempDir tmp_;
  FaultInjectionEnv env_;
  RealClock clock_;
  std::mutex mu_;
  std::vector<Status> fatal_;
};

TEST_F(StoreTest, RecordsEveryFrameInMinuteSegmentsCutAtKeyframes) {
  auto store = OpenStore();
  FrameSource src;
  Feed(store->recorder("front", "main"), src, 200);  // 20 s at 10 fps, GOP 1 s
  store->Close();
  auto index = ReadIndex();
  std::vector<SegmentRow> rows = Segments(*index, "front");
  // 6 s segments: 0-6, 6-12, 12-18, 18-20.
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(Frames(rows), 200);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_FALSE(rows[i].open);
    EXPECT_EQ(rows[i].seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ(rows[i].codec, "avc1.4d4016");
    EXPECT_EQ(rows[i].width, 640);
    if (i > 0) {
      EXPECT_EQ(rows[i].start_us, rows[i - 1].end_us) << "no gap between segments";
    }
  }
  EXPECT_EQ(rows[0].start_us, 1'700'000'000'000'000);
  EXPECT_EQ(rows[3].end_us, 1'700'000'020'000'000);
  EXPECT_TRUE(Segments(*index, "back").empty());
  testing::ExpectIndexMatchesFiles(env_, *index, testing::DirsOf(*index));
}

TEST_F(StoreTest, EachCommitReportsItsDuration) {
  std::atomic<int> commits{0};
  std::atomic<int64_t> total_us{0};
  StoreOptions o = Options();
  o.on_commit = [&](std::chrono::microseconds d) {
    ++commits;
    total_us += d.count();
  };
  Result<std::unique_ptr<Store>> store = Store::Open(o, Streams());
  ASSERT_TRUE(store.ok()) << store.status();
  FrameSource src;
  Feed((*store)->recorder("front", "main"), src, 50);
  (*store)->Close();
  EXPECT_GT(commits.load(), 0);
  EXPECT_EQ(static_cast<uint64_t>(commits.load()), (*store)->index_stats().commits);
  EXPECT_GE(total_us.load(), 0);
}

TEST_F(StoreTest, AGapStartsANewSegmentAndIsNotPaperedOver) {
  auto store = OpenStore();
  FrameSource src;
  StreamRecorder* r = store->recorder("front", "main");
  Feed(r, src, 30);
  src.Skip(50);                      // the camera was away for 5 s
  r->OnFrame(src.Next(/*after_loss=*/true));
  Feed(r, src, 29);
  store->Close();
  auto index = ReadIndex();
  std::vector<SegmentRow> rows = Segments(*index, "front");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].frames, 30);
  EXPECT_EQ(rows[1].frames, 30);
  EXPECT_EQ(rows[0].end_us, 1'700'000'003'000'000);
  EXPECT_EQ(rows[1].start_us, 1'700'000'008'000'000);
  testing::ExpectIndexMatchesFiles(env_, *index, testing::DirsOf(*index));
}

TEST_F(StoreTest, FramesBeforeTheFirstKeyframeAreNotRecorded) {
  auto store = OpenStore();
  FrameSource src;
  src.Skip(5);  // start mid-GOP
  Feed(store->recorder("front", "main"), src, 25);
  store->Close();
  auto index = ReadIndex();
  EXPECT_EQ(Frames(Segments(*index, "front")), 20);
  EXPECT_EQ(store->recorder("front", "main")->stats().frames_before_keyframe, 5u);
}

TEST_F(StoreTest, ReopeningContinuesTheSequence) {
  FrameSource src;
  {
    auto store = OpenStore();
    Feed(store->recorder("front", "main"), src, 20);
  }
  {
    auto store = OpenStore();
    StreamRecorder* r = store->recorder("front", "main");
    r->OnFrame(src.Next(/*after_loss=*/true));
    Feed(r, src, 19);
  }
  auto index = ReadIndex();
  std::vector<SegmentRow> rows = Segments(*index, "front");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].seq, 2);
  testing::ExpectIndexMatchesFiles(env_, *index, testing::DirsOf(*index));
}

TEST_F(StoreTest, AFailedSyncAbandonsOnlyThatSegment) {
  auto store = OpenStore();
  FrameSource a, b;
  StreamRecorder* front = store->recorder("front", "main");
  StreamRecorder* back = store->recorder("back", "main");
  Feed(front, a, 11);
  Feed(back, b, 11);
  std::this_thread::sleep_for(100ms);  // both first GOPs durable
  env_.FailSyncOf("/front/");
  Feed(front, a, 20);
  Feed(back, b, 20);
  std::this_thread::sleep_for(100ms);
  store->Close();
  auto index = ReadIndex();
  // back lost nothing; front kept its durable first GOP and lost what came after the failure.
  EXPECT_EQ(Frames(Segments(*index, "back")), 31);
  std::vector<SegmentRow> front_rows = Segments(*index, "front");
  ASSERT_FALSE(front_rows.empty());
  EXPECT_EQ(front_rows[0].frames, 10);
  EXPECT_FALSE(front_rows[0].open);
  EXPECT_GE(store->dir_stats()[0].sync_errors, 1u);
  EXPECT_TRUE(fatal_.empty());
}

TEST_F(StoreTest, ASlowDiskDropsWholeGopsAndNeverBlocksTheCaller) {
  StoreOptions o = Options();
  o.max_pending_bytes_per_stream = 600;  // about two GOPs of the synthetic frames
  auto store = *Store::Open(o, Streams());
  env_.SetAppendDelay(50ms);
  FrameSource src;
  StreamRecorder* r = store->recorder("front", "main");
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) r->OnFrame(src.Next());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 200ms) << "OnFrame must not wait for disk";
  env_.SetAppendDelay(0ms);
  WaitDrained(r);
  store->Close();
  const StreamRecorderStats s = r->stats();
  EXPECT_GT(s.gops_dropped_slow, 0u);
  EXPECT_EQ(s.gops_written + s.gops_dropped_slow, 20u);
  auto index = ReadIndex();
  EXPECT_EQ(Frames(Segments(*index, "front")), static_cast<int64_t>(s.gops_written) * 10);
  std::vector<EventRow> events = *index->Events(0, 100);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].kind, "storage_too_slow");
  testing::ExpectIndexMatchesFiles(env_, *index, testing::DirsOf(*index));
}

TEST_F(StoreTest, RetentionDeletesOldestSegmentsButNeverProtectedOnes) {
  FrameSource src;
  {
    auto store = OpenStore();
    Feed(store->recorder("front", "main"), src, 300);  // 5 segments of 6 s
  }
  {
    auto index = ReadIndex();
    std::optional<StreamRow> s = *index->FindStream("front", "main");
    // Lock the first segment as evidence.
    EXPECT_EQ(*index->SetProtected(s->id, 1'700'000'000'000'000, 1'700'000'001'000'000, true), 1);
  }
  auto store = OpenStore(Streams(testing::MaxBytes(1)));
  std::this_thread::sleep_for(300ms);  // a few retention runs
  store->Close();
  auto index = ReadIndex();
  std::vector<SegmentRow> rows = Segments(*index, "front");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].is_protected);
  EXPECT_EQ(rows[0].seq, 1);
  EXPECT_TRUE(index->Garbage()->empty());
  EXPECT_FALSE(env_.Exists(tmp_.path() + "/disk/front/main/0000000002.mp4"));
  testing::ExpectIndexMatchesFiles(env_, *index, testing::DirsOf(*index));
}

TEST_F(StoreTest, AFullDiskTriggersRetentionAndRecordingGoesOn) {
  FrameSource src;
  StoreOptions o = Options();
  o.dirs[0].min_free_bytes = 4000;
  env_.SetCapacity(12000);
  auto store = *Store::Open(o, Streams());
  StreamRecorder* r = store->recorder("front", "main");
  // Paced by the store, not by the clock: after each feed, wait (up to 10 s, for a loaded
  // machine) until retention has brought the free space back above min_free. A feed that
  // outran retention would fill the disk and turn this into a write-error test.
  auto wait_for_retention = [&] {
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < give_up) {
      Result<uint64_t> free = env_.FreeBytes(o.dirs[0].path);
      if (free.ok() && *free >= o.dirs[0].min_free_bytes) return;
      std::this_thread::sleep_for(5ms);
    }
  };
  for (int i = 0; i < 20; ++i) {
    Feed(r, src, 60);
    std::this_thread::sleep_for(60ms);  // a flush and a retention pass, usually
    wait_for_retention();
  }
  {
    // While recording, the newest recording is there: up to the GOP still being assembled
    // (frames 1190-1199 wait for the next keyframe), once the next flush has committed it.
    const int64_t newest_end_us = 1'700'000'000'000'000 + 1190 * 100'000;
    std::vector<SegmentRow> rows;
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    do {
      rows = Segments(*ReadIndex(), "front");
      if (!rows.empty() && rows.back().end_us == newest_end_us) break;
      std::this_thread::sleep_for(10ms);
    } while (std::chrono::steady_clock::now() < give_up);
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows.back().end_us, newest_end_us);
    EXPECT_GT(rows.front().seq, 1) << "retention deleted the oldest segments";
  }
  store->Close();
  EXPECT_GT(store->index_stats().segments_deleted, 0u);
  EXPECT_EQ(r->stats().gops_lost_write_error, 0u);
  auto index = ReadIndex();
  bool disk_full_event = false;
  const std::vector<EventRow> events = *index->Events(0, 1000);
  for (const EventRow& e : events) disk_full_event |= e.kind == "disk_full";
  EXPECT_TRUE(disk_full_event);
  testing::ExpectIndexMatchesFiles(env_, *index, testing::DirsOf(*index));
}

TEST_F(StoreTest, AFullDiskWithNothingToDeleteSaysSo) {
  StoreOptions o = Options();
  o.dirs[0].min_free_bytes = 1 << 20;  // more than the disk has: always below
  env_.SetCapacity(100'000);
  auto store = *Store::Open(o, Streams());
  FrameSource src;
  Feed(store->recorder("front", "main"), src, 40);  // one open segment: nothing deletable
  std::this_thread::sleep_for(200ms);
  store->Close();
  EXPECT_GT(store->index_stats().disk_full_nothing_to_delete, 0u);
  auto index = ReadIndex();
  bool said_so = false;
  const std::vector<EventRow> events = *index->Events(0, 1000);
  for (const EventRow& e : events) {
    said_so |= e.kind == "disk_full" &&
               e.message.find("no unprotected closed segment is left to delete") != std::string::npos;
  }
  EXPECT_TRUE(said_so);
  // Recording went on (once closed, the segment itself is fair game for retention).
  EXPECT_EQ(store->recorder("front", "main")->stats().gops_written, 4u);
  EXPECT_EQ(store->recorder("front", "main")->stats().gops_lost_write_error, 0u);
}

TEST_F(StoreTest, ADiskOfAnotherIndexIsRefused) {
  { auto store = OpenStore(); }
  std::filesystem::rename(tmp_.path() + "/index.db", tmp_.path() + "/old.db");
  std::filesystem::remove(tmp_.path() + "/index.db-wal");
  std::filesystem::remove(tmp_.path() + "/index.db-shm");
  Result<std::unique_ptr<Store>> s = Store::Open(Options(), Streams());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("belongs to another index"), std::string::npos)
      << s.status();
}

TEST_F(StoreTest, AnIndexRestoredFromAnOldBackupIsRefused) {
  { auto store = OpenStore(); }
  std::filesystem::copy_file(tmp_.path() + "/index.db", tmp_.path() + "/backup.db");
  { auto store = OpenStore(); }
  { auto store = OpenStore(); }
  std::filesystem::remove(tmp_.path() + "/index.db-wal");
  std::filesystem::remove(tmp_.path() + "/index.db-shm");
  std::filesystem::copy_file(tmp_.path() + "/backup.db", tmp_.path() + "/index.db",
                             std::filesystem::copy_options::overwrite_existing);
  Result<std::unique_ptr<Store>> s = Store::Open(Options(), Streams());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("restored from a backup"), std::string::npos) << s.status();
}

TEST_F(StoreTest, AnUnmountedDiskIsRefused) {
  {
    auto store = OpenStore();
    FrameSource src;
    Feed(store->recorder("front", "main"), src, 20);
  }
  std::filesystem::remove_all(tmp_.path() + "/disk");
  std::filesystem::create_directory(tmp_.path() + "/disk");  // the empty mount point
  Result<std::unique_ptr<Store>> s = Store::Open(Options(), Streams());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("is the disk mounted?"), std::string::npos) << s.status();
}

}  // namespace
}  // namespace sightline::store
