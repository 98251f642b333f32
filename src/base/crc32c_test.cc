#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <random>

namespace sightline {
namespace {

// Known answers: the standard check value, and RFC 3720 appendix B.4's 32-byte vectors.
struct Vector {
  Bytes data;
  uint32_t crc;
};

std::vector<Vector> KnownVectors() {
  const ByteSpan check = AsBytes("123456789");
  Bytes ascending(32), descending(32);
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<uint8_t>(i);
    descending[i] = static_cast<uint8_t>(31 - i);
  }
  return {
      {Bytes(check.begin(), check.end()), 0xE3069283},
      {Bytes(32, 0x00), 0x8A9136AA},
      {Bytes(32, 0xff), 0x62A8AB43},
      {ascending, 0x46DD794E},
      {descending, 0x113FDB5C},
      {Bytes(), 0},
  };
}

TEST(Crc32cTest, PortableMatchesKnownVectors) {
  for (const Vector& v : KnownVectors()) {
    EXPECT_EQ(Crc32cPortable(v.data), v.crc) << "length " << v.data.size();
    EXPECT_EQ(Crc32c(v.data), v.crc) << "length " << v.data.size();
  }
}

TEST(Crc32cTest, HardwareMatchesKnownVectors) {
  if (!Crc32cHardwareAvailable()) GTEST_SKIP() << "this CPU has no SSE4.2";
  for (const Vector& v : KnownVectors()) {
    EXPECT_EQ(Crc32cHardware(v.data), v.crc) << "length " << v.data.size();
  }
}

TEST(Crc32cTest, ImplementationsAgreeOnRandomDataAndSplits) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    // Lengths around the 8-byte word size and odd start offsets exercise the unaligned head
    // and the byte-wise tail of the hardware loop.
    Bytes data(rng() % 300);
    for (uint8_t& b : data) b = static_cast<uint8_t>(rng());
    const ByteSpan all(data);
    const size_t split = data.empty() ? 0 : rng() % (data.size() + 1);
    const uint32_t whole = Crc32cPortable(all);
    const uint32_t seed = static_cast<uint32_t>(rng());

    EXPECT_EQ(Crc32cPortable(all.subspan(split), Crc32cPortable(all.first(split))), whole);
    EXPECT_EQ(Crc32c(all.subspan(split), Crc32c(all.first(split))), whole);
    if (Crc32cHardwareAvailable()) {
      EXPECT_EQ(Crc32cHardware(all), whole) << "length " << data.size();
      EXPECT_EQ(Crc32cHardware(all.subspan(split), Crc32cHardware(all.first(split))), whole);
      EXPECT_EQ(Crc32cHardware(all, seed), Crc32cPortable(all, seed));
    }
  }
}

TEST(Crc32cTest, DetectsEverySingleBitFlip) {
  Bytes data(64);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 37);
  const uint32_t good = Crc32c(data);
  for (size_t bit = 0; bit < data.size() * 8; ++bit) {
    data[bit / 8] ^= 1 << (bit % 8);
    EXPECT_NE(Crc32c(data), good) << "bit " << bit;
    data[bit / 8] ^= 1 << (bit % 8);
  }
}

}  // namespace
}  // namespace sightline
