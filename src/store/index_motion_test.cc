// The index's motion tables: the upgrade from schema version 1, motion events and thumbnails,
// the segments' motion flag, grid chunks and the region search.
#include <fstream>
#include <functional>
#include <sstream>

#include <gtest/gtest.h>

#include "store/index.h"
#include "store/sqlite.h"
#include "store/store_test_util.h"

namespace sightline::store {
namespace {

using testing::GridOfCells;

constexpr int64_t kT0 = 1'700'000'000'000'000;
constexpr int64_t kS = 1'000'000;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every table's columns, every index's columns and every trigger's text, as one string to
// compare two databases' schemas.
std::string SchemaOf(const std::string& path) {
  auto db = *Db::Open(path, /*read_only=*/true);
  std::string out;
  auto master = *db->Prepare(
      "SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name");
  while (*master.Step()) {
    const std::string type = master.Text(0), name = master.Text(1);
    out += type + " " + name + "\n";
    if (type == "trigger") out += master.Text(2) + "\n";
    if (type == "table" || type == "index") {
      auto info = *db->Prepare("PRAGMA " + std::string(type == "table" ? "table_xinfo" : "index_xinfo") + "('" +
                               name + "')");
      while (*info.Step()) {
        for (int col = 0; col < 6; ++col) out += " " + info.Text(col);
        out += "\n";
      }
    }
  }
  return out;
}

int64_t UserVersion(const std::string& path) {
  auto db = *Db::Open(path, /*read_only=*/true);
  auto s = *db->Prepare("PRAGMA user_version");
  EXPECT_TRUE(*s.Step());
  return s.Int(0);
}

class IndexMotionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    index_ = *Index::Open(path());
    dir_id_ = *index_->AddDir("uuid-1", tmp_.path() + "/disk");
    main_id_ = *index_->EnsureStream("cam", "main");
    sub_id_ = *index_->EnsureStream("cam", "sub");
  }
  std::string path() const { return tmp_.path() + "/index.db"; }

  SegmentRow Segment(int64_t stream_id, int64_t seq, int64_t start_us, int64_t end_us, bool open = false) {
    SegmentRow r;
    r.stream_id = stream_id;
    r.seq = seq;
    r.dir_id = dir_id_;
    r.start_us = start_us;
    r.end_us = end_us;
    r.codec = "avc1.640028";
    r.init_length = 700;
    r.durable_length = 1700;
    r.frames = 10;
    r.open = open;
    return r;
  }
  static MotionEventRow Event(int64_t start_us, int64_t end_us, std::string camera = "cam") {
    MotionEventRow e;
    e.camera = std::move(camera);
    e.stream = "sub";
    e.start_us = start_us;
    e.end_us = end_us;
    e.peak_us = start_us + kS;
    e.peak_fraction = 0.1;
    return e;
  }
  std::vector<bool> MotionFlags() {
    std::vector<bool> out;
    const std::vector<SegmentRow> rows = *index_->SegmentsInRange(main_id_, 0, INT64_MAX / 2);
    for (const SegmentRow& r : rows) out.push_back(r.motion);
    return out;
  }
  // Grid chunks of the analysed stream at 5 fps over [from_s, to_s) seconds after kT0, with
  // `grid` in the frames for which `motion(second)` holds.
  void AddGrids(int from_s, int to_s, const Bytes& grid, const std::function<bool(double)>& motion) {
    MotionChunkBuilder builder;
    std::vector<MotionGridChunk> chunks;
    const Bytes none(kMotionGridBytes, 0);
    for (int64_t i = int64_t{from_s} * 5; i < int64_t{to_s} * 5; ++i) {
      const bool m = motion(static_cast<double>(i) / 5);
      if (auto c = builder.Add(kT0 + i * 200'000, m ? grid : none, m)) chunks.push_back(std::move(*c));
    }
    chunks.push_back(*builder.Finish());
    for (MotionGridChunk& c : chunks) {
      c.camera = "cam";
      c.stream = "sub";
    }
    ASSERT_TRUE(index_->AddMotionGrids(chunks).ok());
  }

  testing::TempDir tmp_;
  std::unique_ptr<Index> index_;
  int64_t dir_id_ = 0, main_id_ = 0, sub_id_ = 0;
};

TEST_F(IndexMotionTest, AVersion1DatabaseIsUpgradedInPlace) {
  const std::string v1_path = tmp_.path() + "/v1.db";
  {
    // A database as Sightline with schema version 1 left it, with a recording in it.
    auto db = *Db::Open(v1_path, /*read_only=*/false);
    const std::string v1 = ReadFile(SIGHTLINE_STORE_TESTDATA "/schema_v1.sql");
    ASSERT_FALSE(v1.empty());
    ASSERT_TRUE(db->Exec(v1).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO meta VALUES ('db_uuid', 'old-uuid'), ('generation', '7');"
                         " INSERT INTO dirs (uuid, path) VALUES ('d', '/disk');"
                         " INSERT INTO streams (camera, stream) VALUES ('cam', 'main');"
                         " INSERT INTO segments (stream_id, seq, dir_id, start_us, end_us, codec, width, height,"
                         "   init_length, durable_length, frames, fragments, open, protected)"
                         "   VALUES (1, 1, 1, 100, 200, 'avc1', 640, 360, 700, 1700, 10, x'', 0, 1);"
                         " PRAGMA user_version = 1;")
                    .ok());
  }
  ASSERT_EQ(UserVersion(v1_path), 1);
  {
    Result<std::unique_ptr<Index>> upgraded = Index::Open(v1_path);
    ASSERT_TRUE(upgraded.ok()) << upgraded.status();
    EXPECT_EQ((*upgraded)->db_uuid(), "old-uuid");
    EXPECT_EQ(*(*upgraded)->Generation(), 7);
    std::vector<SegmentRow> rows = *(*upgraded)->AllSegments();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].end_us, 200);
    EXPECT_TRUE(rows[0].is_protected);
    EXPECT_FALSE(rows[0].motion);
    EXPECT_EQ((*upgraded)->Streams()->at(0).bytes, 1700);
    // The new tables work, and an event flags the old segment.
    ASSERT_TRUE((*upgraded)->AddMotionEvent(Event(150, 160)).ok());
    EXPECT_TRUE((*upgraded)->AllSegments()->at(0).motion);
  }
  EXPECT_EQ(UserVersion(v1_path), kSchemaVersion);
  // The same tables, columns, indexes and triggers as a database made new.
  index_.reset();
  EXPECT_EQ(SchemaOf(v1_path), SchemaOf(path()));
  // Opening again changes nothing.
  ASSERT_TRUE(Index::Open(v1_path).ok());
  EXPECT_EQ(UserVersion(v1_path), kSchemaVersion);
}

