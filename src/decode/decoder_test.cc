// Decoding the real footage in ../shared/media (skipped with a message when it is absent):
// every frame decodes, at the right size, in order; keyframes-only mode decodes keyframes
// only; corrupt frames are errors, not crashes, and decoding resumes at the next keyframe.

#include "decode/decoder.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "decode/decode_file.h"
#include "decode/file_reader.h"
#include "support/shared_media.h"

namespace sightline::decode {
namespace {

using testing::SharedMediaFile;

constexpr int kPetsFrames = 795;
constexpr int kPetsGop = 20;

std::vector<media::FramePtr> ReadFrames(const std::string& path, size_t max_frames) {
  std::vector<media::FramePtr> frames;
  Result<std::unique_ptr<FileReader>> reader = FileReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return frames;
  while (frames.size() < max_frames) {
    Result<media::FramePtr> frame = (*reader)->Next();
    EXPECT_TRUE(frame.ok()) << frame.status();
    if (!frame.ok() || *frame == nullptr) break;
    frames.push_back(*frame);
  }
  return frames;
}

// Sends `frame` and receives its picture (these streams have no reordering delay).
Result<bool> DecodeOne(Decoder& decoder, const media::Frame& frame, Picture& picture) {
  RETURN_IF_ERROR(decoder.Send(frame));
  return decoder.Receive(picture);
}

TEST(FileReaderTest, Pets360FramesKeyframesAndParams) {
  const auto path = SharedMediaFile(testing::kPets360H264);
  if (!path) GTEST_SKIP() << testing::kNoSharedMediaMessage;
  const std::vector<media::FramePtr> frames = ReadFrames(*path, 10000);
  ASSERT_EQ(frames.size(), kPetsFrames);
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i]->keyframe, i % kPetsGop == 0) << "frame " << i;
    EXPECT_EQ(frames[i]->pts.ticks() - frames[0]->pts.ticks(), static_cast<int64_t>(i) * 9000);
    ASSERT_NE(frames[i]->params, nullptr);
    // SPS and PPS repeat before every IDR unchanged: one StreamParams for the whole file.
    EXPECT_EQ(frames[i]->params, frames[0]->params) << "frame " << i;
  }
  EXPECT_EQ(frames[0]->params->width, 640);
  EXPECT_EQ(frames[0]->params->height, 360);
  EXPECT_EQ(frames[10]->wall_time - frames[0]->wall_time, std::chrono::seconds(1));
}

