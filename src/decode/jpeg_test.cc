// JPEG thumbnails and snapshots: the bytes are a JPEG that libavcodec's own MJPEG decoder reads
// back at the requested size; video-range pictures are stretched to JPEG's full range.

#include "decode/jpeg.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

#include "decode/av_handles.h"
#include "decode/decoder.h"
#include "decode/file_reader.h"
#include "support/shared_media.h"

namespace sightline::decode {
namespace {

using testing::SharedMediaFile;

struct JpegInfo {
  int width = 0;
  int height = 0;
  int luma_at_origin = 0;
};

// Decodes `jpeg` with libavcodec's MJPEG decoder: an oracle that shares nothing with the
// encoder's settings here.
Result<JpegInfo> DecodeJpeg(const Bytes& jpeg) {
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);
  if (codec == nullptr) return UnimplementedError("no MJPEG decoder");
  CodecContextPtr c(avcodec_alloc_context3(codec));
  PacketPtr pkt(av_packet_alloc());
  AvFramePtr frame(av_frame_alloc());
  if (avcodec_open2(c.get(), codec, nullptr) < 0) return InternalError("open");
  if (av_new_packet(pkt.get(), static_cast<int>(jpeg.size())) < 0) return InternalError("pkt");
  std::memcpy(pkt->data, jpeg.data(), jpeg.size());
  int err = avcodec_send_packet(c.get(), pkt.get());
  if (err >= 0) err = avcodec_receive_frame(c.get(), frame.get());
  if (err < 0) return DataLossError("MJPEG decode: " + AvErrorString(err));
  return JpegInfo{frame->width, frame->height, frame->data[0][0]};
}

void ExpectJpegMarkers(const Bytes& jpeg) {
  ASSERT_GE(jpeg.size(), 4u);
  EXPECT_EQ(jpeg[0], 0xff);  // SOI (ITU-T T.81 B.1.1.3)
  EXPECT_EQ(jpeg[1], 0xd8);
  EXPECT_EQ(jpeg[jpeg.size() - 2], 0xff);  // EOI
  EXPECT_EQ(jpeg[jpeg.size() - 1], 0xd9);
}

// A flat synthetic picture: luma `y`, chroma neutral.
struct FlatPicture {
  FlatPicture(int w, int h, uint8_t y_value, bool full_range)
      : y(w, h, y_value), u(w / 2, h / 2, 128), v(w / 2, h / 2, 128) {
    view = {y.view(), u.view(), v.view(), full_range};
  }
  media::GreyPlane y, u, v;
  YuvView view;
};

TEST(JpegTest, EncodesAtMaxWidthKeepingAspect) {
  FlatPicture p(640, 360, 120, true);
  Result<Bytes> jpeg = EncodeJpeg(p.view, 320);
  ASSERT_TRUE(jpeg.ok()) << jpeg.status();
  ExpectJpegMarkers(*jpeg);
  Result<JpegInfo> info = DecodeJpeg(*jpeg);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->width, 320);
  EXPECT_EQ(info->height, 180);
  EXPECT_NEAR(info->luma_at_origin, 120, 2);
}

TEST(JpegTest, NeverEnlarges) {
  FlatPicture p(64, 48, 120, true);
  Result<Bytes> jpeg = EncodeJpeg(p.view, 1920);
  ASSERT_TRUE(jpeg.ok()) << jpeg.status();
  Result<JpegInfo> info = DecodeJpeg(*jpeg);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->width, 64);
  EXPECT_EQ(info->height, 48);
}

TEST(JpegTest, VideoRangeIsStretchedToFullRange) {
  for (const auto& [in, out] : {std::pair{16, 0}, std::pair{235, 255}, std::pair{126, 128}}) {
    FlatPicture p(64, 64, static_cast<uint8_t>(in), false);
    const YuvImage image = ToJpegYuv(p.view, 64);
    EXPECT_EQ(image.y.at(10, 10), out) << "luma " << in;
    EXPECT_EQ(image.u.at(3, 3), 128);
  }
}

TEST(JpegTest, MonochromeGetsNeutralChroma) {
  media::GreyPlane y(32, 32, 200);
  const YuvImage image = ToJpegYuv({y.view(), {}, {}, true}, 32);
  ASSERT_EQ(image.u.width, 16);
  EXPECT_EQ(image.u.at(5, 5), 128);
  EXPECT_EQ(image.v.at(5, 5), 128);
}

TEST(JpegTest, TooSmallIsAnError) {
  FlatPicture p(64, 64, 0, true);
  EXPECT_FALSE(EncodeJpeg(p.view, 1).ok());
  EXPECT_FALSE(EncodeJpeg(YuvView{}, 320).ok());
}

TEST(JpegTest, RealPictureQualityOrdersSize) {
  const auto path = SharedMediaFile(testing::kPets360H264);
  if (!path) GTEST_SKIP() << testing::kNoSharedMediaMessage;
  Result<std::unique_ptr<FileReader>> reader = FileReader::Open(*path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  Result<media::FramePtr> frame = (*reader)->Next();
  ASSERT_TRUE(frame.ok() && *frame != nullptr);
  Result<std::unique_ptr<Decoder>> decoder = Decoder::Create((*frame)->params, {});
  ASSERT_TRUE(decoder.ok()) << decoder.status();
  ASSERT_TRUE((*decoder)->Send(**frame).ok());
  Picture picture;
  Result<bool> got = (*decoder)->Receive(picture);
  ASSERT_TRUE(got.ok() && *got);
  Result<Bytes> low = EncodeJpeg(picture.yuv(), 640, 20);
  Result<Bytes> high = EncodeJpeg(picture.yuv(), 640, 95);
  ASSERT_TRUE(low.ok() && high.ok());
  EXPECT_LT(low->size(), high->size());
  Result<JpegInfo> info = DecodeJpeg(*high);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->width, 640);
  EXPECT_EQ(info->height, 360);
}

TEST(SnapshotJpegTest, KeyframeOf1080pAt640) {
  const auto path = SharedMediaFile(testing::kPets1080H264);
  if (!path) GTEST_SKIP() << testing::kNoSharedMediaMessage;
  Result<std::unique_ptr<FileReader>> reader = FileReader::Open(*path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  Result<media::FramePtr> key = (*reader)->Next();
  Result<media::FramePtr> p_frame = (*reader)->Next();
  ASSERT_TRUE(key.ok() && *key != nullptr && (*key)->keyframe);
  ASSERT_TRUE(p_frame.ok() && *p_frame != nullptr && !(*p_frame)->keyframe);

  Result<Bytes> jpeg = SnapshotJpeg(*(*key)->params, (*key)->data, 640);
  ASSERT_TRUE(jpeg.ok()) << jpeg.status();
  ExpectJpegMarkers(*jpeg);
  Result<JpegInfo> info = DecodeJpeg(*jpeg);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->width, 640);
  EXPECT_EQ(info->height, 360);

  // A P-frame has nothing to predict from: no picture, an error rather than a grey image.
  EXPECT_FALSE(SnapshotJpeg(*(*key)->params, (*p_frame)->data, 640).ok());
}

}  // namespace
}  // namespace sightline::decode
