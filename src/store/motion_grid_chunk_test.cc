#include "store/motion_grid_chunk.h"

#include <gtest/gtest.h>

#include "store/store_test_util.h"

namespace sightline::store {
namespace {

using testing::GridOfCells;

constexpr int64_t kT0 = 1'700'000'000'000'000;
constexpr int64_t kFrameUs = 200'000;  // 5 fps

struct Frame {
  int64_t time_us;
  Bytes grid;
};

std::vector<Frame> ReadAll(const MotionGridChunk& c) {
  std::vector<Frame> out;
  MotionChunkReader reader(c.data, c.start_us);
  int64_t t = 0;
  const uint8_t* g = nullptr;
  while (reader.Next(&t, &g)) out.push_back({t, Bytes(g, g + kMotionGridBytes)});
  EXPECT_TRUE(reader.ok());
  return out;
}

TEST(MotionGridChunkTest, ChunksOfAMinuteKeepOnlyFramesWithMotion) {
  MotionChunkBuilder builder;
  std::vector<MotionGridChunk> chunks;
  const Bytes a = GridOfCells(0, 0, 1, 1);
  const Bytes b = GridOfCells(30, 17, 31, 17);
  const Bytes none(kMotionGridBytes, 0);
  // 150 s at 5 fps; motion in frames 10 and 11 (cells a) and at 70 s (cells b).
  for (int i = 0; i < 750; ++i) {
    const bool motion = i == 10 || i == 11 || i == 350;
    const Bytes& grid = i == 350 ? b : motion ? a : none;
    if (auto c = builder.Add(kT0 + i * kFrameUs, grid, motion)) chunks.push_back(std::move(*c));
  }
  if (auto c = builder.Finish()) chunks.push_back(std::move(*c));
  EXPECT_FALSE(builder.Finish().has_value());

  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].start_us, kT0);
  EXPECT_EQ(chunks[0].end_us, kT0 + 60'000'000);  // the next chunk's first frame
  EXPECT_EQ(chunks[0].frames, 300);
  EXPECT_EQ(chunks[1].start_us, kT0 + 60'000'000);
  EXPECT_EQ(chunks[2].start_us, kT0 + 120'000'000);
  EXPECT_EQ(chunks[2].end_us, kT0 + 150'000'000);  // last frame + one interval
  EXPECT_EQ(chunks[2].frames, 150);

  const std::vector<Frame> first = ReadAll(chunks[0]);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].time_us, kT0 + 2'000'000);
  EXPECT_EQ(first[1].time_us, kT0 + 2'200'000);
  EXPECT_EQ(first[0].grid, a);
  EXPECT_EQ(chunks[0].any_grid, a);
  // Two varint bytes (2000 and 2200 ms) and two grids.
  EXPECT_EQ(chunks[0].data.size(), 2 * (2 + kMotionGridBytes));
  const std::vector<Frame> second = ReadAll(chunks[1]);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].time_us, kT0 + 70'000'000);
  EXPECT_EQ(chunks[1].any_grid, b);
  EXPECT_TRUE(chunks[2].data.empty());
  EXPECT_EQ(chunks[2].any_grid, none);
  for (MotionGridChunk& c : chunks) {
    c.camera = "cam";
    c.stream = "sub";
    EXPECT_TRUE(ValidateMotionGridChunk(c).ok()) << ValidateMotionGridChunk(c);
  }
}

TEST(MotionGridChunkTest, APauseOrTimeGoingBackEndsTheChunk) {
  MotionChunkBuilder builder;
  const Bytes grid = GridOfCells(5, 5, 5, 5);
  EXPECT_FALSE(builder.Add(kT0, grid, true));
  EXPECT_FALSE(builder.Add(kT0 + kFrameUs, grid, true));
  // 11 s later: the analysis paused; the chunk ends one interval after its last frame.
  std::optional<MotionGridChunk> c = builder.Add(kT0 + kFrameUs + 11'000'000, grid, true);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->end_us, kT0 + 2 * kFrameUs);
  EXPECT_EQ(c->frames, 2);
  // The wall clock stepped back.
  c = builder.Add(kT0, grid, false);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->start_us, kT0 + kFrameUs + 11'000'000);
  EXPECT_EQ(c->end_us, c->start_us + 1) << "one frame: it lasts 1 us";
  c = builder.Finish();
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->start_us, kT0);
  EXPECT_TRUE(c->data.empty());
}

TEST(MotionGridChunkTest, CorruptDataIsDetected) {
  MotionGridChunk c;
  c.camera = "cam";
  c.stream = "sub";
  c.start_us = kT0;
  c.end_us = kT0 + 60'000'000;
  c.frames = 10;
  c.any_grid.assign(kMotionGridBytes, 0);
  EXPECT_TRUE(ValidateMotionGridChunk(c).ok());

  c.data = {0x05};  // a time and no grid
  EXPECT_FALSE(ValidateMotionGridChunk(c).ok());
  c.data = {0x85};  // a truncated varint
  EXPECT_FALSE(ValidateMotionGridChunk(c).ok());
  c.data = {0x10};
  c.data.resize(1 + kMotionGridBytes);
  c.data.push_back(0x05);  // earlier than the frame before
  c.data.resize(2 + 2 * kMotionGridBytes);
  EXPECT_FALSE(ValidateMotionGridChunk(c).ok());
  c.data = {0xe0, 0xd4, 0x03};  // 60000 ms: at the end, not before it
  c.data.resize(3 + kMotionGridBytes);
  Status s = ValidateMotionGridChunk(c);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("motion grid chunk of cam/sub at 1700000000000000"), std::string::npos) << s;

  c.data.clear();
  c.any_grid.resize(71);
  EXPECT_FALSE(ValidateMotionGridChunk(c).ok());
  c.any_grid.resize(72);
  c.end_us = c.start_us + kMaxMotionChunkUs + 1;
  EXPECT_FALSE(ValidateMotionGridChunk(c).ok());
  c.end_us = c.start_us;
  EXPECT_FALSE(ValidateMotionGridChunk(c).ok());
}

TEST(MotionGridChunkTest, GridsIntersectOnlyOnACommonCell) {
  EXPECT_TRUE(GridsIntersect(GridOfCells(0, 0, 3, 3).data(), GridOfCells(3, 3, 5, 5).data()));
  EXPECT_FALSE(GridsIntersect(GridOfCells(0, 0, 3, 3).data(), GridOfCells(4, 0, 5, 5).data()));
  // The last cell, in the last byte.
  EXPECT_TRUE(GridsIntersect(GridOfCells(31, 17, 31, 17).data(), GridOfCells(0, 0, 31, 17).data()));
  EXPECT_FALSE(GridsIntersect(GridOfCells(31, 17, 31, 17).data(), GridOfCells(0, 0, 30, 17).data()));
}

}  // namespace
}  // namespace sightline::store
