#include "rtsp/h265_depacketizer.h"

#include <gtest/gtest.h>

#include "rtsp/base64.h"
#include "rtsp/depacketizer_test_util.h"

// RFC 7798 specifics. Behaviour shared with H.264 is tested in depacketizer_test.cc.

namespace sightline::rtsp {
namespace {

using media::Codec;
using testing::LengthPrefixed;
using testing::MakeNal;
using testing::Packet;
using testing::PopAll;

std::map<std::string, std::string> GoodFmtp() {
  return {{"sprop-vps", Base64Encode(testing::H265Vps320x240())},
          {"sprop-sps", Base64Encode(testing::H265Sps320x240())},
          {"sprop-pps", Base64Encode(testing::H265Pps())}};
}

TEST(H265DepacketizerTest, ApWireFormat) {
  // AP payload header (type 48, TID 1), then 16-bit size + NAL unit (RFC 7798 4.4.2).
  const Bytes vps = testing::H265Vps320x240();
  const Bytes sps = testing::H265Sps320x240();
  const Bytes pps = testing::H265Pps();
  Bytes payload = {0x60, 0x01};
  for (const Bytes* nal : {&vps, &sps, &pps}) {
    AppendBe16(payload, static_cast<uint16_t>(nal->size()));
    AppendBytes(payload, *nal);
  }
  H265Depacketizer d;
  ASSERT_TRUE(d.Push(Packet(payload, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(d);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({vps, sps, pps}));
  ASSERT_NE(aus[0].params, nullptr);
  EXPECT_EQ(aus[0].params->vps, vps);
  EXPECT_EQ(aus[0].params->width, 320);
}

TEST(H265DepacketizerTest, FuRebuildsHeaderWithLayerIdAndTid) {
  // NAL header: type 19 (IDR_W_RADL), nuh_layer_id 33, nuh_temporal_id_plus1 3. The FU
  // payload header carries F, LayerId and TID; the FU header the type (section 4.4.3).
  const uint8_t h0 = 19 << 1 | 1;   // layer id high bit
  const uint8_t h1 = 1 << 3 | 3;    // layer id low bits, tid
  const Bytes nal = {h0, h1, 0x11, 0x22, 0x33};
  const uint8_t ph0 = 49 << 1 | 1;
  const Bytes p1 = {ph0, h1, 0x80 | 19, 0x11, 0x22};
  const Bytes p2 = {ph0, h1, 0x40 | 19, 0x33};
  H265Depacketizer d;
  ASSERT_TRUE(d.Push(Packet(p1, 1, false)).ok());
  ASSERT_TRUE(d.Push(Packet(p2, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(d);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({nal}));
  EXPECT_TRUE(aus[0].keyframe);
}

TEST(H265DepacketizerTest, TrailNHeaderIsNotMistakenForStartCode) {
  // TRAIL_N in layer 0 has header 00 01: a leading zero byte that is not Annex B framing.
  const Bytes nal = {0x00, 0x01, 0xa4, 0x55, 0x01, 0x77};
  H265Depacketizer d;
  ASSERT_TRUE(d.Push(Packet(nal, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(d);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({nal}));
  EXPECT_FALSE(aus[0].keyframe);
}

TEST(H265DepacketizerTest, AllIrapTypesAreKeyframes) {
  H265Depacketizer d;
  std::vector<Bytes> nals;
  for (int type = 16; type <= 21; ++type) nals.push_back(MakeNal(Codec::kH265, type, 8));
  for (size_t i = 0; i < nals.size(); ++i) {
    ASSERT_TRUE(d.Push(Packet(nals[i], static_cast<uint32_t>(i), true)).ok());
  }
  std::vector<AccessUnit> aus = PopAll(d);
  ASSERT_EQ(aus.size(), nals.size());
  for (const AccessUnit& au : aus) EXPECT_TRUE(au.keyframe);
}

TEST(H265DepacketizerTest, PaciIsUnsupportedAndReservedTypesMalformed) {
  H265Depacketizer d;
  const Bytes paci = {50 << 1, 0x01, 0x00, 0x00};
  EXPECT_EQ(d.Push(Packet(paci, 1, false)).code(), StatusCode::kUnimplemented);
  for (int type = 51; type <= 63; ++type) {
    const Bytes p = {static_cast<uint8_t>(type << 1), 0x01, 0x11};
    EXPECT_EQ(d.Push(Packet(p, 1, false)).code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(d.stats().malformed_packets, 14u);
}

TEST(H265DepacketizerTest, PayloadShorterThanHeaderIsMalformed) {
  H265Depacketizer d;
  const Bytes one = {0x26};
  const Bytes fu_without_header = {49 << 1, 0x01};
  EXPECT_FALSE(d.Push(Packet(one, 1, false)).ok());
  EXPECT_FALSE(d.Push(Packet(fu_without_header, 1, false)).ok());
  EXPECT_EQ(d.stats().malformed_packets, 2u);
}

TEST(H265DepacketizerTest, SpropMaxDonDiffNonZeroIsUnsupported) {
  H265Depacketizer d;
  std::map<std::string, std::string> fmtp = GoodFmtp();
  fmtp["sprop-max-don-diff"] = "2";
  Status st = d.SetSdpParameterSets(fmtp);
  EXPECT_EQ(st.code(), StatusCode::kUnimplemented) << st;
  EXPECT_NE(st.message().find("sprop-max-don-diff=2"), std::string::npos) << st;
}

TEST(H265DepacketizerTest, SpropMaxDonDiffZeroIsFine) {
  H265Depacketizer d;
  std::map<std::string, std::string> fmtp = GoodFmtp();
  fmtp["sprop-max-don-diff"] = "0";
  EXPECT_TRUE(d.SetSdpParameterSets(fmtp).ok());
}

TEST(H265DepacketizerTest, SpropWithoutVpsSaysSo) {
  H265Depacketizer d;
  std::map<std::string, std::string> fmtp = GoodFmtp();
  fmtp.erase("sprop-vps");
  Status st = d.SetSdpParameterSets(fmtp);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("no VPS"), std::string::npos) << st;
}

}  // namespace
}  // namespace sightline::rtsp