TEST(DecodeFileTest, Pets360EveryFrameAtGreyWidth) {
  const auto path = SharedMediaFile(testing::kPets360H264);
  if (!path) GTEST_SKIP() << testing::kNoSharedMediaMessage;
  int count = 0;
  int64_t first_pts = 0;
  const Status s = DecodeFile(*path, {}, [&](const DecodedPicture& p) -> Status {
    if (count == 0) first_pts = p.pts_90k;
    EXPECT_EQ(p.pts_90k - first_pts, int64_t{count} * 9000) << "picture " << count;
    EXPECT_EQ(p.keyframe, count % kPetsGop == 0) << "picture " << count;
    EXPECT_EQ(p.grey.width, 320);
    EXPECT_EQ(p.grey.height, 180);
    EXPECT_EQ(p.grey.pixels.size(), size_t{320} * 180);
    EXPECT_EQ(p.picture->width(), 640);
    EXPECT_EQ(p.picture->height(), 360);
    const YuvView yuv = p.picture->yuv();
    EXPECT_EQ(yuv.u.width, 320);
    EXPECT_EQ(yuv.v.height, 180);
    ++count;
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(count, kPetsFrames);
}

TEST(DecodeFileTest, KeyframesOnlyYieldsEveryTwentiethFrame) {
  const auto path = SharedMediaFile(testing::kPets360H264);
  if (!path) GTEST_SKIP() << testing::kNoSharedMediaMessage;
  FileDecodeOptions options;
  options.keyframes_only = true;
  std::vector<int64_t> pts;
  const Status s = DecodeFile(*path, options, [&](const DecodedPicture& p) -> Status {
    EXPECT_TRUE(p.keyframe) << "pts " << p.pts_90k;
    pts.push_back(p.pts_90k);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(pts.size(), (kPetsFrames + kPetsGop - 1) / kPetsGop);
  for (size_t i = 1; i < pts.size(); ++i) EXPECT_EQ(pts[i] - pts[i - 1], kPetsGop * 9000);
}

TEST(DecodeFileTest, MaxFpsSpacesPictures) {
  const auto path = SharedMediaFile(testing::kPets360H264);
  if (!path) GTEST_SKIP() << testing::kNoSharedMediaMessage;
  FileDecodeOptions options;
  options.max_fps = 5;  // the file is 10 fps: every other picture
  options.grey_width = 160;
  int count = 0;
  const Status s = DecodeFile(*path, options, [&](const DecodedPicture& p) -> Status {
    EXPECT_EQ(p.grey.width, 160);
    EXPECT_EQ(p.grey.height, 90);
    ++count;
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(count, (kPetsFrames + 1) / 2);
}

TEST(DecodeFileTest, CallbackErrorStops) {
  const auto path = SharedMediaFile(testing::kPets360H264);
  if (!path) GTEST_SKIP() << testing::kNoSharedMediaMessage;
  int count = 0;
  const Status s = DecodeFile(*path, {}, [&](const DecodedPicture&) -> Status {
    return ++count == 3 ? CancelledError("enough") : Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(count, 3);
}

TEST(DecodeFileTest, MissingFileNamesIt) {
  const Status s = DecodeFile("/nonexistent/clip.mp4", {}, [](const DecodedPicture&) {
    return Status::Ok();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/clip.mp4"), std::string::npos) << s;
}

TEST(DecoderTest, H265At1080p) {
  const auto path = SharedMediaFile(testing::kPets1080H265);
  if (!path) GTEST_SKIP() << testing::kNoSharedMediaMessage;
  const std::vector<media::FramePtr> frames = ReadFrames(*path, 25);
  ASSERT_EQ(frames.size(), 25u);
  ASSERT_TRUE(frames[0]->keyframe);
  Result<std::unique_ptr<Decoder>> decoder = Decoder::Create(frames[0]->params, {});
  ASSERT_TRUE(decoder.ok()) << decoder.status();
  Picture picture;
  for (const media::FramePtr& f : frames) {
    Result<bool> got = DecodeOne(**decoder, *f, picture);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_TRUE(*got);
    EXPECT_EQ(picture.width(), 1920);
    EXPECT_EQ(picture.height(), 1080);
    EXPECT_EQ(picture.pts_90k(), f->pts.ticks());
    EXPECT_EQ(picture.keyframe(), f->keyframe);
    const media::GreyPlane grey = ToGrey(picture.yuv(), 320);
    EXPECT_EQ(grey.width, 320);
    EXPECT_EQ(grey.height, 180);
  }
}

TEST(DecoderTest, MatchesItsParamsOnly) {
  const auto p360 = SharedMediaFile(testing::kPets360H264);
  const auto p1080 = SharedMediaFile(testing::kPets1080H264);
  if (!p360 || !p1080) GTEST_SKIP() << testing::kNoSharedMediaMessage;
  const media::FramePtr a = ReadFrames(*p360, 1).at(0);
  const media::FramePtr b = ReadFrames(*p1080, 1).at(0);
  Result<std::unique_ptr<Decoder>> decoder = Decoder::Create(a->params, {});
  ASSERT_TRUE(decoder.ok()) << decoder.status();
  EXPECT_TRUE((*decoder)->Matches(*a->params));
  EXPECT_FALSE((*decoder)->Matches(*b->params));
}

TEST(DecoderTest, NullParamsIsAnError) {
  DecoderOptions options;
  options.name = "camera=front stream=sub";
  Result<std::unique_ptr<Decoder>> decoder = Decoder::Create(nullptr, options);
  ASSERT_FALSE(decoder.ok());
  EXPECT_NE(decoder.status().message().find("camera=front stream=sub"), std::string::npos);
}

class CorruptFrameTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto path = SharedMediaFile(testing::kPets360H264);
    if (!path) GTEST_SKIP() << testing::kNoSharedMediaMessage;
    frames_ = ReadFrames(*path, 2 * kPetsGop + 1);
    ASSERT_EQ(frames_.size(), 2u * kPetsGop + 1);
    DecoderOptions options;
    options.name = "camera=test stream=sub";
    Result<std::unique_ptr<Decoder>> decoder = Decoder::Create(frames_[0]->params, options);
    ASSERT_TRUE(decoder.ok()) << decoder.status();
    decoder_ = std::move(decoder).value();
  }

  // Decodes frames [0, n) and checks each gives a picture.
  void DecodeFirst(int n) {
    for (int i = 0; i < n; ++i) {
      Result<bool> got = DecodeOne(*decoder_, *frames_[i], picture_);
      ASSERT_TRUE(got.ok()) << "frame " << i << ": " << got.status();
      ASSERT_TRUE(*got) << "frame " << i;
    }
  }

  // After an error: Reset, then the next GOP decodes cleanly.
  void ExpectRecoveryAtNextKeyframe() {
    decoder_->Reset();
    for (int i = kPetsGop; i <= 2 * kPetsGop; ++i) {
      Result<bool> got = DecodeOne(*decoder_, *frames_[i], picture_);
      ASSERT_TRUE(got.ok()) << "frame " << i << ": " << got.status();
      ASSERT_TRUE(*got) << "frame " << i;
      EXPECT_EQ(picture_.pts_90k(), frames_[i]->pts.ticks());
    }
  }

  // The error of sending `bad` and receiving its picture, if any.
  Status DecodeError(const media::Frame& bad) {
    Result<bool> got = DecodeOne(*decoder_, bad, picture_);
    return got.status();
  }

  std::vector<media::FramePtr> frames_;
  std::unique_ptr<Decoder> decoder_;
  Picture picture_;
};

TEST_F(CorruptFrameTest, GarbledSliceDataIsAnErrorNamingStreamAndPts) {
  DecodeFirst(5);
  media::Frame bad = *frames_[5];
  // Overwrite the second half of the P slice (past its header) with a pattern no CABAC
  // stream decodes to the end of its macroblocks.
  for (size_t i = bad.data.size() / 2; i < bad.data.size(); ++i) bad.data[i] = 0xff;
  const Status s = DecodeError(bad);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("camera=test stream=sub"), std::string::npos) << s;
  EXPECT_NE(s.message().find("pts " + std::to_string(bad.pts.ticks())), std::string::npos) << s;
  ExpectRecoveryAtNextKeyframe();
}

TEST_F(CorruptFrameTest, TruncatedFrameIsAnError) {
  DecodeFirst(5);
  media::Frame bad = *frames_[5];
  bad.data.resize(bad.data.size() / 3);  // the NAL unit's length now overruns the data
  EXPECT_FALSE(DecodeError(bad).ok());
  ExpectRecoveryAtNextKeyframe();
}

TEST_F(CorruptFrameTest, RandomBytesAreAnErrorWithoutACrash) {
  DecodeFirst(1);
  media::Frame bad = *frames_[1];
  uint32_t x = 12345;
  for (uint8_t& b : bad.data) {
    x = x * 1103515245 + 12345;
    b = static_cast<uint8_t>(x >> 24);
  }
  EXPECT_FALSE(DecodeError(bad).ok());
  ExpectRecoveryAtNextKeyframe();
}

TEST_F(CorruptFrameTest, EmptyFrameIsAnError) {
  media::Frame empty = *frames_[0];
  empty.data.clear();
  EXPECT_FALSE(decoder_->Send(empty).ok());
}

}  // namespace
}  // namespace sightline::decode
