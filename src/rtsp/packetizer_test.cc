#include "rtsp/packetizer.h"

#include <gtest/gtest.h>

#include <tuple>

#include "rtsp/depacketizer.h"
#include "rtsp/depacketizer_test_util.h"

namespace sightline::rtsp {
namespace {

using media::Codec;
using testing::LengthPrefixed;
using testing::MakeNal;
using testing::Packet;
using testing::PopAll;

std::vector<RtpPayload> Packetize(Codec codec, const Bytes& au, size_t max, bool aggregate) {
  std::vector<RtpPayload> out;
  PacketizeAccessUnit(codec, au, PacketizerOptions{max, aggregate}, out);
  return out;
}

TEST(PacketizerTest, SingleNalWhenItFits) {
  const Bytes idr = MakeNal(Codec::kH264, 5, 1400);
  std::vector<RtpPayload> out = Packetize(Codec::kH264, LengthPrefixed({idr}), 1400, true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes, idr);
  EXPECT_TRUE(out[0].marker);
}

TEST(PacketizerTest, H264FuAWhenTooBig) {
  const Bytes idr = MakeNal(Codec::kH264, 5, 1000);  // header 0x65
  std::vector<RtpPayload> out = Packetize(Codec::kH264, LengthPrefixed({idr}), 400, false);
  ASSERT_EQ(out.size(), 3u);  // 999 body bytes in fragments of 398
  Bytes body;
  for (size_t i = 0; i < out.size(); ++i) {
    const Bytes& p = out[i].bytes;
    ASSERT_LE(p.size(), 400u);
    EXPECT_EQ(p[0], 0x60 | 28);  // F and NRI of the NAL unit, type FU-A
    EXPECT_EQ(p[1], (i == 0 ? 0x80 : 0) | (i == 2 ? 0x40 : 0) | 5);
    EXPECT_EQ(out[i].marker, i == 2);
    body.insert(body.end(), p.begin() + 2, p.end());
  }
  EXPECT_EQ(body, Bytes(idr.begin() + 1, idr.end()));
}

TEST(PacketizerTest, H265FuWhenTooBig) {
  Bytes idr = MakeNal(Codec::kH265, 19, 700);
  idr[1] = 0x0a;  // layer id 1, tid 2: copied into the payload header
  std::vector<RtpPayload> out = Packetize(Codec::kH265, LengthPrefixed({idr}), 300, true);
  ASSERT_EQ(out.size(), 3u);  // 698 body bytes in fragments of 297
  for (size_t i = 0; i < out.size(); ++i) {
    const Bytes& p = out[i].bytes;
    ASSERT_LE(p.size(), 300u);
    EXPECT_EQ(p[0], 49 << 1);
    EXPECT_EQ(p[1], 0x0a);
    EXPECT_EQ(p[2], (i == 0 ? 0x80 : 0) | (i == 2 ? 0x40 : 0) | 19);
  }
}

TEST(PacketizerTest, StapAForRunOfSmallNals) {
  const Bytes sps = testing::H264Sps320x240();
  Bytes sei = MakeNal(Codec::kH264, 6, 30);
  sei[0] = 0x06;  // NRI 0
  const Bytes pps = testing::H264Pps();  // NRI 3
  const Bytes idr = MakeNal(Codec::kH264, 5, 2000);
  std::vector<RtpPayload> out =
      Packetize(Codec::kH264, LengthPrefixed({sps, pps, sei, idr}), 1400, true);
  ASSERT_EQ(out.size(), 3u);  // STAP-A, two FU-A
  const Bytes& stap = out[0].bytes;
  EXPECT_EQ(stap[0], 0x60 | 24);  // NRI is the maximum of the aggregated units'
  EXPECT_EQ(stap.size(), 1 + 3 * 2 + sei.size() + sps.size() + pps.size());
  EXPECT_EQ(LoadBe16(&stap[1]), sps.size());
  EXPECT_FALSE(out[0].marker);
  EXPECT_TRUE(out[2].marker);

  out = Packetize(Codec::kH264, LengthPrefixed({sps, pps, sei, idr}), 1400, false);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].bytes, sps);
}

TEST(PacketizerTest, ApHeaderTakesLowestLayerIdAndTid) {
  Bytes a = MakeNal(Codec::kH265, 39, 10);
  Bytes b = MakeNal(Codec::kH265, 39, 10);
  a[1] = 2 << 3 | 3;  // layer 2, tid 3
  b[1] = 5 << 3 | 2;  // layer 5, tid 2
  std::vector<RtpPayload> out = Packetize(Codec::kH265, LengthPrefixed({a, b}), 1400, true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes[0], 48 << 1);
  EXPECT_EQ(out[0].bytes[1], 2 << 3 | 2);
}

