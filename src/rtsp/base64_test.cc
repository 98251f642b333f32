#include "rtsp/base64.h"

#include <gtest/gtest.h>

namespace sightline::rtsp {
namespace {

std::string DecodeToString(std::string_view s) {
  Result<Bytes> r = Base64Decode(s);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? std::string(AsString(*r)) : std::string();
}

TEST(Base64Test, EncodesRfc4648Vectors) {
  // RFC 4648 section 10.
  EXPECT_EQ(Base64Encode(AsBytes("")), "");
  EXPECT_EQ(Base64Encode(AsBytes("f")), "Zg==");
  EXPECT_EQ(Base64Encode(AsBytes("fo")), "Zm8=");
  EXPECT_EQ(Base64Encode(AsBytes("foo")), "Zm9v");
  EXPECT_EQ(Base64Encode(AsBytes("foob")), "Zm9vYg==");
  EXPECT_EQ(Base64Encode(AsBytes("fooba")), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode(AsBytes("foobar")), "Zm9vYmFy");
}

TEST(Base64Test, DecodesRfc4648Vectors) {
  EXPECT_EQ(DecodeToString(""), "");
  EXPECT_EQ(DecodeToString("Zg=="), "f");
  EXPECT_EQ(DecodeToString("Zm8="), "fo");
  EXPECT_EQ(DecodeToString("Zm9v"), "foo");
  EXPECT_EQ(DecodeToString("Zm9vYmFy"), "foobar");
}

TEST(Base64Test, DecodesSpropParameterSet) {
  // An H.264 SPS as cameras put it in sprop-parameter-sets: starts with NAL header 0x67.
  Result<Bytes> r = Base64Decode("Z0IAKeKQFAe2AtwEBAaQeJEV");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GE(r->size(), 4u);
  EXPECT_EQ((*r)[0], 0x67);
  EXPECT_EQ((*r)[1], 0x42);
  EXPECT_EQ(Base64Encode(*r), "Z0IAKeKQFAe2AtwEBAaQeJEV");
}

TEST(Base64Test, AcceptsMissingPadding) {
  EXPECT_EQ(DecodeToString("Zg"), "f");
  EXPECT_EQ(DecodeToString("Zm8"), "fo");
}

TEST(Base64Test, RejectsBadInput) {
  const Result<Bytes> bad_char = Base64Decode("Zm9v!A==");
  ASSERT_FALSE(bad_char.ok());
  EXPECT_NE(bad_char.status().message().find("offset 4"), std::string::npos)
      << bad_char.status();
  EXPECT_FALSE(Base64Decode("Zm9vY").ok());      // dangling character
  EXPECT_FALSE(Base64Decode("Zg===").ok());      // too much padding
  EXPECT_FALSE(Base64Decode("Zm=9").ok());       // padding inside
  EXPECT_FALSE(Base64Decode("Zm9=").ok());       // non-zero trailing bits
  EXPECT_FALSE(Base64Decode("Zm8=Zm8=").ok());   // padding before more data
  EXPECT_FALSE(Base64Decode("Zg=").ok());        // padding that does not complete a group
  EXPECT_FALSE(Base64Decode("Zm9v\nYmFy").ok()); // whitespace is not part of the alphabet
}

TEST(Base64Test, RoundTripsAllByteValues) {
  Bytes all;
  for (int len = 0; len < 260; ++len) {
    all.clear();
    for (int i = 0; i < len; ++i) all.push_back(static_cast<uint8_t>(i * 37 + len));
    Result<Bytes> back = Base64Decode(Base64Encode(all));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, all) << "len " << len;
  }
}

}  // namespace
}  // namespace sightline::rtsp
