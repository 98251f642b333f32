#include "rtsp/depacketizer.h"

#include <gtest/gtest.h>

#include "media/nal.h"
#include "rtsp/base64.h"
#include "rtsp/depacketizer_test_util.h"
#include "rtsp/nal_depacketizer.h"

// Behaviour shared by both codecs (access-unit boundaries, loss, parameter sets, bounds and
// the camera quirks handled in NalDepacketizer), run once per codec. Codec-specific payload
// formats are in h264_depacketizer_test.cc and h265_depacketizer_test.cc.

namespace sightline::rtsp {
namespace {

using media::Codec;
using testing::AggregatePayload;
using testing::Concat;
using testing::FuPayload;
using testing::LengthPrefixed;
using testing::MakeNal;
using testing::Packet;
using testing::PopAll;

class DepacketizerTest : public ::testing::TestWithParam<Codec> {
 protected:
  Codec codec() const { return GetParam(); }
  Bytes Idr(size_t size = 40, uint8_t seed = 1) {
    return MakeNal(codec(), testing::TypesFor(codec()).idr, size, seed);
  }
  Bytes Slice(size_t size = 40, uint8_t seed = 2) {
    return MakeNal(codec(), testing::TypesFor(codec()).slice, size, seed);
  }
  Bytes Sei(size_t size = 10) { return MakeNal(codec(), testing::TypesFor(codec()).sei, size); }

  // The fmtp a camera would announce for the given parameter sets.
  std::map<std::string, std::string> Fmtp(bool large) {
    if (codec() == Codec::kH264) {
      return {{"packetization-mode", "1"},
              {"sprop-parameter-sets",
               Base64(large ? testing::H264Sps640x360() : testing::H264Sps320x240()) + "," +
                   Base64(testing::H264Pps())}};
    }
    return {{"sprop-vps", Base64(large ? testing::H265Vps640x360() : testing::H265Vps320x240())},
            {"sprop-sps", Base64(large ? testing::H265Sps640x360() : testing::H265Sps320x240())},
            {"sprop-pps", Base64(testing::H265Pps())}};
  }
  // In-band parameter sets, in decoding order.
  std::vector<Bytes> Sets(bool large) {
    if (codec() == Codec::kH264) {
      return {large ? testing::H264Sps640x360() : testing::H264Sps320x240(), testing::H264Pps()};
    }
    return {large ? testing::H265Vps640x360() : testing::H265Vps320x240(),
            large ? testing::H265Sps640x360() : testing::H265Sps320x240(), testing::H265Pps()};
  }
  static std::string Base64(const Bytes& b) { return Base64Encode(b); }

  std::unique_ptr<Depacketizer> d_ = Depacketizer::Create(GetParam());
};

TEST_P(DepacketizerTest, CreateMakesADepacketizerForTheCodec) {
  // The other codec's single NAL unit packet would be misread; this one's must round-trip.
  const Bytes idr = Idr();
  ASSERT_TRUE(d_->Push(Packet(idr, 1000, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({idr}));
  EXPECT_EQ(aus[0].rtp_timestamp, 1000u);
  EXPECT_TRUE(aus[0].keyframe);
  EXPECT_FALSE(aus[0].after_loss);
  EXPECT_EQ(d_->stats().units_out, 1u);
}

TEST_P(DepacketizerTest, UnitHoldsEveryNalInOrderLengthPrefixed) {
  const std::vector<Bytes> sets = Sets(false);
  std::vector<Bytes> nals = sets;
  nals.push_back(Sei());
  nals.push_back(Idr(30, 1));
  nals.push_back(Idr(50, 2));
  for (size_t i = 0; i < nals.size(); ++i) {
    ASSERT_TRUE(d_->Push(Packet(nals[i], 7, i + 1 == nals.size())).ok());
  }
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed(nals));
  Result<std::vector<ByteSpan>> split = media::SplitLengthPrefixed(aus[0].data);
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->size(), nals.size());
}

TEST_P(DepacketizerTest, TimestampChangeEndsUnit) {
  const Bytes a = Idr();
  const Bytes b = Slice();
  ASSERT_TRUE(d_->Push(Packet(a, 100, false)).ok());
  EXPECT_FALSE(d_->Pop().has_value());
  ASSERT_TRUE(d_->Push(Packet(b, 200, false)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].rtp_timestamp, 100u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({a}));
  d_->Flush();
  aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].rtp_timestamp, 200u);
  EXPECT_FALSE(aus[0].keyframe);
}

