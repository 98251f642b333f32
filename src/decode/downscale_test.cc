#include "decode/downscale.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace sightline::decode {
namespace {

// Random pixels in a buffer with a stride wider than the picture.
struct RandomPlane {
  RandomPlane(int w, int h, uint32_t seed) : width(w), height(h), stride(w + 13) {
    std::mt19937 rng(seed);
    bytes.resize(static_cast<size_t>(stride) * h);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
  }
  media::GreyView view() const { return {bytes.data(), width, height, stride}; }
  int width, height, stride;
  std::vector<uint8_t> bytes;
};

TEST(DownscaleTest, HalvingIsBitIdenticalToMotionDownscale) {
  // Widths that exercise the 16-pixel vector loop, its scalar tail, and tiny pictures.
  for (const auto& [w, h] : {std::pair{640, 360}, std::pair{704, 576}, std::pair{34, 6},
                             std::pair{2, 2}, std::pair{1920, 1080}}) {
    const RandomPlane src(w, h, static_cast<uint32_t>(w * h));
    const media::GreyPlane fast = FastDownscale(src.view(), w / 2, h / 2);
    const media::GreyPlane reference = media::Downscale(src.view(), w / 2, h / 2);
    ASSERT_EQ(fast.width, w / 2);
    ASSERT_EQ(fast.height, h / 2);
    EXPECT_EQ(fast.pixels, reference.pixels) << w << "x" << h;
  }
}

TEST(DownscaleTest, HalvingRoundsLikeMotionDownscale) {
  const uint8_t pixels[] = {255, 255, 255, 254, 0, 1, 0, 0};  // 4x2: two boxes
  const media::GreyView src{pixels, 4, 2, 4};
  const media::GreyPlane out = FastDownscale(src, 2, 1);
  EXPECT_EQ(out.pixels, media::Downscale(src, 2, 1).pixels);
  EXPECT_EQ(out.pixels[0], 128);  // (255 + 255 + 0 + 1 + 2) / 4
}

TEST(DownscaleTest, OtherRatiosAreMotionDownscale) {
  const RandomPlane src(1920, 1080, 7);
  for (const auto& [w, h] : {std::pair{320, 180}, std::pair{320, 240}, std::pair{333, 101},
                             std::pair{1919, 1079}, std::pair{1920, 1080}, std::pair{1, 1},
                             std::pair{7, 1080}, std::pair{1920, 3}}) {
    const media::GreyPlane fast = FastDownscale(src.view(), w, h);
    const media::GreyPlane reference = media::Downscale(src.view(), w, h);
    ASSERT_EQ(fast.width, reference.width);
    ASSERT_EQ(fast.height, reference.height);
    EXPECT_EQ(fast.pixels, reference.pixels) << w << "x" << h;
  }
}

}  // namespace
}  // namespace sightline::decode
