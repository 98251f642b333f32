#include "rtsp/text.h"

#include <gtest/gtest.h>

namespace sightline::rtsp {
namespace {

TEST(TextTest, TrimWhitespace) {
  EXPECT_EQ(TrimWhitespace(" \t a b \r"), "a b");
  EXPECT_EQ(TrimWhitespace("   "), "");
  EXPECT_EQ(TrimWhitespace("x"), "x");
}

TEST(TextTest, CaseInsensitiveComparisons) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Length", "content-LENGTH"));
  EXPECT_FALSE(EqualsIgnoreCase("CSeq", "CSeq2"));
  EXPECT_TRUE(StartsWithIgnoreCase("rtsp://cam", "RTSP://"));
  EXPECT_FALSE(StartsWithIgnoreCase("rt", "RTSP://"));
  EXPECT_EQ(AsciiLower("Sprop-Parameter-Sets"), "sprop-parameter-sets");
}

TEST(TextTest, ParseDecimalBoundsAndRejects) {
  EXPECT_EQ(ParseDecimal("0", 10), 0u);
  EXPECT_EQ(ParseDecimal("65535", 65535), 65535u);
  EXPECT_EQ(ParseDecimal("65536", 65535), std::nullopt);
  EXPECT_EQ(ParseDecimal("7", 5), std::nullopt);
  EXPECT_EQ(ParseDecimal("", 10), std::nullopt);
  EXPECT_EQ(ParseDecimal("-1", 10), std::nullopt);
  EXPECT_EQ(ParseDecimal(" 1", 10), std::nullopt);
  EXPECT_EQ(ParseDecimal("99999999999999999999999", UINT64_MAX), std::nullopt);
  EXPECT_EQ(ParseDecimal("18446744073709551615", UINT64_MAX), UINT64_MAX);
}

}  // namespace
}  // namespace sightline::rtsp
