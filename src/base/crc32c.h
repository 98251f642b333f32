#pragma once
// CRC32C (Castagnoli, reflected polynomial 0x82F63B78; RFC 3720 appendix B.4), the checksum
// of the recording store's fragment integrity boxes. Uses the SSE4.2 crc32 instruction when
// the CPU has it, else a table. Pure functions; safe from any thread.

#include <cstdint>

#include "base/bytes.h"

namespace sightline {

// The CRC of `data` continuing from `crc`, the CRC of the bytes before it (0 for none), so
// Crc32c(b, Crc32c(a)) == Crc32c(a followed by b). Crc32c("123456789") == 0xE3069283.
uint32_t Crc32c(ByteSpan data, uint32_t crc = 0);

// The two implementations behind Crc32c, exposed so tests can compare them. Call
// Crc32cHardware only when Crc32cHardwareAvailable() is true.
uint32_t Crc32cPortable(ByteSpan data, uint32_t crc = 0);
bool Crc32cHardwareAvailable();
uint32_t Crc32cHardware(ByteSpan data, uint32_t crc = 0);

}  // namespace sightline
