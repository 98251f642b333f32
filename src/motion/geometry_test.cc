#include "motion/geometry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace sightline::motion {
namespace {

std::string Picture(const std::vector<uint8_t>& mask, int width) {
  std::string s;
  for (size_t i = 0; i < mask.size(); ++i) {
    s += mask[i] ? '#' : '.';
    if ((i + 1) % width == 0) s += '\n';
  }
  return s;
}

TEST(GeometryTest, RasterizesByPixelCentres) {
  // A rectangle from 0.25 to 0.75 of an 8 x 4 picture covers columns 2..5 and rows 1..2.
  const Polygon rect = {{0.25, 0.25}, {0.75, 0.25}, {0.75, 0.75}, {0.25, 0.75}};
  EXPECT_EQ(Picture(RasterizePolygons({rect}, 8, 4), 8),
            "........\n"
            "..####..\n"
            "..####..\n"
            "........\n");
  // A pixel whose centre lies exactly on the left or top edge is inside, on the right or bottom
  // edge outside: half-open, so adjacent polygons never share or miss a pixel.
  const Polygon left = {
      {0, 0}, {0.5625, 0}, {0.5625, 1}, {0, 1}};  // edge through column 4's centre
  const Polygon right = {{0.5625, 0}, {1, 0}, {1, 1}, {0.5625, 1}};
  const auto l = RasterizePolygons({left}, 8, 1);
  const auto r = RasterizePolygons({right}, 8, 1);
  EXPECT_EQ(Picture(l, 8), "####....\n");
  EXPECT_EQ(Picture(r, 8), "....####\n");
}

TEST(GeometryTest, TriangleAndConcavePolygon) {
  const Polygon triangle = {{0, 0}, {1, 0}, {0, 1}};
  EXPECT_EQ(Picture(RasterizePolygons({triangle}, 4, 4), 4),
            "###.\n"
            "##..\n"
            "#...\n"
            "....\n");
  // A U shape: the notch in the middle stays empty.
  const Polygon u = {{0, 0},    {0.25, 0}, {0.25, 0.5}, {0.75, 0.5},
                     {0.75, 0}, {1, 0},    {1, 1},      {0, 1}};
  EXPECT_EQ(Picture(RasterizePolygons({u}, 4, 4), 4),
            "#..#\n"
            "#..#\n"
            "####\n"
            "####\n");
}

TEST(GeometryTest, EvenOddRuleForSelfIntersection) {
  // A pentagram drawn in one stroke: its centre pentagon is crossed twice, so it is outside.
  Polygon star;
  for (int k = 0; k < 5; ++k) {
    const double a = -M_PI / 2 + k * 4 * M_PI / 5;
    star.push_back({0.5 + 0.5 * std::cos(a), 0.5 + 0.5 * std::sin(a)});
  }
  EXPECT_FALSE(Contains(star, {0.5, 0.5}));
  EXPECT_TRUE(Contains(star, {0.5, 0.08}));  // inside the top point
  const auto mask = RasterizePolygons({star}, 64, 64);
  EXPECT_EQ(mask[32 * 64 + 32], 0);
  EXPECT_EQ(mask[5 * 64 + 32], 1);
}

TEST(GeometryTest, FillMatchesContainsEverywhere) {
  const Polygon p = {{0.1, 0.2}, {0.9, 0.05}, {0.6, 0.5}, {0.95, 0.95}, {0.3, 0.7}, {0.05, 0.9}};
  const int w = 37, h = 23;
  const auto mask = RasterizePolygons({p}, w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      EXPECT_EQ(mask[y * w + x] != 0, Contains(p, {(x + 0.5) / w, (y + 0.5) / h})) << x << "," << y;
    }
  }
}

TEST(GeometryTest, UnionOfPolygonsAndDegenerateInput) {
  const Polygon a = {{0, 0}, {0.5, 0}, {0.5, 1}, {0, 1}};
  const Polygon b = {{0.25, 0}, {1, 0}, {1, 0.5}, {0.25, 0.5}};
  EXPECT_EQ(Picture(RasterizePolygons({a, b}, 4, 2), 4), "####\n##..\n");
  EXPECT_EQ(Picture(RasterizePolygons({{{0, 0}, {1, 1}}}, 4, 1), 4), "....\n");
  EXPECT_TRUE(RasterizePolygons({a}, 0, 0).empty());
  // Points outside 0..1 are clipped, not an error here (ValidatePolygon rejects them).
  EXPECT_EQ(Picture(RasterizePolygons({{{-1, -1}, {2, -1}, {2, 2}, {-1, 2}}}, 3, 1), 3), "###\n");
}

TEST(GeometryTest, ValidatePolygon) {
  EXPECT_TRUE(ValidatePolygon({{0, 0}, {1, 0}, {1, 1}}).ok());
  EXPECT_EQ(ValidatePolygon({{0, 0}, {1, 0}}).message(), "polygon has 2 points, needs at least 3");
  EXPECT_EQ(ValidatePolygon({{0, 0}, {1.4, 0}, {1, 1}}).message(), "point 1: x 1.4 outside 0..1");
  EXPECT_FALSE(ValidatePolygon({{0, 0}, {NAN, 0}, {1, 1}}).ok());
}

TEST(GeometryTest, RectangleOverlap) {
  const Rect a{0.1, 0.1, 0.4, 0.4};
  const Rect b{0.3, 0.2, 0.4, 0.1};
  EXPECT_TRUE(Overlaps(a, b));
  const Rect i = Intersection(a, b);
  EXPECT_DOUBLE_EQ(i.x, 0.3);
  EXPECT_DOUBLE_EQ(i.w, 0.2);
  EXPECT_DOUBLE_EQ(i.h, 0.1);
  EXPECT_NEAR(IntersectionOverUnion(a, b), 0.02 / (0.16 + 0.04 - 0.02), 1e-12);
  // Touching edges do not overlap.
  EXPECT_FALSE(Overlaps(Rect{0, 0, 0.5, 0.5}, Rect{0.5, 0, 0.5, 0.5}));
  EXPECT_EQ(IntersectionOverUnion(Rect{}, Rect{}), 0);
}

}  // namespace
}  // namespace sightline::motion
