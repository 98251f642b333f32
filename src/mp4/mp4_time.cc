#include "mp4/mp4_time.h"

namespace sightline::mp4 {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;

// Seconds rounded towards minus infinity, and the microseconds left over, in [0, 1e6).
struct SplitTime {
  int64_t seconds;
  int64_t micros;
};
SplitTime Split(int64_t unix_us) {
  int64_t seconds = unix_us / kMicrosPerSecond;
  int64_t micros = unix_us % kMicrosPerSecond;
  if (micros < 0) {
    --seconds;
    micros += kMicrosPerSecond;
  }
  return {seconds, micros};
}

}  // namespace

uint64_t UnixMicrosToNtp(int64_t unix_us) {
  const SplitTime t = Split(unix_us);
  // Modulo 2^32: the era is implied (see the header).
  const uint32_t seconds =
      static_cast<uint32_t>(static_cast<uint64_t>(t.seconds + kNtpEpochToUnixSeconds));
  // The fraction rounded down; reading rounds to nearest, which recovers the microsecond
  // because one microsecond is about 4295 fraction units.
  const uint64_t fraction = (static_cast<uint64_t>(t.micros) << 32) / kMicrosPerSecond;
  return static_cast<uint64_t>(seconds) << 32 | fraction;
}

int64_t NtpToUnixMicros(uint64_t ntp) {
  int64_t seconds = static_cast<int64_t>(ntp >> 32);
  if (seconds < (int64_t{1} << 31)) seconds += int64_t{1} << 32;  // era 1: 2036 to 2104
  const uint64_t fraction = ntp & 0xffffffff;
  const int64_t micros = static_cast<int64_t>((fraction * kMicrosPerSecond + (1u << 31)) >> 32);
  return (seconds - kNtpEpochToUnixSeconds) * kMicrosPerSecond + micros;
}

uint64_t UnixMicrosToMp4Seconds(int64_t unix_us) {
  const int64_t seconds = Split(unix_us).seconds + kMp4EpochToUnixSeconds;
  return seconds < 0 ? 0 : static_cast<uint64_t>(seconds);
}

}  // namespace sightline::mp4