TEST_F(IndexMotionTest, ADatabaseFromANewerVersionIsRefused) {
  index_.reset();
  {
    auto db = *Db::Open(path(), false);
    ASSERT_TRUE(db->Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion + 1)).ok());
  }
  Result<std::unique_ptr<Index>> r = Index::Open(path());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("upgrade Sightline"), std::string::npos) << r.status();
}

TEST_F(IndexMotionTest, EventsRoundTripWithoutThumbnailsAndNewestFirst) {
  MotionEventRow a = Event(kT0, kT0 + 20 * kS);
  a.zones = {"door", "yard"};
  a.peak_fraction = 0.25;
  a.thumbnail = {0xff, 0xd8, 0xff, 0xd9};
  const int64_t a_id = *index_->AddMotionEvent(a);
  const int64_t b_id = *index_->AddMotionEvent(Event(kT0 + 60 * kS, 0));  // open
  const int64_t other = *index_->AddMotionEvent(Event(kT0, kT0 + kS, "other"));
  EXPECT_GT(b_id, a_id);

  std::vector<MotionEventRow> events = *index_->MotionEvents("cam", kT0, kT0 + 3600 * kS, 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, b_id);
  EXPECT_EQ(events[0].end_us, 0) << "open";
  EXPECT_FALSE(events[0].has_thumbnail);
  EXPECT_TRUE(events[0].zones.empty());
  EXPECT_EQ(events[1].id, a_id);
  EXPECT_EQ(events[1].camera, "cam");
  EXPECT_EQ(events[1].stream, "sub");
  EXPECT_EQ(events[1].start_us, kT0);
  EXPECT_EQ(events[1].end_us, kT0 + 20 * kS);
  EXPECT_EQ(events[1].zones, (std::vector<std::string>{"door", "yard"}));
  EXPECT_DOUBLE_EQ(events[1].peak_fraction, 0.25);
  EXPECT_EQ(events[1].peak_us, kT0 + kS);
  EXPECT_TRUE(events[1].has_thumbnail);
  EXPECT_TRUE(events[1].thumbnail.empty()) << "lists never carry thumbnails";

  // Overlap: a range after a's end finds only the open b; the limit keeps the newest.
  events = *index_->MotionEvents("cam", kT0 + 30 * kS, kT0 + 90 * kS, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, b_id);
  EXPECT_TRUE(index_->MotionEvents("cam", kT0 + 30 * kS, kT0 + 40 * kS, 10)->empty());
  EXPECT_EQ(index_->MotionEvents("cam", 0, INT64_MAX, 1)->at(0).id, b_id);
  EXPECT_EQ(index_->MotionEvents("other", 0, INT64_MAX, 10)->at(0).id, other);
}

