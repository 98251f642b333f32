#include "tools/camsim/clip.h"

#include <gtest/gtest.h>

#include "media/nal.h"
#include "media/test_param_sets.h"
#include "rtsp/depacketizer.h"
#include "rtsp/rtp.h"
#include "tools/camsim/camsim_test_util.h"

namespace sightline::camsim {
namespace {

using media::Time90k;

// Feeds one frame's shared payloads through the real depacketizer.
Bytes Reassemble(const Clip& clip, size_t index) {
  auto depacketizer = rtsp::Depacketizer::Create(clip.codec());
  const ClipFrame& f = clip.frames()[index];
  for (uint32_t i = 0; i < f.packet_count; ++i) {
    rtsp::RtpPacket p;
    p.payload_type = 96;
    p.sequence = static_cast<uint16_t>(i);
    p.timestamp = 1000;
    p.marker = clip.packet(f.first_packet + i).marker;
    p.payload = clip.payload(f.first_packet + i);
    EXPECT_TRUE(depacketizer->Push(p).ok());
  }
  depacketizer->Flush();
  auto au = depacketizer->Pop();
  return au ? au->data : Bytes{};
}

void ExpectPacketsConsistent(const Clip& clip) {
  uint32_t next = 0;
  for (size_t i = 0; i < clip.frames().size(); ++i) {
    const ClipFrame& f = clip.frames()[i];
    ASSERT_EQ(f.first_packet, next) << i;
    ASSERT_GT(f.packet_count, 0u) << i;
    for (uint32_t k = 0; k < f.packet_count; ++k) {
      EXPECT_EQ(clip.packet(f.first_packet + k).marker, k + 1 == f.packet_count) << i;
      EXPECT_LE(clip.payload(f.first_packet + k).size(), 1400u);
    }
    next += f.packet_count;
  }
  EXPECT_EQ(next, clip.packet_count());
}

TEST(CamsimClipTest, LoadsPets360p) {
  const std::string path = testing::MediaFile(testing::kPets360p);
  if (path.empty()) GTEST_SKIP() << "../shared/media is missing (see shared/media/README.md)";
  auto clip = LoadClip(path);
  ASSERT_TRUE(clip.ok()) << clip.status();
  const Clip& c = **clip;
  EXPECT_EQ(c.codec(), media::Codec::kH264);
  EXPECT_EQ(c.width(), 640);
  EXPECT_EQ(c.height(), 360);
  ASSERT_EQ(c.frames().size(), 795u);
  EXPECT_EQ(c.duration(), Time90k(795 * 9000));  // 10 fps
  for (size_t i = 0; i < c.frames().size(); ++i) {
    EXPECT_EQ(c.frames()[i].keyframe, i % 20 == 0) << i;
    EXPECT_EQ(c.frames()[i].dts, Time90k(static_cast<int64_t>(i) * 9000)) << i;
  }
  EXPECT_EQ(c.sps(), Bytes(std::begin(media::testdata::kPets360pH264Sps),
                           std::end(media::testdata::kPets360pH264Sps)));
  EXPECT_EQ(c.pps(), Bytes(std::begin(media::testdata::kPets360pH264Pps),
                           std::end(media::testdata::kPets360pH264Pps)));
  EXPECT_GT(c.bitrate_bps(), 300e3);
  EXPECT_LT(c.bitrate_bps(), 500e3);
  ExpectPacketsConsistent(c);
  for (size_t i : {size_t{0}, size_t{1}, size_t{20}, size_t{794}}) {
    EXPECT_EQ(Reassemble(c, i), c.frames()[i].data) << "frame " << i;
  }
  EXPECT_EQ(c.KeyframeAtOrBefore(Time90k(45 * 9000 + 10)), 40u);
  EXPECT_EQ(c.NextKeyframe(41), 60u);
}

TEST(CamsimClipTest, LoadsH265) {
  const std::string path = testing::MediaFile(testing::kPetsH265);
  if (path.empty()) GTEST_SKIP() << "../shared/media is missing (see shared/media/README.md)";
  auto clip = LoadClip(path);
  ASSERT_TRUE(clip.ok()) << clip.status();
  const Clip& c = **clip;
  EXPECT_EQ(c.codec(), media::Codec::kH265);
  EXPECT_EQ(c.frames().size(), 795u);
  EXPECT_FALSE(c.vps().empty());
  EXPECT_EQ(c.sps(), Bytes(std::begin(media::testdata::kPetsH265Sps),
                           std::end(media::testdata::kPetsH265Sps)));
  EXPECT_TRUE(c.frames()[0].keyframe);
  EXPECT_TRUE(c.frames()[20].keyframe);
  EXPECT_FALSE(c.frames()[21].keyframe);
  ExpectPacketsConsistent(c);
  EXPECT_EQ(Reassemble(c, 0), c.frames()[0].data);
  EXPECT_EQ(Reassemble(c, 5), c.frames()[5].data);
}

TEST(CamsimClipTest, SyntheticClipKeyframeLookups) {
  auto clip = testing::SyntheticClip(50, 10);
  ASSERT_NE(clip, nullptr);
  EXPECT_EQ(clip->frames().size(), 50u);
  EXPECT_EQ(clip->duration(), Time90k(50 * 9000));
  EXPECT_EQ(clip->KeyframeAtOrBefore(Time90k(0)), 0u);
  EXPECT_EQ(clip->KeyframeAtOrBefore(Time90k(19 * 9000)), 10u);
  EXPECT_EQ(clip->KeyframeAtOrBefore(Time90k(20 * 9000)), 20u);
  // Offsets wrap around the loop.
  EXPECT_EQ(clip->KeyframeAtOrBefore(Time90k(50 * 9000 + 35 * 9000)), 30u);
  EXPECT_EQ(clip->KeyframeAtOrBefore(Time90k(-9000)), 40u);
  EXPECT_EQ(clip->NextKeyframe(0), 0u);
  EXPECT_EQ(clip->NextKeyframe(11), 20u);
  EXPECT_EQ(clip->NextKeyframe(41), 50u);  // none left: size()
  ExpectPacketsConsistent(*clip);
  // A 3000-byte IDR slice needs FU-A fragments; SPS+PPS are small.
  EXPECT_GE(clip->frames()[0].packet_count, 3u);
  EXPECT_EQ(Reassemble(*clip, 0), clip->frames()[0].data);
  EXPECT_EQ(Reassemble(*clip, 7), clip->frames()[7].data);
}

TEST(CamsimClipTest, BuildSkipsToFirstKeyframeAndAddsMissingParameterSets) {
  Clip::Input in;
  in.source = "mp4-like";
  in.codec = media::Codec::kH264;
  in.config.sps.emplace_back(std::begin(media::testdata::kPets360pH264Sps),
                             std::end(media::testdata::kPets360pH264Sps));
  in.config.pps.emplace_back(std::begin(media::testdata::kPets360pH264Pps),
                             std::end(media::testdata::kPets360pH264Pps));
  for (int i = 0; i < 6; ++i) {
    ClipFrame f;
    f.dts = f.pts = Time90k(1000 + i * 9000);
    const bool key = i == 2 || i == 4;
    if (i == 4) media::AppendLengthPrefixed(Bytes{0x09, 0xf0}, f.data);  // AUD first
    media::AppendLengthPrefixed(testing::FakeNal(key ? 0x65 : 0x41, 100, static_cast<uint8_t>(i)),
                                f.data);
    in.frames.push_back(std::move(f));
  }
  in.duration = Time90k(6 * 9000);
  const Bytes sps = in.config.sps[0];
  auto clip = Clip::Build(std::move(in));
  ASSERT_TRUE(clip.ok()) << clip.status();
  const Clip& c = **clip;
  ASSERT_EQ(c.frames().size(), 4u);  // the two frames before the first IDR are gone
  EXPECT_EQ(c.frames()[0].dts, Time90k(0));
  EXPECT_EQ(c.duration(), Time90k(4 * 9000));
  EXPECT_EQ(c.sps(), sps);
  // Keyframes now carry SPS and PPS in band, after the AUD when there is one.
  auto roles = [&](size_t i) {
    std::vector<media::NalRole> r;
    const std::vector<ByteSpan> nals = *media::SplitLengthPrefixed(c.frames()[i].data, 4);
    for (ByteSpan nal : nals) {
      r.push_back(media::ClassifyNal(media::Codec::kH264, nal));
    }
    return r;
  };
  using R = media::NalRole;
  EXPECT_EQ(roles(0), (std::vector<R>{R::kSps, R::kPps, R::kVcl}));
  EXPECT_EQ(roles(1), (std::vector<R>{R::kVcl}));
  EXPECT_EQ(roles(2), (std::vector<R>{R::kAud, R::kSps, R::kPps, R::kVcl}));
}

TEST(CamsimClipTest, BuildRejectsClipsWithoutKeyframeOrParameterSets) {
  Clip::Input no_key;
  no_key.source = "nokey";
  ClipFrame f;
  media::AppendLengthPrefixed(testing::FakeNal(0x41, 50, 1), f.data);
  no_key.frames.push_back(f);
  no_key.duration = Time90k(9000);
  auto a = Clip::Build(no_key);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("keyframe"), std::string::npos) << a.status();