TEST_P(DepacketizerTest, MarkerEndsUnitWithoutWaitingForNextTimestamp) {
  const Bytes a = Idr(20, 1);
  const Bytes b = Idr(20, 2);
  ASSERT_TRUE(d_->Push(Packet(a, 100, false)).ok());
  EXPECT_FALSE(d_->Pop().has_value());
  ASSERT_TRUE(d_->Push(Packet(b, 100, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({a, b}));
  EXPECT_EQ(d_->stats().marker_unreliable, 0u);
}

TEST_P(DepacketizerTest, QuirkMarkerNeverSet) {
  // Units still come out, one packet late: when the next timestamp starts.
  std::vector<Bytes> pictures;
  for (int i = 0; i < 5; ++i) pictures.push_back(i == 0 ? Idr() : Slice(30, i));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(d_->Push(Packet(pictures[i], 3000 * i, false)).ok());
    std::vector<AccessUnit> aus = PopAll(*d_);
    if (i == 0) {
      EXPECT_TRUE(aus.empty());
    } else {
      ASSERT_EQ(aus.size(), 1u);
      EXPECT_EQ(aus[0].rtp_timestamp, 3000u * (i - 1));
      EXPECT_EQ(aus[0].data, LengthPrefixed({pictures[i - 1]}));
    }
  }
  d_->Flush();
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({pictures[4]}));
  EXPECT_EQ(d_->stats().units_out, 5u);
  EXPECT_EQ(d_->stats().units_dropped, 0u);
}

TEST_P(DepacketizerTest, QuirkMarkerSetOnEveryPacketOfMultiSlicePicture) {
  // Each picture has three slices in three packets, all with the marker set. The first
  // picture is cut short before detection; after it, every unit is whole.
  auto push_picture = [&](uint32_t ts, bool key, uint8_t seed) {
    std::vector<Bytes> slices;
    for (int s = 0; s < 3; ++s) {
      slices.push_back(key ? Idr(25, seed + s) : Slice(25, seed + s));
      EXPECT_TRUE(d_->Push(Packet(slices.back(), ts, true)).ok());
    }
    return slices;
  };
  push_picture(0, true, 10);
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);  // the first slice, delivered before detection
  EXPECT_EQ(d_->stats().marker_unreliable, 1u);

  push_picture(3000, false, 20);  // depends on the cut picture: dropped
  std::vector<Bytes> key = push_picture(6000, true, 30);
  std::vector<Bytes> delta = push_picture(9000, false, 40);
  d_->Flush();
  aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 2u);
  EXPECT_EQ(aus[0].data, LengthPrefixed(key));
  EXPECT_TRUE(aus[0].keyframe);
  EXPECT_TRUE(aus[0].after_loss);
  EXPECT_EQ(aus[1].data, LengthPrefixed(delta));
  EXPECT_FALSE(aus[1].after_loss);
  EXPECT_EQ(d_->stats().marker_unreliable, 1u);
}

