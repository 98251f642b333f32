#include "store/gop_assembler.h"

#include <gtest/gtest.h>

#include "store/store_test_util.h"

namespace sightline::store {
namespace {

using testing::FrameSource;

TEST(GopAssemblerTest, AGopEndsAtTheNextKeyframeWithExactDurations) {
  GopAssembler a;
  FrameSource src(/*gop=*/5);
  std::vector<Gop> gops;
  for (int i = 0; i < 11; ++i) {
    if (auto g = a.Add(src.Next())) gops.push_back(std::move(*g));
  }
  ASSERT_EQ(gops.size(), 2u);
  EXPECT_EQ(gops[0].frames.size(), 5u);
  EXPECT_TRUE(gops[0].frames[0]->keyframe);
  EXPECT_TRUE(gops[0].after_gap);   // the first GOP of a recording
  EXPECT_FALSE(gops[1].after_gap);
  for (uint32_t d : gops[0].durations_90k) EXPECT_EQ(d, 9000u);
  EXPECT_EQ(gops[0].duration_90k(), 45000);
  EXPECT_EQ(gops[0].bytes, 5u * 13);
  std::optional<Gop> last = a.Finish();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->frames.size(), 1u);
  EXPECT_EQ(last->durations_90k, std::vector<uint32_t>{9000});  // the VUI's 10 fps
}

TEST(GopAssemblerTest, LossEndsTheGopAndStartsANewRecordingAtTheNextKeyframe) {
  GopAssembler a;
  FrameSource src(/*gop=*/5);
  for (int i = 0; i < 7; ++i) (void)a.Add(src.Next());
  // Frame 7 arrives after loss: the GOP in progress (5, 6) is cut, 7..9 are not recorded.
  std::optional<Gop> cut = a.Add(src.Next(/*after_loss=*/true));
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->frames.size(), 2u);
  EXPECT_EQ(cut->durations_90k.back(), 9000u);  // the previous interval, nothing follows
  for (int i = 0; i < 2; ++i) EXPECT_FALSE(a.Add(src.Next()));
  EXPECT_FALSE(a.Add(src.Next()));  // keyframe 10 starts a GOP
  EXPECT_EQ(a.stats().frames_before_keyframe, 3u);
  EXPECT_EQ(a.stats().gaps, 1u);
  for (int i = 0; i < 4; ++i) (void)a.Add(src.Next());
  std::optional<Gop> g = a.Add(src.Next());
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->after_gap);
}

TEST(GopAssemblerTest, TimestampsGoingBackOrJumpingAheadAreGaps) {
  for (int64_t jump : {-9000 * 3, 0, 11 * 90000}) {
    SCOPED_TRACE(jump);
    GopAssembler a;
    FrameSource src(/*gop=*/1);  // every frame a keyframe
    (void)a.Add(src.Next());
    auto f = std::make_shared<media::Frame>(*src.Next());
    f->pts = media::Time90k(jump + 0);
    std::optional<Gop> g = a.Add(f);
    ASSERT_TRUE(g);
    EXPECT_EQ(a.stats().gaps, 1u);
    std::optional<Gop> next = a.Finish();
    ASSERT_TRUE(next);
    EXPECT_TRUE(next->after_gap);
  }
}

TEST(GopAssemblerTest, NewParameterSetsAreAGap) {
  GopAssembler a;
  FrameSource src(/*gop=*/3);
  for (int i = 0; i < 3; ++i) (void)a.Add(src.Next());
  auto f = std::make_shared<media::Frame>(*src.Next());
  f->params = *media::MakeStreamParams(media::Codec::kH264, {}, media::testdata::kPets1080pH264Sps,
                                       media::testdata::kPets1080pH264Pps);
  ASSERT_TRUE(a.Add(f));
  EXPECT_EQ(a.stats().gaps, 1u);
}

}  // namespace
}  // namespace sightline::store
