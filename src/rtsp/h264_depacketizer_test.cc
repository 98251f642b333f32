#include "rtsp/h264_depacketizer.h"

#include <gtest/gtest.h>

#include "rtsp/base64.h"
#include "rtsp/depacketizer_test_util.h"

// RFC 6184 specifics. Behaviour shared with H.265 is tested in depacketizer_test.cc.

namespace sightline::rtsp {
namespace {

using media::Codec;
using testing::LengthPrefixed;
using testing::MakeNal;
using testing::Packet;
using testing::PopAll;

TEST(H264DepacketizerTest, StapAWireFormat) {
  // STAP-A header (NRI 3, type 24), then 16-bit size + NAL unit (RFC 6184 section 5.7.1).
  const Bytes sps = testing::H264Sps320x240();
  const Bytes pps = testing::H264Pps();
  Bytes payload = {0x78, 0x00, static_cast<uint8_t>(sps.size())};
  AppendBytes(payload, sps);
  AppendBytes(payload, Bytes{0x00, static_cast<uint8_t>(pps.size())});
  AppendBytes(payload, pps);
  H264Depacketizer d;
  ASSERT_TRUE(d.Push(Packet(payload, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(d);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({sps, pps}));
  ASSERT_NE(aus[0].params, nullptr);
  EXPECT_EQ(aus[0].params->codec_string.substr(0, 5), "avc1.");
}

TEST(H264DepacketizerTest, FuARebuildsHeaderFromIndicatorAndFuHeader) {
  // F and NRI come from the FU indicator, the type from the FU header (section 5.8).
  const Bytes nal = {0x45, 0x11, 0x22, 0x33, 0x44};  // NRI 2, IDR
  const Bytes p1 = {0x5c, 0x85, 0x11, 0x22};          // indicator NRI 2 type 28; S, type 5
  const Bytes p2 = {0x5c, 0x45, 0x33, 0x44};          // E, type 5
  H264Depacketizer d;
  ASSERT_TRUE(d.Push(Packet(p1, 1, false)).ok());
  ASSERT_TRUE(d.Push(Packet(p2, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(d);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({nal}));
  EXPECT_TRUE(aus[0].keyframe);
}

TEST(H264DepacketizerTest, FuAWithChangedTypeDropsTheNal) {
  const Bytes start = {0x7c, 0x85, 0x11};
  const Bytes end = {0x7c, 0x41, 0x22};  // type 1, not 5
  H264Depacketizer d;
  ASSERT_TRUE(d.Push(Packet(start, 1, false)).ok());
  EXPECT_FALSE(d.Push(Packet(end, 1, true)).ok());
  EXPECT_TRUE(PopAll(d).empty());
  EXPECT_EQ(d.stats().malformed_packets, 1u);
}

TEST(H264DepacketizerTest, FuAOfPacketTypeIsMalformed) {
  const Bytes fu = {0x7c, 0xd8, 0x11};  // S+E, fragment claims type 24 (STAP-A)
  H264Depacketizer d;
  EXPECT_FALSE(d.Push(Packet(fu, 1, true)).ok());
  EXPECT_TRUE(PopAll(d).empty());
  EXPECT_EQ(d.stats().malformed_packets, 1u);
}

TEST(H264DepacketizerTest, InterleavedModePacketsAreUnsupported) {
  H264Depacketizer d;
  for (uint8_t type : {25, 26, 27, 29}) {
    const Bytes p = {static_cast<uint8_t>(0x60 | type), 0x00, 0x01, 0x02, 0x03};
    Status st = d.Push(Packet(p, 1, false));
    EXPECT_EQ(st.code(), StatusCode::kUnimplemented) << st;
  }
  EXPECT_EQ(d.stats().malformed_packets, 4u);
}

TEST(H264DepacketizerTest, UndefinedNalTypesAreMalformed) {
  H264Depacketizer d;
  for (uint8_t first : {0x00, 0x7e, 0x7f}) {  // types 0, 30, 31
    const Bytes p = {first, 0x11, 0x22};
    EXPECT_FALSE(d.Push(Packet(p, 1, false)).ok());
  }
  const Bytes idr = MakeNal(Codec::kH264, 5, 10);
  ASSERT_TRUE(d.Push(Packet(idr, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(d);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({idr}));
  EXPECT_EQ(d.stats().malformed_packets, 3u);
}

TEST(H264DepacketizerTest, PacketizationMode0SingleNalUnits) {
  H264Depacketizer d;
  const std::map<std::string, std::string> fmtp = {
      {"packetization-mode", "0"},
      {"sprop-parameter-sets",
       Base64Encode(testing::H264Sps640x360()) + "," + Base64Encode(testing::H264Pps())}};
  ASSERT_TRUE(d.SetSdpParameterSets(fmtp).ok());
  const Bytes aud = MakeNal(Codec::kH264, 9, 2);
  const Bytes idr = MakeNal(Codec::kH264, 5, 1200);
  ASSERT_TRUE(d.Push(Packet(aud, 9, false)).ok());
  ASSERT_TRUE(d.Push(Packet(idr, 9, true)).ok());
  std::vector<AccessUnit> aus = PopAll(d);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({aud, idr}));
  ASSERT_NE(aus[0].params, nullptr);
  EXPECT_EQ(aus[0].params->sps, testing::H264Sps640x360());
  EXPECT_EQ(aus[0].params->pps, testing::H264Pps());
  EXPECT_EQ(aus[0].params->height, 360);
}

TEST(H264DepacketizerTest, PacketizationMode2IsReported) {
  H264Depacketizer d;
  Status st = d.SetSdpParameterSets(
      {{"packetization-mode", "2"},
       {"sprop-parameter-sets",
        Base64Encode(testing::H264Sps320x240()) + "," + Base64Encode(testing::H264Pps())}});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("packetization-mode=2"), std::string::npos) << st;
}

TEST(H264DepacketizerTest, SpropWithoutPpsSaysSo) {
  H264Depacketizer d;
  Status st = d.SetSdpParameterSets(
      {{"sprop-parameter-sets", Base64Encode(testing::H264Sps320x240())}});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("no PPS"), std::string::npos) << st;
}

}  // namespace
}  // namespace sightline::rtsp
