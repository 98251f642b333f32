#include "tools/camsim/decoder_config.h"

#include <gtest/gtest.h>

namespace sightline::camsim {
namespace {

const Bytes kSps = {0x67, 0x4d, 0x40, 0x16, 0xd9};
const Bytes kPps = {0x68, 0xeb, 0xcc, 0xb2};

Bytes AvcC(uint8_t length_byte) {
  Bytes b = {1, 0x4d, 0x40, 0x16, length_byte, 0xe1};
  AppendBe16(b, static_cast<uint16_t>(kSps.size()));
  AppendBytes(b, kSps);
  b.push_back(1);
  AppendBe16(b, static_cast<uint16_t>(kPps.size()));
  AppendBytes(b, kPps);
  return b;
}

TEST(CamsimDecoderConfigTest, AvcC) {
  auto c = ParseDecoderConfig(media::Codec::kH264, AvcC(0xff));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->length_size, 4);
  ASSERT_EQ(c->sps.size(), 1u);
  EXPECT_EQ(c->sps[0], kSps);
  ASSERT_EQ(c->pps.size(), 1u);
  EXPECT_EQ(c->pps[0], kPps);
  EXPECT_TRUE(c->vps.empty());
  auto two = ParseDecoderConfig(media::Codec::kH264, AvcC(0xfd));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->length_size, 2);
}

TEST(CamsimDecoderConfigTest, AvcCErrors) {
  EXPECT_FALSE(ParseDecoderConfig(media::Codec::kH264, AvcC(0xfe)).ok());  // 3-byte lengths
  Bytes bad_version = AvcC(0xff);
  bad_version[0] = 2;
  EXPECT_FALSE(ParseDecoderConfig(media::Codec::kH264, bad_version).ok());
  // Every truncation fails cleanly (and names where).
  const Bytes full = AvcC(0xff);
  for (size_t n = 0; n < full.size(); ++n) {
    auto r = ParseDecoderConfig(media::Codec::kH264, ByteSpan(full).first(n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_NE(r.status().message().find("avcC"), std::string::npos) << r.status();
  }
}

TEST(CamsimDecoderConfigTest, HvcC) {
  Bytes b(23, 0);
  b[0] = 1;
  b[21] = 0x0f;  // lengthSizeMinusOne = 3
  b[22] = 3;     // arrays
  const Bytes vps = {0x40, 0x01, 0x0c}, sps = {0x42, 0x01, 0x01}, pps = {0x44, 0x01, 0xc1};
  for (const auto& [type, nal] : {std::pair<uint8_t, Bytes>{0xa0, vps}, {0xa1, sps}, {0xa2, pps}}) {
    b.push_back(type);
    AppendBe16(b, 1);
    AppendBe16(b, static_cast<uint16_t>(nal.size()));
    AppendBytes(b, nal);
  }
  auto c = ParseDecoderConfig(media::Codec::kH265, b);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->length_size, 4);
  ASSERT_EQ(c->vps.size(), 1u);
  EXPECT_EQ(c->vps[0], vps);
  ASSERT_EQ(c->sps.size(), 1u);
  EXPECT_EQ(c->sps[0], sps);
  ASSERT_EQ(c->pps.size(), 1u);
  EXPECT_EQ(c->pps[0], pps);
  for (size_t n = 0; n < b.size(); ++n) {
    EXPECT_FALSE(ParseDecoderConfig(media::Codec::kH265, ByteSpan(b).first(n)).ok()) << n;
  }
}

}  // namespace
}  // namespace sightline::camsim