TEST(PacketizerTest, MalformedLengthEndsPacketization) {
  const Bytes a = MakeNal(Codec::kH264, 1, 20);
  Bytes au = LengthPrefixed({a});
  AppendBe32(au, 1000);  // overruns
  AppendBytes(au, a);
  std::vector<RtpPayload> out = Packetize(Codec::kH264, au, 1400, true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes, a);
  EXPECT_TRUE(out[0].marker);
  out.clear();
  PacketizeAccessUnit(Codec::kH264, {}, PacketizerOptions{}, out);
  EXPECT_TRUE(out.empty());
}

// Round trips: packetize then depacketize gives the same bytes.
class RoundTripTest : public ::testing::TestWithParam<std::tuple<Codec, bool, size_t>> {};

TEST_P(RoundTripTest, MultiNalUnitsWithBigAndSmallNals) {
  const auto [codec, aggregate, max] = GetParam();
  const testing::NalTypes t = testing::TypesFor(codec);
  const size_t h = testing::HeaderBytes(codec);
  std::vector<std::vector<Bytes>> units;
  if (codec == Codec::kH264) {
    units.push_back({testing::H264Sps320x240(), testing::H264Pps()});
  } else {
    units.push_back(
        {testing::H265Vps320x240(), testing::H265Sps320x240(), testing::H265Pps()});
  }
  units[0].push_back(MakeNal(codec, t.sei, 40, 1));
  units[0].push_back(MakeNal(codec, t.idr, 5000, 2));
  units[0].push_back(MakeNal(codec, t.idr, 90, 3));
  units[0].push_back(MakeNal(codec, t.idr, 3000, 4));
  units.push_back({MakeNal(codec, t.aud, h + 1, 5), MakeNal(codec, t.slice, 1, 6),
                   MakeNal(codec, t.slice, 700, 7)});
  units.push_back({MakeNal(codec, t.slice, h, 8), MakeNal(codec, t.slice, h + 1, 9),
                   MakeNal(codec, t.slice, 20000, 10), MakeNal(codec, t.slice, 3, 11)});
  // The second unit's 1-byte NAL is shorter than an H.265 header: the packetizer skips it.
  if (codec == Codec::kH265) units[1].erase(units[1].begin() + 1);

  std::unique_ptr<Depacketizer> d = Depacketizer::Create(codec);
  size_t packets = 0;
  for (size_t i = 0; i < units.size(); ++i) {
    const Bytes au = LengthPrefixed(units[i]);
    std::vector<RtpPayload> payloads = Packetize(codec, au, max, aggregate);
    ASSERT_FALSE(payloads.empty());
    for (const RtpPayload& p : payloads) {
      EXPECT_LE(p.bytes.size(), std::max(max, h + 2)) << "payload over the limit";
      ASSERT_TRUE(d->Push(Packet(p.bytes, static_cast<uint32_t>(i * 3000), p.marker)).ok());
    }
    packets += payloads.size();
    std::vector<AccessUnit> aus = PopAll(*d);
    ASSERT_EQ(aus.size(), 1u) << "unit " << i;
    EXPECT_EQ(aus[0].data, au) << "unit " << i;
    EXPECT_EQ(aus[0].keyframe, i == 0);
  }
  EXPECT_EQ(d->stats().malformed_packets, 0u);
  EXPECT_EQ(d->stats().units_out, units.size());
  EXPECT_EQ(d->stats().marker_unreliable, 0u);
  EXPECT_GE(packets, units.size());
}

INSTANTIATE_TEST_SUITE_P(
    All, RoundTripTest,
    ::testing::Combine(::testing::Values(Codec::kH264, Codec::kH265), ::testing::Bool(),
                       ::testing::Values(size_t{4}, size_t{64}, size_t{500}, size_t{1400},
                                         size_t{65535})),
    [](const ::testing::TestParamInfo<RoundTripTest::ParamType>& info) {
      return std::string(media::CodecName(std::get<0>(info.param))) +
             (std::get<1>(info.param) ? "_aggregate_" : "_single_") +
             std::to_string(std::get<2>(info.param));
    });

}  // namespace
}  // namespace sightline::rtsp
