#include "media/stream_params.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "media/test_param_sets.h"

namespace sightline::media {
namespace {

using ::testing::HasSubstr;

Bytes ToBytes(ByteSpan s) { return Bytes(s.begin(), s.end()); }

TEST(StreamParamsTest, H264FromRealParameterSets) {
  auto params = MakeStreamParams(Codec::kH264, {}, testdata::kPets1080pH264Sps,
                                 testdata::kPets1080pH264Pps);
  ASSERT_TRUE(params.ok()) << params.status();
  const StreamParams& p = **params;
  EXPECT_EQ(p.codec, Codec::kH264);
  EXPECT_EQ(p.width, 1920);
  EXPECT_EQ(p.height, 1080);
  EXPECT_EQ(p.codec_string, "avc1.640028");
  ASSERT_TRUE(p.fps.has_value());
  EXPECT_DOUBLE_EQ(*p.fps, 10.0);
  EXPECT_TRUE(p.vps.empty());
  EXPECT_EQ(p.sps, ToBytes(testdata::kPets1080pH264Sps));
  EXPECT_EQ(p.pps, ToBytes(testdata::kPets1080pH264Pps));

  auto sub = MakeStreamParams(Codec::kH264, {}, testdata::kPets360pH264Sps,
                              testdata::kPets360pH264Pps);
  ASSERT_TRUE(sub.ok()) << sub.status();
  EXPECT_EQ((*sub)->width, 640);
  EXPECT_EQ((*sub)->height, 360);
  EXPECT_EQ((*sub)->codec_string, "avc1.4d4016");
  // Different parameter sets compare unequal, the same ones equal.
  EXPECT_FALSE(**sub == p);
  auto again = MakeStreamParams(Codec::kH264, {}, testdata::kPets1080pH264Sps,
                                testdata::kPets1080pH264Pps);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(**again == p);
}

TEST(StreamParamsTest, H265FromRealParameterSets) {
  auto params = MakeStreamParams(Codec::kH265, testdata::kPetsH265Vps, testdata::kPetsH265Sps,
                                 testdata::kPetsH265Pps);
  ASSERT_TRUE(params.ok()) << params.status();
  const StreamParams& p = **params;
  EXPECT_EQ(p.codec, Codec::kH265);
  EXPECT_EQ(p.width, 1920);
  EXPECT_EQ(p.height, 1080);
  EXPECT_EQ(p.codec_string, "hvc1.1.6.L120.90");
  EXPECT_DOUBLE_EQ(p.fps.value_or(0), 10.0);
  EXPECT_EQ(p.vps, ToBytes(testdata::kPetsH265Vps));
  EXPECT_EQ(p.sps, ToBytes(testdata::kPetsH265Sps));
  EXPECT_EQ(p.pps, ToBytes(testdata::kPetsH265Pps));
}

TEST(StreamParamsTest, EmptyPpsIsAccepted) {
  auto params = MakeStreamParams(Codec::kH264, {}, testdata::kPets360pH264Sps, {});
  ASSERT_TRUE(params.ok()) << params.status();
  EXPECT_TRUE((*params)->pps.empty());
}

TEST(StreamParamsTest, ErrorsNameCodecAndCause) {
  const Bytes sps(std::begin(testdata::kPets1080pH264Sps),
                  std::begin(testdata::kPets1080pH264Sps) + 6);
  auto truncated = MakeStreamParams(Codec::kH264, {}, sps, testdata::kPets1080pH264Pps);
  ASSERT_FALSE(truncated.ok());
  EXPECT_THAT(truncated.status().message(), HasSubstr("h264 stream parameters: H.264 SPS: "));
  EXPECT_THAT(truncated.status().message(), HasSubstr("truncated"));

  auto empty = MakeStreamParams(Codec::kH265, testdata::kPetsH265Vps, {}, testdata::kPetsH265Pps);
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("h265 stream parameters: H.265 SPS"));

  // Parameter sets swapped or of the other codec.
  auto swapped = MakeStreamParams(Codec::kH264, {}, testdata::kPets1080pH264Pps,
                                  testdata::kPets1080pH264Sps);
  EXPECT_FALSE(swapped.ok());
  auto bad_pps = MakeStreamParams(Codec::kH264, {}, testdata::kPets1080pH264Sps,
                                  testdata::kPets1080pH264Sps);
  ASSERT_FALSE(bad_pps.ok());
  EXPECT_THAT(bad_pps.status().message(), HasSubstr("given as the PPS"));
  auto bad_vps = MakeStreamParams(Codec::kH265, testdata::kPetsH265Pps, testdata::kPetsH265Sps,
                                  testdata::kPetsH265Pps);
  ASSERT_FALSE(bad_vps.ok());
  EXPECT_THAT(bad_vps.status().message(), HasSubstr("given as the VPS"));
  auto vps_for_h264 = MakeStreamParams(Codec::kH264, testdata::kPetsH265Vps,
                                       testdata::kPets1080pH264Sps, testdata::kPets1080pH264Pps);
  EXPECT_FALSE(vps_for_h264.ok());
  auto h264_as_h265 = MakeStreamParams(Codec::kH265, {}, testdata::kPets1080pH264Sps, {});
  EXPECT_FALSE(h264_as_h265.ok());
}

}  // namespace
}  // namespace sightline::media
