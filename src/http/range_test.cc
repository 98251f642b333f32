#include "http/range.h"

#include <gtest/gtest.h>

namespace sightline::http {
namespace {

TEST(HttpRangeTest, SingleRanges) {
  EXPECT_EQ(*ParseRange("bytes=0-99", 1000), (ByteRange{0, 100}));
  EXPECT_EQ(*ParseRange("bytes=100-", 1000), (ByteRange{100, 900}));
  EXPECT_EQ(*ParseRange("bytes=-100", 1000), (ByteRange{900, 100}));
  EXPECT_EQ(*ParseRange("bytes=-5000", 1000), (ByteRange{0, 1000}));
  EXPECT_EQ(*ParseRange("bytes=990-5000", 1000), (ByteRange{990, 10}));
  EXPECT_EQ(*ParseRange("BYTES = 5-5", 1000), (ByteRange{5, 1}));
  EXPECT_EQ(*ParseRange("bytes=999-999", 1000), (ByteRange{999, 1}));
  EXPECT_EQ(*ParseRange("bytes=0-99999999999999999999999", 1000), (ByteRange{0, 1000}));
}

TEST(HttpRangeTest, Unsatisfiable) {
  for (std::string_view h : {"bytes=1000-", "bytes=1000-2000", "bytes=-0", "bytes=99999999999999999999999-"}) {
    Result<ByteRange> r = ParseRange(h, 1000);
    ASSERT_FALSE(r.ok()) << h;
    EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange) << h;
  }
  EXPECT_EQ(ParseRange("bytes=0-", 0).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(ParseRange("bytes=-10", 0).status().code(), StatusCode::kOutOfRange);
}

TEST(HttpRangeTest, MalformedIsInvalidAndSeveralAreUnimplemented) {
  for (std::string_view h : {"", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=5-4", "items=0-1", "bytes=1-2-3",
                             "bytes=+1-2", "bytes=0x1-2"}) {
    Result<ByteRange> r = ParseRange(h, 1000);
    ASSERT_FALSE(r.ok()) << h;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << h;
  }
  EXPECT_EQ(ParseRange("bytes=0-1,5-6", 1000).status().code(), StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace sightline::http