TEST_F(IndexMotionTest, ThumbnailsAreKeptUntilReplaced) {
  MotionEventRow e = Event(kT0, 0);
  e.thumbnail = {1, 2, 3};
  e.id = *index_->AddMotionEvent(e);
  EXPECT_EQ(*index_->MotionEventThumbnail(e.id), (Bytes{1, 2, 3}));

  // An update without a thumbnail keeps it; the event closes and gains a zone.
  e.thumbnail.clear();
  e.end_us = kT0 + 10 * kS;
  e.zones = {"door"};
  ASSERT_TRUE(index_->UpdateMotionEvent(e).ok());
  EXPECT_EQ(*index_->MotionEventThumbnail(e.id), (Bytes{1, 2, 3}));
  MotionEventRow stored = index_->MotionEvents("cam", 0, INT64_MAX, 1)->at(0);
  EXPECT_EQ(stored.end_us, kT0 + 10 * kS);
  EXPECT_EQ(stored.zones, std::vector<std::string>{"door"});

  e.thumbnail = {9, 9};
  ASSERT_TRUE(index_->UpdateMotionEvent(e).ok());
  EXPECT_EQ(*index_->MotionEventThumbnail(e.id), (Bytes{9, 9}));

  const int64_t bare = *index_->AddMotionEvent(Event(kT0, kT0 + kS));
  EXPECT_EQ(index_->MotionEventThumbnail(bare).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(index_->MotionEventThumbnail(12345).status().code(), StatusCode::kNotFound);
  e.id = 12345;
  EXPECT_EQ(index_->UpdateMotionEvent(e).code(), StatusCode::kNotFound);
}

TEST_F(IndexMotionTest, EventIdsAreNeverReused) {
  const int64_t a = *index_->AddMotionEvent(Event(kT0, kT0 + kS));
  const int64_t b = *index_->AddMotionEvent(Event(kT0 + 2 * kS, kT0 + 3 * kS));
  EXPECT_EQ(*index_->MaxMotionEventId(), b);
  ASSERT_GT(*index_->DeleteMotionDataBefore("cam", kT0 + 10 * kS), 0);
  EXPECT_TRUE(index_->MotionEvents("cam", 0, INT64_MAX, 10)->empty());
  EXPECT_EQ(*index_->MaxMotionEventId(), b);
  EXPECT_GT(*index_->AddMotionEvent(Event(kT0, kT0 + kS)), b);
  EXPECT_LT(a, b);
}

TEST_F(IndexMotionTest, SegmentsOverlappingAClosedEventAreFlagged) {
  // Three minute-long segments of the recorded stream.
  ASSERT_TRUE(index_->CommitSegments({Segment(main_id_, 1, kT0, kT0 + 60 * kS),
                                      Segment(main_id_, 2, kT0 + 60 * kS, kT0 + 120 * kS),
                                      Segment(main_id_, 3, kT0 + 120 * kS, kT0 + 180 * kS)})
                  .ok());
  // A closed event flags what it overlaps, and only that; another camera's flags nothing.
  ASSERT_TRUE(index_->AddMotionEvent(Event(kT0 + 70 * kS, kT0 + 80 * kS)).ok());
  ASSERT_TRUE(index_->AddMotionEvent(Event(kT0, kT0 + 180 * kS, "other")).ok());
  EXPECT_EQ(MotionFlags(), (std::vector<bool>{false, true, false}));
  // An event ending exactly where a segment starts does not overlap it.
  ASSERT_TRUE(index_->AddMotionEvent(Event(kT0 + 100 * kS, kT0 + 120 * kS)).ok());
  EXPECT_EQ(MotionFlags(), (std::vector<bool>{false, true, false}));

  // An open event flags nothing until it closes.
  MotionEventRow open = Event(kT0 + 150 * kS, 0);
  open.id = *index_->AddMotionEvent(open);
  EXPECT_EQ(MotionFlags(), (std::vector<bool>{false, true, false}));
  open.end_us = kT0 + 170 * kS;
  ASSERT_TRUE(index_->UpdateMotionEvent(open).ok());
  EXPECT_EQ(MotionFlags(), (std::vector<bool>{false, true, true}));

  // A segment written after the event: flagged as it is inserted, or as it grows into one.
  ASSERT_TRUE(index_->AddMotionEvent(Event(kT0 + 200 * kS, kT0 + 210 * kS)).ok());
  ASSERT_TRUE(index_->CommitSegments({Segment(main_id_, 4, kT0 + 180 * kS, kT0 + 190 * kS, /*open=*/true)}).ok());
  EXPECT_EQ(MotionFlags(), (std::vector<bool>{false, true, true, false}));
  ASSERT_TRUE(index_->CommitSegments({Segment(main_id_, 4, kT0 + 180 * kS, kT0 + 240 * kS)}).ok());
  EXPECT_EQ(MotionFlags(), (std::vector<bool>{false, true, true, true}));
  ASSERT_TRUE(index_->AddMotionEvent(Event(kT0 + 245 * kS, kT0 + 246 * kS)).ok());
  ASSERT_TRUE(index_->CommitSegments({Segment(main_id_, 5, kT0 + 240 * kS, kT0 + 250 * kS)}).ok());
  EXPECT_EQ(MotionFlags().back(), true);

  // The tiers' candidate lists.
  EXPECT_EQ(index_->OldestDeletable(main_id_, 0, 10, MotionTier::kWithoutMotion)->size(), 1u);
  EXPECT_EQ(index_->OldestDeletable(main_id_, 0, 10, MotionTier::kWithMotion)->size(), 4u);
  EXPECT_EQ(index_->OldestDeletable(main_id_, 0, 10)->size(), 5u);
}

TEST_F(IndexMotionTest, AStaleOpenEventIsClosedAtItsLastGrid) {
  MotionEventRow e = Event(kT0 + 10 * kS, 0);
  e.peak_us = kT0 + 12 * kS;
  e.id = *index_->AddMotionEvent(e);
  const int64_t lonely = *index_->AddMotionEvent(Event(kT0 + 500 * kS, 0, "other"));
  AddGrids(0, 90, GridOfCells(1, 1, 1, 1), [](double) { return true; });
  EXPECT_EQ(*index_->OldestOpenMotionEventStart("cam"), kT0 + 10 * kS);
  EXPECT_EQ(*index_->CloseOpenMotionEvents(), 2);
  EXPECT_FALSE(index_->OldestOpenMotionEventStart("cam")->has_value());
  std::vector<MotionEventRow> events = *index_->MotionEvents("cam", 0, INT64_MAX, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].end_us, kT0 + 90 * kS);  // the end of the last chunk
  // Without grids: at its peak or start.
  EXPECT_EQ(index_->MotionEvents("other", 0, INT64_MAX, 10)->at(0).end_us, kT0 + 501 * kS);
  EXPECT_EQ(lonely, index_->MotionEvents("other", 0, INT64_MAX, 10)->at(0).id);
  EXPECT_EQ(*index_->CloseOpenMotionEvents(), 0);
}