TEST_P(DepacketizerTest, KeyframeOnlyWhenUnitHasIdrOrIrap) {
  const Bytes sei = Sei();
  const Bytes slice = Slice();
  const Bytes idr = Idr();
  ASSERT_TRUE(d_->Push(Packet(sei, 1, false)).ok());
  ASSERT_TRUE(d_->Push(Packet(slice, 1, true)).ok());
  ASSERT_TRUE(d_->Push(Packet(sei, 2, false)).ok());
  ASSERT_TRUE(d_->Push(Packet(idr, 2, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 2u);
  EXPECT_FALSE(aus[0].keyframe);
  EXPECT_TRUE(aus[1].keyframe);
}

TEST_P(DepacketizerTest, LossDropsPartialUnitAndUnitsUntilKeyframe) {
  const Bytes idr = Idr();
  const Bytes slice = Slice();
  ASSERT_TRUE(d_->Push(Packet(idr, 0, true)).ok());
  ASSERT_TRUE(d_->Push(Packet(slice, 3000, false)).ok());  // partial unit
  d_->OnLoss();
  ASSERT_TRUE(d_->Push(Packet(slice, 6000, true)).ok());   // references lost data
  ASSERT_TRUE(d_->Push(Packet(slice, 9000, true)).ok());
  ASSERT_TRUE(d_->Push(Packet(idr, 12000, true)).ok());
  ASSERT_TRUE(d_->Push(Packet(slice, 15000, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 3u);
  EXPECT_EQ(aus[0].rtp_timestamp, 0u);
  EXPECT_FALSE(aus[0].after_loss);
  EXPECT_EQ(aus[1].rtp_timestamp, 12000u);
  EXPECT_TRUE(aus[1].keyframe);
  EXPECT_TRUE(aus[1].after_loss);
  EXPECT_EQ(aus[2].rtp_timestamp, 15000u);
  EXPECT_FALSE(aus[2].after_loss);
  EXPECT_EQ(d_->stats().units_dropped, 3u);  // the partial one and two delta units
}

TEST_P(DepacketizerTest, LossDiscardsRestOfThePicture) {
  // Packets 1 and 3 of a three-slice keyframe arrive; 2 is lost. The tail must not come out
  // as a keyframe of its own.
  const Bytes s1 = Idr(30, 1);
  const Bytes s3 = Idr(30, 3);
  const Bytes next = Idr(30, 4);
  ASSERT_TRUE(d_->Push(Packet(s1, 0, false)).ok());
  d_->OnLoss();
  ASSERT_TRUE(d_->Push(Packet(s3, 0, true)).ok());
  EXPECT_TRUE(PopAll(*d_).empty());
  ASSERT_TRUE(d_->Push(Packet(next, 3000, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({next}));
  EXPECT_TRUE(aus[0].after_loss);
}

TEST_P(DepacketizerTest, LossDuringFragmentDropsIt) {
  const Bytes idr = Idr(100);
  const size_t h = testing::HeaderBytes(codec());
  const Bytes first = FuPayload(codec(), idr, true, false, ByteSpan(idr).subspan(h, 40));
  const Bytes last = FuPayload(codec(), idr, false, true, ByteSpan(idr).subspan(h + 40));
  ASSERT_TRUE(d_->Push(Packet(first, 0, false)).ok());
  d_->OnLoss();
  // The same timestamp after a loss is discarded as part of the broken picture.
  EXPECT_TRUE(d_->Push(Packet(last, 0, true)).ok());
  const Bytes idr2 = Idr(20, 9);
  ASSERT_TRUE(d_->Push(Packet(idr2, 3000, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({idr2}));
  EXPECT_EQ(d_->stats().malformed_packets, 0u);
}

TEST_P(DepacketizerTest, FragmentedNalIsReassembled) {
  const Bytes idr = Idr(1000);
  const size_t h = testing::HeaderBytes(codec());
  ByteSpan body = ByteSpan(idr).subspan(h);
  const Bytes p1 = FuPayload(codec(), idr, true, false, body.subspan(0, 300));
  const Bytes p2 = FuPayload(codec(), idr, false, false, body.subspan(300, 300));
  const Bytes p3 = FuPayload(codec(), idr, false, true, body.subspan(600));
  ASSERT_TRUE(d_->Push(Packet(p1, 5, false)).ok());
  ASSERT_TRUE(d_->Push(Packet(p2, 5, false)).ok());
  ASSERT_TRUE(d_->Push(Packet(p3, 5, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({idr}));
  EXPECT_TRUE(aus[0].keyframe);
}

TEST_P(DepacketizerTest, FragmentWithoutStartIsDroppedAndCounted) {
  const Bytes idr = Idr(100);
  const Bytes slice = Slice(20);
  const size_t h = testing::HeaderBytes(codec());
  const Bytes middle = FuPayload(codec(), idr, false, false, ByteSpan(idr).subspan(h, 30));
  const Bytes end = FuPayload(codec(), idr, false, true, ByteSpan(idr).subspan(h + 30));
  ASSERT_TRUE(d_->Push(Packet(slice, 1, false)).ok());
  EXPECT_FALSE(d_->Push(Packet(middle, 1, false)).ok());
  EXPECT_FALSE(d_->Push(Packet(end, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({slice}));
  EXPECT_EQ(d_->stats().malformed_packets, 2u);
}

TEST_P(DepacketizerTest, FragmentWithoutEndIsDroppedAtUnitEnd) {
  const Bytes idr = Idr(100);
  const Bytes slice = Slice(20);
  const size_t h = testing::HeaderBytes(codec());
  const Bytes start = FuPayload(codec(), idr, true, false, ByteSpan(idr).subspan(h, 30));
  ASSERT_TRUE(d_->Push(Packet(slice, 1, false)).ok());
  ASSERT_TRUE(d_->Push(Packet(start, 1, false)).ok());
  EXPECT_FALSE(d_->Push(Packet(slice, 2, true)).ok());  // ends unit 1 with the FU open
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 2u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({slice}));
  EXPECT_EQ(aus[1].data, LengthPrefixed({slice}));
  EXPECT_EQ(d_->stats().malformed_packets, 1u);
}

TEST_P(DepacketizerTest, StartFragmentWhileOneIsOpenDropsTheOpenOne) {
  const Bytes a = Idr(100, 1);
  const Bytes b = Idr(60, 2);
  const size_t h = testing::HeaderBytes(codec());
  const Bytes a_start = FuPayload(codec(), a, true, false, ByteSpan(a).subspan(h, 30));
  const Bytes b_start = FuPayload(codec(), b, true, false, ByteSpan(b).subspan(h, 30));
  const Bytes b_end = FuPayload(codec(), b, false, true, ByteSpan(b).subspan(h + 30));
  ASSERT_TRUE(d_->Push(Packet(a_start, 1, false)).ok());
  EXPECT_FALSE(d_->Push(Packet(b_start, 1, false)).ok());
  ASSERT_TRUE(d_->Push(Packet(b_end, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({b}));
  EXPECT_EQ(d_->stats().malformed_packets, 1u);
}

TEST_P(DepacketizerTest, QuirkSingleFragmentFu) {
  // Start and end bits both set: forbidden by the RFCs, sent by some cameras.
  const Bytes idr = Idr(50);
  const Bytes p = FuPayload(codec(), idr, true, true,
                            ByteSpan(idr).subspan(testing::HeaderBytes(codec())));
  ASSERT_TRUE(d_->Push(Packet(p, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({idr}));
  EXPECT_EQ(d_->stats().malformed_packets, 0u);
}

TEST_P(DepacketizerTest, EmptyFragmentIsMalformedButHarmless) {
  // A middle fragment with no data and a payload cut inside the FU headers are counted
  // but do not disturb the NAL unit being reassembled.
  const Bytes idr = Idr(80);
  const size_t h = testing::HeaderBytes(codec());
  ByteSpan body = ByteSpan(idr).subspan(h);
  const Bytes start = FuPayload(codec(), idr, true, false, body.subspan(0, 40));
  const Bytes empty = FuPayload(codec(), idr, false, false, {});
  const Bytes headers_only(empty.begin(), empty.end() - 1);  // no FU header
  const Bytes end = FuPayload(codec(), idr, false, true, body.subspan(40));
  ASSERT_TRUE(d_->Push(Packet(start, 1, false)).ok());
  EXPECT_FALSE(d_->Push(Packet(empty, 1, false)).ok());
  EXPECT_FALSE(d_->Push(Packet(headers_only, 1, false)).ok());
  ASSERT_TRUE(d_->Push(Packet(end, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({idr}));
  EXPECT_EQ(d_->stats().malformed_packets, 2u);
}

TEST_P(DepacketizerTest, EmptyPayloadIsMalformed) {
  const Bytes empty;
  const Bytes idr = Idr();
  EXPECT_FALSE(d_->Push(Packet(empty, 1, false)).ok());
  ASSERT_TRUE(d_->Push(Packet(idr, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({idr}));
  EXPECT_EQ(d_->stats().malformed_packets, 1u);
}

TEST_P(DepacketizerTest, AggregateSplitsIntoNals) {
  const std::vector<Bytes> sets = Sets(false);
  std::vector<Bytes> nals = sets;
  nals.push_back(Sei());
  const Bytes agg = AggregatePayload(codec(), nals);
  const Bytes idr = Idr(500);
  ASSERT_TRUE(d_->Push(Packet(agg, 1, false)).ok());
  ASSERT_TRUE(d_->Push(Packet(idr, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  nals.push_back(idr);
  EXPECT_EQ(aus[0].data, LengthPrefixed(nals));
  EXPECT_NE(aus[0].params, nullptr);
}

TEST_P(DepacketizerTest, TruncatedAggregateKeepsLeadingUnits) {
  // Decision (docs/design/rtsp.md): units whose size fits are kept; from the first size that
  // overruns the packet the rest is dropped and the packet counted malformed.
  const Bytes a = Sei(12);
  const Bytes b = Idr(30);
  Bytes agg = AggregatePayload(codec(), {a, b});
  agg.resize(agg.size() - 5);  // cuts b
  ASSERT_FALSE(d_->Push(Packet(agg, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({a}));
  EXPECT_FALSE(aus[0].keyframe);
  EXPECT_EQ(d_->stats().malformed_packets, 1u);
}

TEST_P(DepacketizerTest, AggregateWithStrayByteOrZeroSizeIsMalformed) {
  const Bytes a = Sei(12);
  Bytes stray = AggregatePayload(codec(), {a});
  stray.push_back(0x00);
  Bytes zero = AggregatePayload(codec(), {a});
  AppendBe16(zero, 0);
  const Bytes empty = AggregatePayload(codec(), {});
  EXPECT_FALSE(d_->Push(Packet(stray, 1, false)).ok());
  EXPECT_FALSE(d_->Push(Packet(zero, 1, false)).ok());
  EXPECT_FALSE(d_->Push(Packet(empty, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({a, a}));
  EXPECT_EQ(d_->stats().malformed_packets, 3u);
}

TEST_P(DepacketizerTest, QuirkStartCodeInSingleNalPacket) {
  const Bytes idr = Idr(60);
  const Bytes four = Concat({{0, 0, 0, 1}, idr});
  const Bytes three = Concat({{0, 0, 1}, idr});
  ASSERT_TRUE(d_->Push(Packet(four, 1, true)).ok());
  ASSERT_TRUE(d_->Push(Packet(three, 2, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 2u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({idr}));
  EXPECT_EQ(aus[1].data, LengthPrefixed({idr}));
  EXPECT_TRUE(aus[0].keyframe);
  EXPECT_EQ(d_->stats().malformed_packets, 0u);
}

TEST_P(DepacketizerTest, QuirkSeveralStartCodeNalsInOnePacket) {
  std::vector<Bytes> nals = Sets(false);
  nals.push_back(Idr(80));
  Bytes payload;
  for (const Bytes& nal : nals) payload = Concat({payload, {0, 0, 0, 1}, nal});
  payload = Concat({payload, {0, 0}});  // trailing_zero_8bits
  ASSERT_TRUE(d_->Push(Packet(payload, 1, true)).ok());
  // Also the form without a leading start code: NAL, start code, NAL.
  const Bytes mixed = Concat({nals.back(), {0, 0, 1}, nals.back()});
  ASSERT_TRUE(d_->Push(Packet(mixed, 2, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 2u);
  EXPECT_EQ(aus[0].data, LengthPrefixed(nals));
  EXPECT_NE(aus[0].params, nullptr);
  EXPECT_EQ(aus[1].data, LengthPrefixed({nals.back(), nals.back()}));
}

TEST_P(DepacketizerTest, ParamsFromSdp) {
  ASSERT_TRUE(d_->SetSdpParameterSets(Fmtp(false)).ok());
  const Bytes idr = Idr();
  ASSERT_TRUE(d_->Push(Packet(idr, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  ASSERT_NE(aus[0].params, nullptr);
  EXPECT_EQ(aus[0].params->width, 320);
  EXPECT_EQ(aus[0].params->height, 240);
  EXPECT_EQ(aus[0].params->codec, codec());
  EXPECT_EQ(d_->stats().params_changes, 0u);
}

TEST_P(DepacketizerTest, InBandParamsWinOverSdp) {
  ASSERT_TRUE(d_->SetSdpParameterSets(Fmtp(false)).ok());
  std::vector<Bytes> nals = Sets(true);
  nals.push_back(Idr());
  const Bytes agg = AggregatePayload(codec(), nals);
  ASSERT_TRUE(d_->Push(Packet(agg, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  ASSERT_NE(aus[0].params, nullptr);
  EXPECT_EQ(aus[0].params->width, 640);
  EXPECT_EQ(aus[0].params->height, 360);
  EXPECT_EQ(aus[0].params->sps, Sets(true)[codec() == Codec::kH264 ? 0 : 1]);
}

TEST_P(DepacketizerTest, RepeatedParamsKeepTheSameObject) {
  ASSERT_TRUE(d_->SetSdpParameterSets(Fmtp(false)).ok());
  std::vector<std::shared_ptr<const media::StreamParams>> seen;
  for (uint32_t i = 0; i < 3; ++i) {
    std::vector<Bytes> nals = Sets(false);
    nals.push_back(Idr());
    const Bytes agg = AggregatePayload(codec(), nals);
    ASSERT_TRUE(d_->Push(Packet(agg, i, true)).ok());
    std::vector<AccessUnit> aus = PopAll(*d_);
    ASSERT_EQ(aus.size(), 1u);
    seen.push_back(aus[0].params);
  }
  ASSERT_NE(seen[0], nullptr);
  EXPECT_EQ(seen[0].get(), seen[1].get());
  EXPECT_EQ(seen[1].get(), seen[2].get());
  EXPECT_EQ(d_->stats().params_changes, 0u);
}

TEST_P(DepacketizerTest, QuirkChangedSpsMidStreamNewResolution) {
  auto push_key = [&](uint32_t ts, bool large) {
    std::vector<Bytes> nals = Sets(large);
    nals.push_back(Idr());
    const Bytes agg = AggregatePayload(codec(), nals);
    EXPECT_TRUE(d_->Push(Packet(agg, ts, true)).ok());
    std::vector<AccessUnit> aus = PopAll(*d_);
    EXPECT_EQ(aus.size(), 1u);
    return aus.empty() ? nullptr : aus[0].params;
  };
  auto small = push_key(0, false);
  const Bytes slice = Slice();
  ASSERT_TRUE(d_->Push(Packet(slice, 3000, true)).ok());
  std::vector<AccessUnit> delta = PopAll(*d_);
  auto large = push_key(6000, true);
  ASSERT_NE(small, nullptr);
  ASSERT_NE(large, nullptr);
  ASSERT_EQ(delta.size(), 1u);
  EXPECT_EQ(delta[0].params.get(), small.get());
  EXPECT_EQ(small->width, 320);
  EXPECT_EQ(large->width, 640);
  EXPECT_EQ(large->height, 360);
  EXPECT_NE(small.get(), large.get());
  EXPECT_EQ(d_->stats().params_changes, 1u);
}

TEST_P(DepacketizerTest, QuirkMissingSprop) {
  Status st = d_->SetSdpParameterSets({{"packetization-mode", "1"}});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("sprop"), std::string::npos) << st;
  std::vector<Bytes> nals = Sets(false);
  nals.push_back(Idr());
  const Bytes agg = AggregatePayload(codec(), nals);
  ASSERT_TRUE(d_->Push(Packet(agg, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  ASSERT_NE(aus[0].params, nullptr);
  EXPECT_EQ(aus[0].params->width, 320);
}

TEST_P(DepacketizerTest, QuirkGarbageSpropBase64) {
  std::map<std::string, std::string> fmtp = Fmtp(false);
  for (auto& [key, value] : fmtp) {
    if (key.starts_with("sprop-")) value = "!!not*base64";
  }
  Status st = d_->SetSdpParameterSets(fmtp);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("entry 1"), std::string::npos) << st;
  std::vector<Bytes> nals = Sets(true);
  nals.push_back(Idr());
  const Bytes agg = AggregatePayload(codec(), nals);
  ASSERT_TRUE(d_->Push(Packet(agg, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  ASSERT_NE(aus[0].params, nullptr);
  EXPECT_EQ(aus[0].params->width, 640);
}

TEST_P(DepacketizerTest, QuirkSpropSpsFailsToParse) {
  // A syntactically valid NAL unit of the SPS type whose body is garbage.
  const Bytes bad_sps =
      MakeNal(codec(), codec() == Codec::kH264 ? 7 : 33, testing::HeaderBytes(codec()) + 1);
  std::map<std::string, std::string> fmtp = Fmtp(false);
  if (codec() == Codec::kH264) {
    fmtp["sprop-parameter-sets"] = Base64(bad_sps) + "," + Base64(testing::H264Pps());
  } else {
    fmtp["sprop-sps"] = Base64(bad_sps);
  }
  Status st = d_->SetSdpParameterSets(fmtp);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("waiting for in-band"), std::string::npos) << st;
  const Bytes idr = Idr();
  ASSERT_TRUE(d_->Push(Packet(idr, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].params, nullptr);
  std::vector<Bytes> nals = Sets(false);
  nals.push_back(Idr());
  const Bytes agg = AggregatePayload(codec(), nals);
  ASSERT_TRUE(d_->Push(Packet(agg, 2, true)).ok());
  aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  ASSERT_NE(aus[0].params, nullptr);
  EXPECT_EQ(aus[0].params->height, 240);
  EXPECT_EQ(d_->stats().params_changes, 0u);
}

TEST_P(DepacketizerTest, QuirkSpropTrailingCommaAndSwappedKeys) {
  std::map<std::string, std::string> fmtp;
  if (codec() == Codec::kH264) {
    fmtp["sprop-parameter-sets"] =
        Base64(testing::H264Pps()) + ", " + Base64(testing::H264Sps320x240()) + ",";
  } else {
    fmtp["sprop-vps"] = Base64(testing::H265Sps320x240());
    fmtp["sprop-sps"] = Base64(testing::H265Vps320x240());
    fmtp["sprop-pps"] = Base64(testing::H265Pps()) + ",";
  }
  EXPECT_TRUE(d_->SetSdpParameterSets(fmtp).ok());
  const Bytes idr = Idr();
  ASSERT_TRUE(d_->Push(Packet(idr, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  ASSERT_NE(aus[0].params, nullptr);
  EXPECT_EQ(aus[0].params->width, 320);
}

TEST_P(DepacketizerTest, InBandSpsThatFailsToParseKeepsPreviousParams) {
  ASSERT_TRUE(d_->SetSdpParameterSets(Fmtp(false)).ok());
  std::vector<Bytes> nals = Sets(false);
  nals[codec() == Codec::kH264 ? 0 : 1] = MakeNal(codec(), codec() == Codec::kH264 ? 7 : 33,
                                                   testing::HeaderBytes(codec()) + 1);
  nals.push_back(Idr());
  const Bytes agg = AggregatePayload(codec(), nals);
  Status st = d_->Push(Packet(agg, 1, true));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("in-band parameter sets"), std::string::npos) << st;
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed(nals));  // delivered as received
  ASSERT_NE(aus[0].params, nullptr);
  EXPECT_EQ(aus[0].params->width, 320);
}

TEST_P(DepacketizerTest, OversizedUnitIsDroppedAndCounted) {
  const size_t h = testing::HeaderBytes(codec());
  const Bytes idr = Idr(64 * 1024);
  ByteSpan body = ByteSpan(idr).subspan(h);
  const Bytes start = FuPayload(codec(), idr, true, false, body);
  const Bytes middle = FuPayload(codec(), idr, false, false, body);
  bool overflowed = false;
  ASSERT_TRUE(d_->Push(Packet(start, 1, false)).ok());
  for (size_t total = body.size(); total <= kMaxAccessUnitBytes + body.size();
       total += body.size()) {
    Status st = d_->Push(Packet(middle, 1, false));
    if (!st.ok()) {
      EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st;
      EXPECT_FALSE(overflowed);
      overflowed = true;
    }
  }
  EXPECT_TRUE(overflowed);
  const Bytes slice = Slice();
  const Bytes next = Idr(20, 5);
  ASSERT_TRUE(d_->Push(Packet(slice, 2, true)).ok());  // depends on the dropped unit
  ASSERT_TRUE(d_->Push(Packet(next, 3, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({next}));
  EXPECT_TRUE(aus[0].after_loss);
  EXPECT_EQ(d_->stats().units_dropped, 2u);
  EXPECT_EQ(d_->stats().malformed_packets, 1u);
}

TEST_P(DepacketizerTest, ReadyQueueIsBounded) {
  const Bytes idr = Idr();
  for (uint32_t i = 0; i < kMaxReadyUnits + 10; ++i) {
    ASSERT_TRUE(d_->Push(Packet(idr, i, true)).ok());
  }
  EXPECT_EQ(PopAll(*d_).size(), kMaxReadyUnits);
  EXPECT_EQ(d_->stats().units_dropped, 10u);
  ASSERT_TRUE(d_->Push(Packet(idr, 1000, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_TRUE(aus[0].after_loss);
}

TEST_P(DepacketizerTest, PacketTypeNotAllowedInsideAggregateIsSkipped) {
  // An aggregation unit holding an FU/aggregation packet type: that unit is skipped, the
  // others kept.
  const Bytes sei = Sei();
  const Bytes nested = AggregatePayload(codec(), {sei});
  const Bytes agg = AggregatePayload(codec(), {sei, nested, sei});
  EXPECT_FALSE(d_->Push(Packet(agg, 1, true)).ok());
  std::vector<AccessUnit> aus = PopAll(*d_);
  ASSERT_EQ(aus.size(), 1u);
  EXPECT_EQ(aus[0].data, LengthPrefixed({sei, sei}));
}

INSTANTIATE_TEST_SUITE_P(Codecs, DepacketizerTest,
                         ::testing::Values(Codec::kH264, Codec::kH265),
                         [](const ::testing::TestParamInfo<Codec>& info) {
                           return std::string(media::CodecName(info.param));
                         });

}  // namespace
}  // namespace sightline::rtsp