  Clip::Input no_ps;
  no_ps.source = "nops";
  ClipFrame g;
  media::AppendLengthPrefixed(testing::FakeNal(0x65, 50, 1), g.data);
  no_ps.frames.push_back(g);
  no_ps.duration = Time90k(9000);
  auto b = Clip::Build(no_ps);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("SPS"), std::string::npos) << b.status();
}

TEST(CamsimClipTest, LoadsRawAnnexB) {
  auto synthetic = testing::SyntheticClip(30, 10);
  ASSERT_NE(synthetic, nullptr);
  testing::TempFile file(".h264");
  ASSERT_TRUE(testing::WriteAnnexB(*synthetic, file.path()));
  auto clip = LoadClip(file.path(), 5);
  ASSERT_TRUE(clip.ok()) << clip.status();
  ASSERT_EQ((*clip)->frames().size(), 30u);
  for (size_t i = 0; i < 30; ++i) {
    EXPECT_EQ((*clip)->frames()[i].data, synthetic->frames()[i].data) << i;
    EXPECT_EQ((*clip)->frames()[i].dts, Time90k(static_cast<int64_t>(i) * 18000)) << i;  // 5 fps
    EXPECT_EQ((*clip)->frames()[i].keyframe, i % 10 == 0) << i;
  }
  EXPECT_EQ((*clip)->duration(), Time90k(30 * 18000));
}

TEST(CamsimClipTest, LoadErrorsNameTheFile) {
  auto missing = LoadClip("/nonexistent/camsim.mp4");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/camsim.mp4"), std::string::npos);
  auto missing_raw = LoadClip("/nonexistent/camsim.h264");
  ASSERT_FALSE(missing_raw.ok());
  EXPECT_NE(missing_raw.status().message().find("/nonexistent/camsim.h264"), std::string::npos)
      << missing_raw.status();
}

}  // namespace
}  // namespace sightline::camsim
