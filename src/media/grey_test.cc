#include "media/grey.h"

#include <gtest/gtest.h>

namespace sightline::media {
namespace {

TEST(GreyTest, ScaledSizeKeepsAspectAndNeverEnlarges) {
  int w, h;
  ScaledSize(1920, 1080, 320, &w, &h);
  EXPECT_EQ(w, 320);
  EXPECT_EQ(h, 180);
  ScaledSize(704, 576, 320, &w, &h);  // D1 PAL: 261.8 rounds to 262
  EXPECT_EQ(w, 320);
  EXPECT_EQ(h, 262);
  ScaledSize(200, 150, 320, &w, &h);
  EXPECT_EQ(w, 200);
  EXPECT_EQ(h, 150);
  ScaledSize(4000, 2, 320, &w, &h);  // at least one row
  EXPECT_EQ(h, 1);
  ScaledSize(0, 10, 320, &w, &h);
  EXPECT_EQ(w, 0);
  EXPECT_EQ(h, 0);
}

TEST(GreyTest, DownscaleAveragesAreasOfAStridedView) {
  // 4 x 2 source inside a stride of 6 (the padding must not leak in): halving averages 2 x 2.
  const uint8_t pixels[] = {10, 20, 100, 101, 255, 255,  //
                            30, 40, 102, 103, 255, 255};
  const GreyView src{pixels, 4, 2, 6};
  const GreyPlane half = Downscale(src, 2, 1);
  ASSERT_EQ(half.pixels.size(), 2u);
  EXPECT_EQ(half.at(0, 0), 25);   // (10 + 20 + 30 + 40) / 4
  EXPECT_EQ(half.at(1, 0), 102);  // 406 / 4 = 101.5, rounded
  // Non-integer ratio: 3 columns into 2 takes column 0 and columns 1..2 (every source pixel
  // lands in exactly one output pixel).
  const uint8_t row[] = {0, 90, 120};
  const GreyPlane two = Downscale(GreyView{row, 3, 1, 3}, 2, 1);
  EXPECT_EQ(two.at(0, 0), 0);
  EXPECT_EQ(two.at(1, 0), 105);
  // The same size copies; Copy packs the rows.
  const GreyPlane copy = Downscale(src, 4, 2);
  EXPECT_EQ(copy.pixels, (std::vector<uint8_t>{10, 20, 100, 101, 30, 40, 102, 103}));
  EXPECT_EQ(Copy(src).pixels, copy.pixels);
}

}  // namespace
}  // namespace sightline::media
