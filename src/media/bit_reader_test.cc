#include "media/bit_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "media/bit_writer.h"
#include "media/syntax_reader.h"

namespace sightline::media {
namespace {

TEST(BitReaderTest, ReadsAcrossBytes) {
  const uint8_t data[] = {0b10110011, 0b01011100, 0xde, 0xad, 0xbe, 0xef};
  BitReader r(data);
  uint32_t v = 0;
  ASSERT_TRUE(r.ReadBits(3, &v));
  EXPECT_EQ(v, 0b101u);
  ASSERT_TRUE(r.ReadBits(7, &v));
  EXPECT_EQ(v, 0b1001101u);
  bool flag = true;
  ASSERT_TRUE(r.ReadFlag(&flag));
  EXPECT_FALSE(flag);
  EXPECT_EQ(r.bit_position(), 11u);
  ASSERT_TRUE(r.SkipBits(5));
  EXPECT_TRUE(r.byte_aligned());
  ASSERT_TRUE(r.ReadBits(32, &v));
  EXPECT_EQ(v, 0xdeadbeefu);
  EXPECT_EQ(r.bits_left(), 0u);
  ASSERT_TRUE(r.ReadBits(0, &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(r.ok());
}

TEST(BitReaderTest, FailsAtEndAndStaysFailed) {
  const uint8_t data[] = {0xff};
  BitReader r(data);
  uint32_t v = 0;
  ASSERT_TRUE(r.ReadBits(6, &v));
  EXPECT_FALSE(r.ReadBits(3, &v));
  EXPECT_FALSE(r.ok());
  // Even a read that would fit fails once the reader has failed.
  EXPECT_FALSE(r.ReadBits(1, &v));
  EXPECT_EQ(r.bit_position(), 6u);
}

TEST(BitReaderTest, RejectsBadWidthsAndSkips) {
  const uint8_t data[] = {1, 2, 3, 4, 5};
  uint32_t v = 0;
  BitReader too_wide(data);
  EXPECT_FALSE(too_wide.ReadBits(33, &v));
  BitReader negative(data);
  EXPECT_FALSE(negative.ReadBits(-1, &v));
  BitReader skip(data);
  EXPECT_FALSE(skip.SkipBits(41));
  EXPECT_FALSE(skip.ok());
  BitReader empty{ByteSpan()};
  bool flag = false;
  EXPECT_FALSE(empty.ReadFlag(&flag));
}

TEST(BitReaderTest, ExpGolombCodes) {
  // Table 9-2: "1" = 0, "010" = 1, "011" = 2, "00100" = 3, "0001000" = 7.
  // Bits: 1 010 011 00100 0001000 -> 1010 0110 0100 0001 000(0 0000)
  const uint8_t data[] = {0b10100110, 0b01000001, 0b00000000};
  BitReader r(data);
  uint32_t v = 99;
  ASSERT_TRUE(r.ReadUe(&v));
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(r.ReadUe(&v));
  EXPECT_EQ(v, 1u);
  ASSERT_TRUE(r.ReadUe(&v));
  EXPECT_EQ(v, 2u);
  ASSERT_TRUE(r.ReadUe(&v));
  EXPECT_EQ(v, 3u);
  ASSERT_TRUE(r.ReadUe(&v));
  EXPECT_EQ(v, 7u);
  // Only zero bits left: a code without its one bit is truncated.
  EXPECT_FALSE(r.ReadUe(&v));
}

TEST(BitReaderTest, SignedExpGolomb) {
  BitWriter w;
  for (int32_t x : {0, 1, -1, 2, -2, 1000, -1000}) w.WriteSe(x);
  BitReader r(w.bytes());
  for (int32_t want : {0, 1, -1, 2, -2, 1000, -1000}) {
    int32_t got = 0;
    ASSERT_TRUE(r.ReadSe(&got));
    EXPECT_EQ(got, want);
  }
  // Table 9-3: codeNum 1 -> +1, 2 -> -1.
  const uint8_t one[] = {0b01000000};
  BitReader r1(one);
  int32_t s = 0;
  ASSERT_TRUE(r1.ReadSe(&s));
  EXPECT_EQ(s, 1);
}

TEST(BitReaderTest, UeLimitsAt31LeadingZeros) {
  // 31 leading zeros, a one and 31 one bits: the largest value that fits, 2^32 - 2.
  BitWriter max;
  max.WriteUe(std::numeric_limits<uint32_t>::max() - 1);
  EXPECT_EQ(max.bit_size(), 63u);
  BitReader r(max.bytes());
  uint32_t v = 0;
  ASSERT_TRUE(r.ReadUe(&v));
  EXPECT_EQ(v, std::numeric_limits<uint32_t>::max() - 1);

  // 32 leading zeros would overflow: rejected even though bits remain.
  const uint8_t too_long[] = {0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff};
  BitReader overflow(too_long);
  EXPECT_FALSE(overflow.ReadUe(&v));
  EXPECT_FALSE(overflow.ok());

  // A long run of zero bytes must not be scanned to its end either.
  const Bytes zeros(1 << 16, 0);
  BitReader z(zeros);
  EXPECT_FALSE(z.ReadUe(&v));
  EXPECT_LE(z.bit_position(), 32u);

  int32_t s = 0;
  BitReader se_overflow(too_long);
  EXPECT_FALSE(se_overflow.ReadSe(&s));
}

TEST(BitReaderTest, TruncatedUeSuffix) {
  const uint8_t data[] = {0b00000001};  // seven zeros and the one bit: suffix missing
  BitReader r(data);
  uint32_t v = 0;
  EXPECT_FALSE(r.ReadUe(&v));
}

TEST(BitWriterTest, RoundTripsEveryDescriptor) {
  BitWriter w;
  w.WriteBits(5, 0b10110);
  w.WriteFlag(true);
  w.WriteUe(0);
  w.WriteUe(12345);
  w.WriteSe(-77);
  w.WriteBits(32, 0xcafef00d);
  w.WriteTrailingBits();
  EXPECT_EQ(w.bit_size() % 8, 0u);
  BitReader r(w.bytes());
  uint32_t v = 0;
  ASSERT_TRUE(r.ReadBits(5, &v));
  EXPECT_EQ(v, 0b10110u);
  bool flag = false;
  ASSERT_TRUE(r.ReadFlag(&flag));
  EXPECT_TRUE(flag);
  ASSERT_TRUE(r.ReadUe(&v));
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(r.ReadUe(&v));
  EXPECT_EQ(v, 12345u);
  int32_t s = 0;
  ASSERT_TRUE(r.ReadSe(&s));
  EXPECT_EQ(s, -77);
  ASSERT_TRUE(r.ReadBits(32, &v));
  EXPECT_EQ(v, 0xcafef00du);
  ASSERT_TRUE(r.ReadFlag(&flag));
  EXPECT_TRUE(flag);  // rbsp_stop_one_bit
}

TEST(SyntaxReaderTest, ErrorsNameElementAndBit) {
  BitWriter w;
  w.WriteBits(3, 0);
  w.WriteUe(40);
  SyntaxReader r("H.264 SPS", w.bytes());
  uint32_t v = 0;
  ASSERT_TRUE(r.U(3, "three_bits", &v).ok());
  const Status range = r.Ue("seq_parameter_set_id", 31, &v);
  EXPECT_EQ(range.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(range.message(),
            "H.264 SPS: seq_parameter_set_id at bit 3: value 40 above its maximum 31");
  const Status truncated = r.U(32, "time_scale", &v);
  EXPECT_EQ(truncated.message(), "H.264 SPS: time_scale at bit 14: truncated");
  int32_t s = 0;
  SyntaxReader se("X", w.bytes());
  EXPECT_TRUE(se.U(3, "pad", &v).ok());
  EXPECT_FALSE(se.Se("delta", -10, 10, &s).ok());  // ue 40 is se -20
}

}  // namespace
}  // namespace sightline::media
