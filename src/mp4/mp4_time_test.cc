#include "mp4/mp4_time.h"

#include <gtest/gtest.h>

namespace sightline::mp4 {
namespace {

TEST(Mp4TimeTest, NtpOfKnownInstants) {
  // The Unix epoch is 2208988800 s after the NTP epoch; half a second is fraction 2^31.
  EXPECT_EQ(UnixMicrosToNtp(0), uint64_t{2208988800} << 32);
  EXPECT_EQ(UnixMicrosToNtp(500000), uint64_t{2208988800} << 32 | 0x80000000);
  EXPECT_EQ(NtpToUnixMicros(uint64_t{2208988800} << 32 | 0x80000000), 500000);
}

TEST(Mp4TimeTest, NtpRoundTripsToTheMicrosecondAcrossThe2036Wrap) {
  const int64_t kSecond = 1000000;
  const int64_t times[] = {
      0,
      1,
      -1,                             // 1969
      1700000000 * kSecond + 123457,  // 2023
      2085978495 * kSecond + 999999,  // the last microsecond of NTP era 0 (2036)
      2085978496 * kSecond,           // the first of era 1
      2524608000 * kSecond + 654321,  // 2050
  };
  for (int64_t t : times) {
    EXPECT_EQ(NtpToUnixMicros(UnixMicrosToNtp(t)), t) << t;
  }
  for (int64_t t = 1700000000 * kSecond; t < 1700000000 * kSecond + 3000; ++t) {
    ASSERT_EQ(NtpToUnixMicros(UnixMicrosToNtp(t)), t) << t;
  }
  EXPECT_EQ(UnixMicrosToNtp(2085978496 * kSecond) >> 32, 0u);  // era 1 starts again at 0
}

TEST(Mp4TimeTest, Mp4SecondsCountFrom1904) {
  EXPECT_EQ(UnixMicrosToMp4Seconds(0), 2082844800u);
  EXPECT_EQ(UnixMicrosToMp4Seconds(1999999), 2082844801u);
  EXPECT_EQ(UnixMicrosToMp4Seconds(-1), 2082844799u);  // rounds down, not towards zero
  EXPECT_EQ(UnixMicrosToMp4Seconds(-2082844800LL * 1000000 - 5), 0u);
}

}  // namespace
}  // namespace sightline::mp4
