#include "store/motion_sink.h"

#include <gtest/gtest.h>

#include "store/fault_injection_env.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace sightline::store {
namespace {

using namespace std::chrono_literals;
using testing::GridOfCells;

constexpr int64_t kT0 = 1'700'000'000'000'000;
constexpr int64_t kS = 1'000'000;

class MotionSinkTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> OpenStore() {
    StoreOptions o;
    o.dirs = {{tmp_.path() + "/disk", 0}};
    o.index_path = tmp_.path() + "/index.db";
    o.flush_interval = 30ms;
    o.retention_interval = 50ms;
    o.env = &env_;
    o.clock = &clock_;
    o.on_fatal = [](const Status& s) { ADD_FAILURE() << s; };
    Result<std::unique_ptr<Store>> s = Store::Open(o, {{"front", "main", {}}});
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::unique_ptr<Index> ReadIndex() { return *Index::Open(tmp_.path() + "/index.db", /*read_only=*/true); }
  // 5 fps from `from_s` to `to_s` seconds after kT0, motion in cells (2..4, 3..5) while
  // `motion(second)`.
  static void Feed(MotionSink* sink, int from_s, int to_s, bool (*motion)(double)) {
    const Bytes grid = GridOfCells(2, 3, 4, 5);
    const Bytes none(kMotionGridBytes, 0);
    for (int64_t i = int64_t{from_s} * 5; i < int64_t{to_s} * 5; ++i) {
      const bool m = motion(static_cast<double>(i) / 5);
      sink->OnGrid(kT0 + i * 200'000, m ? grid : none, m);
    }
  }

  testing::TempDir tmp_;
  FaultInjectionEnv env_;
  RealClock clock_;
};

TEST_F(MotionSinkTest, GridsAndEventsReachTheIndex) {
  auto store = OpenStore();
  MotionSink* sink = store->motion_sink("front", "sub");
  EXPECT_EQ(store->motion_sink("front", "sub"), sink);
  Feed(sink, 0, 70, [](double t) { return t >= 10 && t < 20; });
  MotionEventUpdate e;
  e.start_us = kT0 + 5 * kS;
  e.end_us = kT0 + 25 * kS;  // provisional: not stored while open
  e.peak_fraction = 0.02;
  e.peak_us = kT0 + 11 * kS;
  e.thumbnail_jpeg = {0xff, 0xd8, 1};
  const int64_t first_id = sink->OnEvent(e);
  e.zones = {"door"};
  e.peak_fraction = 0.05;
  e.peak_us = kT0 + 15 * kS;
  e.thumbnail_jpeg.clear();
  e.ended = true;
  EXPECT_EQ(sink->OnEvent(e), first_id) << "an update names the event it updates";
  MotionEventUpdate second;
  second.start_us = kT0 + 60 * kS;
  const int64_t second_id = sink->OnEvent(second);  // still open at the end
  store->Close();
  EXPECT_EQ(sink->OnEvent(second), 0) << "after Close";

  const MotionSinkStats stats = sink->stats();
  EXPECT_EQ(stats.frames, 350u);
  EXPECT_EQ(stats.frames_with_motion, 50u);
  EXPECT_EQ(stats.chunks_submitted, 2u);
  EXPECT_EQ(stats.events_started, 2u);
  EXPECT_EQ(stats.events_ended, 1u);
  EXPECT_EQ(store->index_stats().grid_chunks_committed, 2u);
  EXPECT_EQ(store->index_stats().grid_chunks_dropped, 0u);

  auto index = ReadIndex();
  std::vector<MotionEventRow> events = *index->MotionEvents("front", 0, INT64_MAX, 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].start_us, kT0 + 5 * kS);
  EXPECT_EQ(events[1].end_us, kT0 + 25 * kS);
  EXPECT_EQ(events[1].stream, "sub");
  EXPECT_EQ(events[1].zones, std::vector<std::string>{"door"});
  EXPECT_DOUBLE_EQ(events[1].peak_fraction, 0.05);
  EXPECT_EQ(*index->MotionEventThumbnail(events[1].id), (Bytes{0xff, 0xd8, 1}));
  EXPECT_EQ(events[0].end_us, 0);
  EXPECT_GT(events[0].id, events[1].id);
  EXPECT_EQ(events[1].id, first_id) << "the id OnEvent returned is the index's";
  EXPECT_EQ(events[0].id, second_id);

  Result<MotionSearchResult> r = index->SearchMotion("front", kT0, kT0 + 70 * kS, GridOfCells(0, 0, 2, 3), 10);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->ranges, (std::vector<MotionRange>{{kT0 + 10 * kS, kT0 + 20 * kS}}));

  // Once closed, the sink takes nothing more.
  sink->OnGrid(kT0 + 100 * kS, GridOfCells(0, 0, 0, 0), true);
  EXPECT_EQ(sink->stats().frames, 350u);
}

TEST_F(MotionSinkTest, AnEventLeftOpenIsClosedAtTheNextStartAndIdsGoOn) {
  int64_t first_id;
  {
    auto store = OpenStore();
    MotionSink* sink = store->motion_sink("front", "sub");
    Feed(sink, 0, 30, [](double t) { return t >= 10; });
    MotionEventUpdate open;
    open.start_us = kT0 + 5 * kS;
    open.peak_us = kT0 + 12 * kS;
    sink->OnEvent(open);
    store->Close();
    first_id = ReadIndex()->MotionEvents("front", 0, INT64_MAX, 1)->at(0).id;
  }
  auto store = OpenStore();
  {
    std::vector<MotionEventRow> events = *ReadIndex()->MotionEvents("front", 0, INT64_MAX, 10);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].end_us, kT0 + 30 * kS) << "closed at the end of its last grid chunk";
  }
  MotionSink* sink = store->motion_sink("front", "sub");
  MotionEventUpdate closed;
  closed.start_us = kT0 + 40 * kS;
  closed.end_us = kT0 + 45 * kS;
  closed.ended = true;
  sink->OnEvent(closed);
  store->Close();
  std::vector<MotionEventRow> events = *ReadIndex()->MotionEvents("front", 0, INT64_MAX, 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_GT(events[0].id, first_id);
}

TEST(IndexWriterMotionTest, MalformedChunksAndChunksBeyondTheBudgetAreDropped) {
  testing::TempDir tmp;
  auto index = *Index::Open(tmp.path() + "/index.db");
  RealClock clock;
  IndexWriterOptions o;
  o.index = index.get();
  o.env = DefaultEnv();
  o.clock = &clock;
  o.max_pending_grid_bytes = 200;
  IndexWriter writer(o);
  MotionGridChunk c;
  c.camera = "cam";
  c.stream = "sub";
  c.start_us = kT0;
  c.end_us = kT0 + kS;
  c.frames = 5;
  c.any_grid = GridOfCells(1, 1, 1, 1);
  c.data = {0};
  AppendBytes(c.data, c.any_grid);
  writer.SubmitMotionGrids(c);  // 145 bytes: fits
  writer.SubmitMotionGrids(c);  // 290 bytes: over the budget
  MotionGridChunk bad = c;
  bad.end_us = bad.start_us;
  writer.SubmitMotionGrids(bad);
  EXPECT_EQ(writer.stats().grid_chunks_dropped, 2u);
  writer.Start();
  writer.Stop();
  EXPECT_EQ(writer.stats().grid_chunks_committed, 1u);
  EXPECT_EQ(index->SearchMotion("cam", 0, INT64_MAX / 2, c.any_grid, 10)->ranges.size(), 1u);
}

}  // namespace
}  // namespace sightline::store
