#include "media/nal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "media/test_param_sets.h"

namespace sightline::media {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Bytes ToBytes(ByteSpan s) { return Bytes(s.begin(), s.end()); }

std::vector<Bytes> ToVectors(const std::vector<ByteSpan>& spans) {
  std::vector<Bytes> out;
  for (ByteSpan s : spans) out.push_back(ToBytes(s));
  return out;
}

TEST(NalTest, HeaderTypes) {
  EXPECT_EQ(H264NalType(0x67), 7);
  EXPECT_EQ(H264NalType(0x65), 5);
  EXPECT_EQ(H264NalType(0x41), 1);
  EXPECT_EQ(H265NalType(0x40), 32);
  EXPECT_EQ(H265NalType(0x42), 33);
  EXPECT_EQ(H265NalType(0x26), 19);  // IDR_W_RADL
  EXPECT_EQ(H265NalType(0x02), 1);
}

TEST(NalTest, KeyframesAreIdrAndIrap) {
  const uint8_t idr[] = {0x65, 0x88};
  const uint8_t p_slice[] = {0x41, 0x9a};
  const uint8_t sps[] = {0x67, 0x64};
  EXPECT_TRUE(IsKeyframeNal(Codec::kH264, idr));
  EXPECT_FALSE(IsKeyframeNal(Codec::kH264, p_slice));
  EXPECT_FALSE(IsKeyframeNal(Codec::kH264, sps));
  EXPECT_FALSE(IsKeyframeNal(Codec::kH264, ByteSpan()));
  for (int type = 0; type < 64; ++type) {
    const uint8_t nal[] = {static_cast<uint8_t>(type << 1), 0x01};
    EXPECT_EQ(IsKeyframeNal(Codec::kH265, nal), type >= 16 && type <= 23) << type;
  }
}

TEST(NalTest, ClassifiesH264) {
  auto role = [](uint8_t header) { return ClassifyNal(Codec::kH264, ByteSpan(&header, 1)); };
  EXPECT_EQ(role(0x41), NalRole::kVcl);
  EXPECT_EQ(role(0x65), NalRole::kVcl);
  EXPECT_EQ(role(0x06), NalRole::kSei);
  EXPECT_EQ(role(0x67), NalRole::kSps);
  EXPECT_EQ(role(0x68), NalRole::kPps);
  EXPECT_EQ(role(0x09), NalRole::kAud);
  EXPECT_EQ(role(0x0c), NalRole::kOther);  // filler
  EXPECT_EQ(ClassifyNal(Codec::kH264, ByteSpan()), NalRole::kOther);
}

TEST(NalTest, ClassifiesH265) {
  auto role = [](int type) {
    const uint8_t nal[] = {static_cast<uint8_t>(type << 1), 0x01};
    return ClassifyNal(Codec::kH265, nal);
  };
  EXPECT_EQ(role(1), NalRole::kVcl);
  EXPECT_EQ(role(19), NalRole::kVcl);
  EXPECT_EQ(role(31), NalRole::kVcl);
  EXPECT_EQ(role(32), NalRole::kVps);
  EXPECT_EQ(role(33), NalRole::kSps);
  EXPECT_EQ(role(34), NalRole::kPps);
  EXPECT_EQ(role(35), NalRole::kAud);
  EXPECT_EQ(role(39), NalRole::kSei);
  EXPECT_EQ(role(40), NalRole::kSei);
  EXPECT_EQ(role(38), NalRole::kOther);
  EXPECT_EQ(ClassifyNal(Codec::kH265, ByteSpan()), NalRole::kOther);
}

TEST(SplitAnnexBTest, ThreeAndFourByteStartCodes) {
  const Bytes stream = {0, 0, 0, 1, 0x67, 0x64, 0x00, 0x28,  // 4-byte start code
                        0, 0, 1, 0x68, 0xeb,                 // 3-byte
                        0, 0, 0, 1, 0x65, 0x88, 0x84};
  EXPECT_THAT(ToVectors(SplitAnnexB(stream)),
              ElementsAre(Bytes{0x67, 0x64, 0x00, 0x28}, Bytes{0x68, 0xeb},
                          Bytes{0x65, 0x88, 0x84}));
}

TEST(SplitAnnexBTest, DropsTrailingZerosAndEmptyUnits) {
  const Bytes stream = {0xaa, 0xbb,                          // before any start code
                        0, 0, 1, 0x09, 0xf0, 0, 0, 0,       // trailing_zero_8bits
                        0, 0, 0, 1,                          // empty unit
                        0, 0, 1, 0x41, 0x00, 0x00, 0x03, 0x01, 0, 0};
  EXPECT_THAT(ToVectors(SplitAnnexB(stream)),
              ElementsAre(Bytes{0x09, 0xf0}, Bytes{0x41, 0x00, 0x00, 0x03, 0x01}));
}

TEST(SplitAnnexBTest, SpansPointIntoInput) {
  const Bytes stream = {0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68};
  const std::vector<ByteSpan> nals = SplitAnnexB(stream);
  ASSERT_EQ(nals.size(), 2u);
  EXPECT_EQ(nals[0].data(), stream.data() + 3);
  EXPECT_EQ(nals[1].data(), stream.data() + 8);
  EXPECT_EQ(nals[1].size(), 1u);
}

TEST(SplitAnnexBTest, NoStartCode) {
  EXPECT_TRUE(SplitAnnexB(Bytes{}).empty());
  EXPECT_TRUE(SplitAnnexB(Bytes{0x67, 0x64, 0x00}).empty());
  EXPECT_TRUE(SplitAnnexB(Bytes{0, 0, 1}).empty());
  EXPECT_TRUE(SplitAnnexB(Bytes{0, 0, 0, 0, 0}).empty());
}

TEST(SplitAnnexBTest, StartCodePatternInsideSplits) {
  // 00 00 01 cannot occur inside a NAL unit (emulation prevention), so it always splits.
  const Bytes stream = {0, 0, 1, 0x65, 0x01, 0x00, 0x00, 0x01, 0x02};
  EXPECT_THAT(ToVectors(SplitAnnexB(stream)), ElementsAre(Bytes{0x65, 0x01}, Bytes{0x02}));
}

TEST(SplitLengthPrefixedTest, RoundTripsWithAppend) {
  Bytes data;
  AppendLengthPrefixed(testdata::kPets1080pH264Sps, data);
  AppendLengthPrefixed(testdata::kPets1080pH264Pps, data);
  ASSERT_EQ(data.size(), 8 + sizeof(testdata::kPets1080pH264Sps) +
                             sizeof(testdata::kPets1080pH264Pps));
  EXPECT_EQ(LoadBe32(data.data()), sizeof(testdata::kPets1080pH264Sps));
  Result<std::vector<ByteSpan>> nals = SplitLengthPrefixed(data);
  ASSERT_TRUE(nals.ok()) << nals.status();
  EXPECT_THAT(ToVectors(*nals), ElementsAre(ToBytes(testdata::kPets1080pH264Sps),
                                            ToBytes(testdata::kPets1080pH264Pps)));
}

TEST(SplitLengthPrefixedTest, ShortLengthFields) {
  const Bytes one = {2, 0xaa, 0xbb, 1, 0xcc};
  Result<std::vector<ByteSpan>> nals = SplitLengthPrefixed(one, 1);
  ASSERT_TRUE(nals.ok()) << nals.status();
  EXPECT_THAT(ToVectors(*nals), ElementsAre(Bytes{0xaa, 0xbb}, Bytes{0xcc}));
  const Bytes two = {0, 3, 1, 2, 3};
  nals = SplitLengthPrefixed(two, 2);
  ASSERT_TRUE(nals.ok()) << nals.status();
  EXPECT_THAT(ToVectors(*nals), ElementsAre(Bytes{1, 2, 3}));
  EXPECT_TRUE(SplitLengthPrefixed(Bytes{}).ok());
}

TEST(SplitLengthPrefixedTest, OverrunNamesOffset) {
  const Bytes data = {0, 0, 0, 2, 0xaa, 0xbb, 0, 0, 0, 9, 0xcc};
  Result<std::vector<ByteSpan>> nals = SplitLengthPrefixed(data);
  ASSERT_FALSE(nals.ok());
  EXPECT_EQ(nals.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(nals.status().message(), HasSubstr("offset 6"));
  EXPECT_THAT(nals.status().message(), HasSubstr("length 9 overruns the 1 bytes left"));
}

TEST(SplitLengthPrefixedTest, TruncatedLengthZeroLengthAndBadSize) {
  Result<std::vector<ByteSpan>> truncated = SplitLengthPrefixed(Bytes{0, 0, 0, 1, 0x41, 0, 0});
  ASSERT_FALSE(truncated.ok());
  EXPECT_THAT(truncated.status().message(), HasSubstr("offset 5: truncated 4-byte length"));
  Result<std::vector<ByteSpan>> zero = SplitLengthPrefixed(Bytes{0, 0, 0, 0, 0x41});
  ASSERT_FALSE(zero.ok());
  EXPECT_THAT(zero.status().message(), HasSubstr("offset 0: zero length"));
  EXPECT_FALSE(SplitLengthPrefixed(Bytes{1, 1}, 3).ok());
  EXPECT_FALSE(SplitLengthPrefixed(Bytes{1, 1}, 0).ok());
}

TEST(EbspTest, RemovesEmulationPrevention) {
  EXPECT_EQ(EbspToRbsp(Bytes{0x00, 0x00, 0x03, 0x01}), (Bytes{0x00, 0x00, 0x01}));
  EXPECT_EQ(EbspToRbsp(Bytes{0x00, 0x00, 0x03, 0x00, 0x00, 0x03}), (Bytes{0, 0, 0, 0}));
  // Only the first 03 after two zeros is an emulation prevention byte.
  EXPECT_EQ(EbspToRbsp(Bytes{0x00, 0x00, 0x03, 0x03}), (Bytes{0x00, 0x00, 0x03}));
  // 03 after a single zero, or after a non-zero, is data.
  EXPECT_EQ(EbspToRbsp(Bytes{0x01, 0x00, 0x03, 0x00}), (Bytes{0x01, 0x00, 0x03, 0x00}));
  EXPECT_EQ(EbspToRbsp(Bytes{0x00, 0x00, 0x00, 0x03}), (Bytes{0x00, 0x00, 0x00}));
  // The real 1080p SPS carries two emulation prevention bytes.
  const Bytes rbsp = EbspToRbsp(testdata::kPets1080pH264Sps);
  EXPECT_EQ(rbsp.size(), sizeof(testdata::kPets1080pH264Sps) - 2);
}

TEST(EbspTest, RbspToEbspRoundTrips) {
  const std::vector<Bytes> cases = {
      {}, {0}, {0, 0}, {0, 0, 0}, {0, 0, 1}, {0, 0, 2, 0, 0, 3}, {0, 0, 4}, {5, 0, 0, 0, 0, 0, 0},
      ToBytes(testdata::kPetsH265Sps),
  };
  for (const Bytes& rbsp : cases) {
    const Bytes ebsp = RbspToEbsp(rbsp);
    EXPECT_EQ(EbspToRbsp(ebsp), rbsp);
    for (size_t i = 2; i < ebsp.size(); ++i) {
      EXPECT_FALSE(ebsp[i - 2] == 0 && ebsp[i - 1] == 0 && ebsp[i] <= 2)
          << "start-code-like pattern at " << i;
    }
  }
  EXPECT_EQ(RbspToEbsp(Bytes{0, 0, 1}), (Bytes{0, 0, 3, 1}));
  EXPECT_EQ(RbspToEbsp(Bytes{7, 0, 0}), (Bytes{7, 0, 0, 3}));
}

TEST(FrameTest, CodecNames) {
  EXPECT_STREQ(CodecName(Codec::kH264), "h264");
  EXPECT_STREQ(CodecName(Codec::kH265), "h265");
}

}  // namespace
}  // namespace sightline::media
