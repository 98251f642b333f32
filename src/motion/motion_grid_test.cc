#include "motion/motion_grid.h"

#include <gtest/gtest.h>

namespace sightline::motion {
namespace {

TEST(MotionGridTest, SetGetCount) {
  MotionGrid g;
  EXPECT_FALSE(g.Any());
  g.Set(0, 0);
  g.Set(31, 17);
  g.Set(5, 9);
  EXPECT_TRUE(g.Get(0, 0));
  EXPECT_TRUE(g.Get(31, 17));
  EXPECT_TRUE(g.Get(5, 9));
  EXPECT_FALSE(g.Get(6, 9));
  EXPECT_EQ(g.Count(), 3);
  g.Set(5, 9, false);
  EXPECT_FALSE(g.Get(5, 9));
  EXPECT_EQ(g.Count(), 2);
}

TEST(MotionGridTest, SerializedLayoutIsRowMajorMostSignificantBitFirst) {
  MotionGrid g;
  g.Set(0, 0);    // byte 0, bit 7
  g.Set(9, 0);    // byte 1, bit 6
  g.Set(31, 1);   // cell 63: byte 7, bit 0
  g.Set(31, 17);  // cell 575: byte 71, bit 0
  const Bytes b = g.Serialize();
  ASSERT_EQ(b.size(), MotionGrid::kSerializedBytes);
  Bytes expected(72, 0);
  expected[0] = 0x80;
  expected[1] = 0x40;
  expected[7] = 0x01;
  expected[71] = 0x01;
  EXPECT_EQ(b, expected);
  Bytes appended = {0xaa};
  g.AppendTo(&appended);
  EXPECT_EQ(appended.size(), 73u);
  EXPECT_TRUE(std::equal(b.begin(), b.end(), appended.begin() + 1));
}

TEST(MotionGridTest, ParseRoundTripsAndChecksTheSize) {
  MotionGrid g;
  for (int i = 0; i < MotionGrid::kCells; i += 7) g.Set(i % 32, i / 32);
  Result<MotionGrid> parsed = MotionGrid::Parse(g.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, g);
  const Bytes short_data(71, 0);
  EXPECT_EQ(MotionGrid::Parse(short_data).status().message(), "motion grid: 71 bytes, expected 72");
  EXPECT_FALSE(MotionGrid::Parse(Bytes(73, 0)).ok());
}

TEST(MotionGridTest, FromRectSelectsTouchedCells) {
  // Exactly cells 8..15 x 9..17 (the bottom-right quarter's left half).
  MotionGrid g = MotionGrid::FromRect(Rect{0.25, 0.5, 0.25, 0.5});
  EXPECT_EQ(g.Count(), 8 * 9);
  EXPECT_TRUE(g.Get(8, 9));
  EXPECT_TRUE(g.Get(15, 17));
  EXPECT_FALSE(g.Get(16, 9));
  EXPECT_FALSE(g.Get(7, 9));
  EXPECT_FALSE(g.Get(8, 8));
  // Barely touching a cell selects it.
  g = MotionGrid::FromRect(Rect{0.249, 0.5, 0.002, 0.01});
  EXPECT_EQ(g.Count(), 2);
  EXPECT_TRUE(g.Get(7, 9));
  EXPECT_TRUE(g.Get(8, 9));
  // A point selects its cell; the whole picture selects everything; outside selects nothing.
  EXPECT_EQ(MotionGrid::FromRect(Rect{0.5, 0.5, 0, 0}).Count(), 1);
  EXPECT_TRUE(MotionGrid::FromRect(Rect{1, 1, 0, 0}).Get(31, 17));
  EXPECT_EQ(MotionGrid::FromRect(Rect{0, 0, 1, 1}).Count(), MotionGrid::kCells);
  EXPECT_EQ(MotionGrid::FromRect(Rect{-1, -1, 3, 3}).Count(), MotionGrid::kCells);
  EXPECT_FALSE(MotionGrid::FromRect(Rect{1.1, 0, 0.2, 0.2}).Any());
  EXPECT_FALSE(MotionGrid::FromRect(Rect{-0.5, 0, 0.5, 0.5}).Any());
  EXPECT_FALSE(MotionGrid::FromRect(Rect{0, 0, -0.1, 0.5}).Any());
}

TEST(MotionGridTest, IntersectsAndCombine) {
  const MotionGrid query = MotionGrid::FromRect(Rect{0.5, 0, 0.5, 0.5});
  MotionGrid frame;
  frame.Set(3, 3);
  EXPECT_FALSE(frame.Intersects(query));
  frame.Set(20, 2);
  EXPECT_TRUE(frame.Intersects(query));
  MotionGrid both = frame;
  both &= query;
  EXPECT_EQ(both.Count(), 1);
  both |= frame;
  EXPECT_EQ(both, frame);
  const Rect cell = MotionGrid::CellRect(20, 2);
  EXPECT_DOUBLE_EQ(cell.x, 20.0 / 32);
  EXPECT_DOUBLE_EQ(cell.h, 1.0 / 18);
  EXPECT_EQ(MotionGrid::FromRect(cell).Count(), 1);
}

}  // namespace
}  // namespace sightline::motion
