#include "support/demux.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "support/frame_hash.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

// nal_unit_type of each NAL unit of a frame (H.264 7.3.1, H.265 7.3.1.2).
std::vector<int> NalTypes(const SourceFrame& f) {
  std::vector<int> types;
  ByteReader r(f.data);
  uint32_t n = 0;
  ByteSpan nal;
  while (r.ReadBe32(&n) && r.ReadSpan(n, &nal) && !nal.empty()) {
    types.push_back(f.codec == media::Codec::kH264 ? nal[0] & 0x1f : (nal[0] >> 1) & 0x3f);
  }
  EXPECT_EQ(r.remaining(), 0u) << "trailing bytes after the last NAL unit";
  return types;
}

TEST(DemuxTest, Pets360pFileHasEveryFrameOfTheReadme) {
  const std::optional<std::string> file = SharedMediaFile(kPets360H264);
  if (!file) GTEST_SKIP() << kNoSharedMediaMessage;
  Result<std::vector<SourceFrame>> frames = DemuxFile(*file);
  ASSERT_TRUE(frames.ok()) << frames.status();
  // The media README: 795 frames at 10 fps, a fixed GOP of 20.
  ASSERT_EQ(frames->size(), 795u);
  int keyframes = 0;
  for (size_t i = 0; i < frames->size(); ++i) {
    const SourceFrame& f = (*frames)[i];
    EXPECT_EQ(f.codec, media::Codec::kH264);
    EXPECT_EQ(f.keyframe, i % 20 == 0) << "frame " << i;
    EXPECT_EQ(f.hash, FrameHash(f.data)) << "frame " << i;
    if (i > 0) {
      EXPECT_EQ((f.pts - (*frames)[i - 1].pts).ticks(), 9000) << "frame " << i;
    }
    keyframes += f.keyframe;
  }
  EXPECT_EQ(keyframes, 40);
  EXPECT_TRUE(frames->front().keyframe);
  // Length-prefixed NAL units as the file stores them: x264's SEI, SPS, PPS, the SEI again
  // and the IDR slice in the first sample; SPS, PPS, IDR at later keyframes.
  EXPECT_EQ(NalTypes((*frames)[0]), (std::vector<int>{6, 7, 8, 6, 5}));
  EXPECT_EQ(NalTypes((*frames)[1]), (std::vector<int>{1}));
  EXPECT_EQ(NalTypes((*frames)[20]), (std::vector<int>{7, 8, 5}));
}

TEST(DemuxTest, H265FileKeyframesAreIrapPictures) {
  const std::optional<std::string> file = SharedMediaFile(kPets1080H265);
  if (!file) GTEST_SKIP() << kNoSharedMediaMessage;
  DemuxOptions options;
  options.max_frames = 41;
  Result<std::vector<SourceFrame>> frames = Demux(*file, options);
  ASSERT_TRUE(frames.ok()) << frames.status();
  ASSERT_EQ(frames->size(), 41u);
  for (size_t i = 0; i < frames->size(); ++i) {
    EXPECT_EQ((*frames)[i].codec, media::Codec::kH265);
    EXPECT_EQ((*frames)[i].keyframe, i % 20 == 0) << "frame " << i;
  }
  // VPS, SPS, PPS, SEI, then an IDR_N_LP picture first; later keyframes are CRA pictures
  // (x265's default open GOP), which is why keyframe means IRAP and not IDR for H.265.
  EXPECT_EQ(NalTypes((*frames)[0]), (std::vector<int>{32, 33, 34, 39, 20}));
  EXPECT_EQ(NalTypes((*frames)[20]), (std::vector<int>{32, 33, 34, 39, 21}));
}

// A raw Annex B file demuxes to the same access units as the MP4 it was extracted from:
// checks the Annex B path against the length-prefixed one.
TEST(DemuxTest, RawAnnexBFileEqualsMp4Samples) {
  const std::optional<std::string> file = SharedMediaFile(kPets360H264);
  if (!file) GTEST_SKIP() << kNoSharedMediaMessage;
  const std::string raw = ::testing::TempDir() + "demux_test_pets360.h264";
  const std::string cmd = "ffmpeg -v error -y -i '" + *file +
                          "' -map 0:v -c copy -frames:v 30 -bsf:v h264_mp4toannexb -f h264 '" +
                          raw + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  DemuxOptions options;
  options.max_frames = 30;
  Result<std::vector<SourceFrame>> from_mp4 = Demux(*file, options);
  Result<std::vector<SourceFrame>> from_raw = DemuxFile(raw);
  std::remove(raw.c_str());
  ASSERT_TRUE(from_mp4.ok()) << from_mp4.status();
  ASSERT_TRUE(from_raw.ok()) << from_raw.status();
  ASSERT_EQ(from_raw->size(), 30u);
  for (size_t i = 0; i < 30; ++i) {
    EXPECT_EQ((*from_raw)[i].hash, (*from_mp4)[i].hash) << "frame " << i;
    EXPECT_EQ((*from_raw)[i].keyframe, (*from_mp4)[i].keyframe) << "frame " << i;
  }
}

TEST(DemuxTest, MissingFileIsAnError) {
  Result<std::vector<SourceFrame>> frames = DemuxFile("/nonexistent/file.mp4");
  ASSERT_FALSE(frames.ok());
  EXPECT_NE(frames.status().message().find("/nonexistent/file.mp4"), std::string::npos);
}

}  // namespace
}  // namespace sightline::testing
