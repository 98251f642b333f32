#pragma once
// The two clocks MP4 boxes count in, converted from Unix time in microseconds:
// - NTP 64-bit timestamps (RFC 5905 section 6: seconds since 1900 in the high 32 bits, binary
//   fraction in the low 32) in prft (ISO/IEC 14496-12 8.16.5);
// - seconds since 1904-01-01 UTC in mvhd, tkhd and mdhd creation times (14496-12 8.2.2.3).
// Pure; safe from any thread.

#include <cstdint>

namespace sightline::mp4 {

inline constexpr int64_t kNtpEpochToUnixSeconds = 2208988800;  // 1900-01-01 to 1970-01-01
inline constexpr int64_t kMp4EpochToUnixSeconds = 2082844800;  // 1904-01-01 to 1970-01-01

// NTP seconds wrap in 2036. As RFC 4330 section 3 suggests, a timestamp whose most significant
// bit is clear is read as the next era, so times from 1968 to 2104 round-trip to the
// microsecond: NtpToUnixMicros(UnixMicrosToNtp(t)) == t.
uint64_t UnixMicrosToNtp(int64_t unix_us);
int64_t NtpToUnixMicros(uint64_t ntp);

// Whole seconds since 1904; 0 for anything earlier.
uint64_t UnixMicrosToMp4Seconds(int64_t unix_us);

}  // namespace sightline::mp4
