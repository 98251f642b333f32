#include "tools/camsim/sdp_writer.h"

#include <gtest/gtest.h>

#include "media/test_param_sets.h"
#include "rtsp/base64.h"
#include "rtsp/sdp.h"
#include "tools/camsim/camsim_test_util.h"

namespace sightline::camsim {
namespace {

std::shared_ptr<const Clip> H265Clip() {
  Clip::Input in;
  in.source = "synthetic-h265";
  in.codec = media::Codec::kH265;
  for (int i = 0; i < 4; ++i) {
    ClipFrame f;
    f.dts = f.pts = media::Time90k(i * 3600);
    if (i == 0) {
      media::AppendLengthPrefixed(media::testdata::kPetsH265Vps, f.data);
      media::AppendLengthPrefixed(media::testdata::kPetsH265Sps, f.data);
      media::AppendLengthPrefixed(media::testdata::kPetsH265Pps, f.data);
    }
    // IDR_W_RADL (type 19) first, then TRAIL_R (type 1): ITU-T H.265 Table 7-1.
    Bytes slice = testing::FakeNal(i == 0 ? 19 << 1 : 1 << 1, 500, static_cast<uint8_t>(i));
    slice[1] = 0x01;
    media::AppendLengthPrefixed(slice, f.data);
    in.frames.push_back(std::move(f));
  }
  in.duration = media::Time90k(4 * 3600);
  auto clip = Clip::Build(std::move(in));
  return clip.ok() ? *clip : nullptr;
}

rtsp::Sdp ParseOrDie(const std::string& text) {
  auto sdp = rtsp::ParseSdp(text);
  EXPECT_TRUE(sdp.ok()) << sdp.status() << "\n" << text;
  return sdp.ok() ? *sdp : rtsp::Sdp{};
}

TEST(CamsimSdpTest, H264TrackWithParameterSets) {
  auto clip = testing::SyntheticClip(40, 20);
  ASSERT_NE(clip, nullptr);
  SdpParams p;
  p.camera_name = "front";
  p.server_address = "127.0.0.1";
  p.session_id = 1234;
  const std::string text = BuildSdp(*clip, p);
  EXPECT_EQ(text.rfind("v=0\r\n", 0), 0u) << text;
  EXPECT_NE(text.find("s=front\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("o=- 1234 1 IN IP4 127.0.0.1\r\n"), std::string::npos) << text;
  const rtsp::Sdp sdp = ParseOrDie(text);
  EXPECT_EQ(sdp.session_name, "front");
  ASSERT_EQ(sdp.media.size(), 1u);
  const rtsp::SdpMedia& m = sdp.media[0];
  EXPECT_EQ(m.type, "video");
  EXPECT_EQ(m.protocol, "RTP/AVP");
  EXPECT_EQ(m.payload_type, kPayloadType);
  EXPECT_EQ(m.encoding, "H264");
  EXPECT_EQ(m.clock_rate, 90000);
  EXPECT_EQ(m.control, kTrackControl);
  EXPECT_EQ(m.fmtp.at("packetization-mode"), "1");
  // profile_idc 0x4d (Main), constraint flags 0x40, level_idc 0x16 (2.2): the SPS's bytes 1-3.
  EXPECT_EQ(m.fmtp.at("profile-level-id"), "4D4016");
  const std::string& sprop = m.fmtp.at("sprop-parameter-sets");
  const size_t comma = sprop.find(',');
  ASSERT_NE(comma, std::string::npos) << sprop;
  auto sps = rtsp::Base64Decode(sprop.substr(0, comma));
  auto pps = rtsp::Base64Decode(sprop.substr(comma + 1));
  ASSERT_TRUE(sps.ok() && pps.ok()) << sprop;
  EXPECT_EQ(*sps, clip->sps());
  EXPECT_EQ(*pps, clip->pps());
}

TEST(CamsimSdpTest, H265TrackWithParameterSets) {
  auto clip = H265Clip();
  ASSERT_NE(clip, nullptr);
  SdpParams p;
  p.camera_name = "hevc";
  const rtsp::Sdp sdp = ParseOrDie(BuildSdp(*clip, p));
  ASSERT_EQ(sdp.media.size(), 1u);
  const rtsp::SdpMedia& m = sdp.media[0];
  EXPECT_EQ(m.encoding, "H265");
  EXPECT_EQ(m.clock_rate, 90000);
  for (const auto& [key, want] : {std::pair<std::string, Bytes>{"sprop-vps", clip->vps()},
                                  {"sprop-sps", clip->sps()},
                                  {"sprop-pps", clip->pps()}}) {
    ASSERT_TRUE(m.fmtp.count(key)) << key;
    auto got = rtsp::Base64Decode(m.fmtp.at(key));
    ASSERT_TRUE(got.ok()) << key;
    EXPECT_EQ(*got, want) << key;
  }
  EXPECT_FALSE(clip->vps().empty());
}

TEST(CamsimSdpTest, QuirkNoSprop) {
  auto clip = testing::SyntheticClip(20, 20);
  ASSERT_NE(clip, nullptr);
  SdpParams p;
  p.camera_name = "q";
  p.quirks.no_sprop = true;
  const rtsp::Sdp sdp = ParseOrDie(BuildSdp(*clip, p));
  ASSERT_EQ(sdp.media.size(), 1u);
  EXPECT_EQ(sdp.media[0].fmtp.count("sprop-parameter-sets"), 0u);
  EXPECT_EQ(sdp.media[0].fmtp.at("packetization-mode"), "1");
}

TEST(CamsimSdpTest, QuirkBadSprop) {
  auto clip = testing::SyntheticClip(20, 20);
  ASSERT_NE(clip, nullptr);
  SdpParams p;
  p.camera_name = "q";
  p.quirks.bad_sprop = true;
  const rtsp::Sdp sdp = ParseOrDie(BuildSdp(*clip, p));
  ASSERT_EQ(sdp.media.size(), 1u);
  const std::string& sprop = sdp.media[0].fmtp.at("sprop-parameter-sets");
  EXPECT_FALSE(rtsp::Base64Decode(sprop.substr(0, sprop.find(','))).ok()) << sprop;
}

TEST(CamsimSdpTest, QuirkNoSessionName) {
  auto clip = testing::SyntheticClip(20, 20);
  ASSERT_NE(clip, nullptr);
  SdpParams p;
  p.camera_name = "q";
  p.quirks.no_session_name = true;
  const std::string text = BuildSdp(*clip, p);
  EXPECT_EQ(text.find("\ns="), std::string::npos) << text;
  const rtsp::Sdp sdp = ParseOrDie(text);
  EXPECT_TRUE(sdp.session_name.empty());
  EXPECT_EQ(sdp.media.size(), 1u);
}

}  // namespace
}  // namespace sightline::camsim