TEST_F(IndexMotionTest, SearchFindsMotionInTheRectangleAndMergesCloseHits) {
  // Motion in cells (2..4, 3..5) during 30-40 s and 41-45 s (1 s apart: one range) and
  // 100-110 s; nothing from 120 s to 180 s.
  AddGrids(0, 180, GridOfCells(2, 3, 4, 5), [](double t) {
    return (t >= 30 && t < 40) || (t >= 41 && t < 45) || (t >= 100 && t < 110);
  });
  const Bytes query = GridOfCells(4, 5, 10, 10);
  Result<MotionSearchResult> r = index_->SearchMotion(sub_id_, kT0, kT0 + 180 * kS, query, 100);
  ASSERT_TRUE(r.ok()) << r.status();
  // Each hit lasts one frame interval (200 ms).
  EXPECT_EQ(r->ranges, (std::vector<MotionRange>{{kT0 + 30 * kS, kT0 + 45 * kS}, {kT0 + 100 * kS, kT0 + 110 * kS}}));
  EXPECT_EQ(r->chunks_read, 2);
  EXPECT_EQ(r->chunks_skipped, 1) << "the last minute has no motion at all";

  // The same by camera.
  Result<MotionSearchResult> by_camera = index_->SearchMotion("cam", kT0, kT0 + 180 * kS, query, 100);
  ASSERT_TRUE(by_camera.ok());
  EXPECT_EQ(by_camera->ranges, r->ranges);

  // A window cuts the ranges; the limit keeps the earliest.
  EXPECT_EQ(index_->SearchMotion(sub_id_, kT0 + 35 * kS, kT0 + 38 * kS, query, 100)->ranges,
            (std::vector<MotionRange>{{kT0 + 35 * kS, kT0 + 38 * kS}}));
  EXPECT_EQ(index_->SearchMotion(sub_id_, kT0, kT0 + 180 * kS, query, 1)->ranges,
            (std::vector<MotionRange>{{kT0 + 30 * kS, kT0 + 45 * kS}}));
  EXPECT_TRUE(index_->SearchMotion(sub_id_, kT0 + 111 * kS, kT0 + 180 * kS, query, 100)->ranges.empty());
}

