#include "support/annex_b.h"

#include <gtest/gtest.h>

namespace sightline::testing {
namespace {

TEST(AnnexBTest, ConvertsThreeAndFourByteStartCodes) {
  // SPS behind a 4-byte start code, PPS behind a 3-byte one, then a slice followed by
  // trailing_zero_8bits.
  const Bytes in = {0, 0, 0, 1,    0x67, 0x42, 0x00, 0x1f,  //
                    0, 0, 1, 0x68, 0xce,                    //
                    0, 0, 0, 1,    0x65, 0x88, 0x84, 0,    0};
  Result<Bytes> out = AnnexBToLengthPrefixed(in);
  ASSERT_TRUE(out.ok()) << out.status();
  const Bytes want = {0, 0, 0, 4, 0x67, 0x42, 0x00, 0x1f,  //
                      0, 0, 0, 2, 0x68, 0xce,              //
                      0, 0, 0, 3, 0x65, 0x88, 0x84};
  EXPECT_EQ(*out, want);
}

TEST(AnnexBTest, RejectsDataWithoutStartCode) {
  const Bytes in = {0, 0, 0, 4, 0x67, 0x42, 0x00, 0x1f};
  Result<Bytes> out = AnnexBToLengthPrefixed(in);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("start code"), std::string::npos);
  EXPECT_FALSE(AnnexBToLengthPrefixed(Bytes{}).ok());
}

TEST(AnnexBTest, RejectsEmptyNalUnit) {
  const Bytes in = {0, 0, 1, 0, 0, 1, 0x65};
  EXPECT_FALSE(AnnexBToLengthPrefixed(in).ok());
}

TEST(AnnexBTest, WidensShortLengthFields) {
  const Bytes two = {0, 2, 0x68, 0xce, 0, 1, 0x09};
  Result<Bytes> out = ToFourByteLengths(two, 2);
  ASSERT_TRUE(out.ok()) << out.status();
  const Bytes want = {0, 0, 0, 2, 0x68, 0xce, 0, 0, 0, 1, 0x09};
  EXPECT_EQ(*out, want);
}

TEST(AnnexBTest, RejectsOverrunningLength) {
  const Bytes in = {0, 0, 0, 9, 0x65, 0x88};
  Result<Bytes> out = ToFourByteLengths(in, 4);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("overruns"), std::string::npos);
  EXPECT_FALSE(ToFourByteLengths(Bytes{0, 0}, 4).ok());
  EXPECT_FALSE(ToFourByteLengths(Bytes{}, 3).ok());
}

}  // namespace
}  // namespace sightline::testing