TEST_F(IndexMotionTest, ARectangleOutsideTheMotionFindsNothingAndReadsNoChunk) {
  AddGrids(0, 180, GridOfCells(2, 3, 4, 5), [](double t) { return t >= 30 && t < 150; });
  Result<MotionSearchResult> r = index_->SearchMotion(sub_id_, kT0, kT0 + 180 * kS, GridOfCells(5, 0, 31, 17), 100);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ranges.empty());
  EXPECT_EQ(r->chunks_read, 0);
  EXPECT_EQ(r->chunks_skipped, 3);
  // Another camera, an empty query, a bad query.
  EXPECT_TRUE(index_->SearchMotion("other", kT0, kT0 + 180 * kS, GridOfCells(0, 0, 31, 17), 100)->ranges.empty());
  EXPECT_TRUE(index_->SearchMotion(sub_id_, kT0, kT0 + 180 * kS, Bytes(72, 0), 100)->ranges.empty());
  EXPECT_EQ(index_->SearchMotion(sub_id_, kT0, kT0 + 180 * kS, Bytes(71, 0xff), 100).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(IndexMotionTest, MalformedChunksAreRefused) {
  MotionGridChunk c;
  c.camera = "cam";
  c.stream = "sub";
  c.start_us = kT0;
  c.end_us = kT0 - 1;
  c.frames = 1;
  c.any_grid.assign(kMotionGridBytes, 0);
  EXPECT_EQ(index_->AddMotionGrids({c}).code(), StatusCode::kInvalidArgument);
}

TEST_F(IndexMotionTest, MotionDataOlderThanTheRecordingsIsDeleted) {
  AddGrids(0, 180, GridOfCells(2, 3, 4, 5), [](double) { return true; });
  ASSERT_TRUE(index_->AddMotionEvent(Event(kT0, kT0 + 50 * kS)).ok());
  ASSERT_TRUE(index_->AddMotionEvent(Event(kT0 + 100 * kS, 0)).ok());  // open: kept
  ASSERT_TRUE(index_->CommitSegments({Segment(main_id_, 1, kT0 + 60 * kS, kT0 + 120 * kS)}).ok());
  EXPECT_EQ(*index_->OldestSegmentStart("cam"), kT0 + 60 * kS);
  EXPECT_FALSE(index_->OldestSegmentStart("other")->has_value());
  // The first chunk (0-60 s) and the first event end at or before the oldest segment.
  EXPECT_EQ(*index_->DeleteMotionDataBefore("cam", kT0 + 60 * kS), 2);
  Result<MotionSearchResult> r = index_->SearchMotion(sub_id_, kT0, kT0 + 180 * kS, GridOfCells(0, 0, 31, 17), 100);
  EXPECT_EQ(r->ranges, (std::vector<MotionRange>{{kT0 + 60 * kS, kT0 + 180 * kS}}));
  EXPECT_EQ(index_->MotionEvents("cam", 0, INT64_MAX, 10)->size(), 1u);
}

TEST_F(IndexMotionTest, RebuildingKeepsMotionAndFlagsTheSegmentsAgain) {
  ASSERT_TRUE(index_->CommitSegments({Segment(main_id_, 1, kT0, kT0 + 60 * kS)}).ok());
  ASSERT_TRUE(index_->AddMotionEvent(Event(kT0 + 10 * kS, kT0 + 20 * kS)).ok());
  AddGrids(0, 60, GridOfCells(1, 1, 1, 1), [](double) { return true; });
  ASSERT_TRUE(index_->ClearRecordings().ok());
  EXPECT_TRUE(index_->AllSegments()->empty());
  EXPECT_EQ(*index_->EnsureStream("cam", "main"), main_id_);
  ASSERT_TRUE(index_->CommitSegments({Segment(main_id_, 1, kT0, kT0 + 60 * kS)}).ok());
  EXPECT_TRUE(index_->AllSegments()->at(0).motion);
  EXPECT_EQ(index_->SearchMotion("cam", kT0, kT0 + 60 * kS, GridOfCells(1, 1, 1, 1), 10)->ranges.size(), 1u);
}

}  // namespace
}  // namespace sightline::store
