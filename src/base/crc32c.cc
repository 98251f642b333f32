#include "base/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace sightline {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78;  // 0x1EDC6F41 bit-reversed

// kTable[b] is the CRC register after shifting the byte b through it, one bit at a time.
constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t r = b;
    for (int bit = 0; bit < 8; ++bit) r = (r >> 1) ^ ((r & 1) ? kPolynomial : 0);
    table[b] = r;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kTable = MakeTable();

}  // namespace

// The register starts inverted and the result is inverted (the "~crc" in both functions), so
// passing a previous result back in continues the same computation.
uint32_t Crc32cPortable(ByteSpan data, uint32_t crc) {
  uint32_t r = ~crc;
  for (uint8_t b : data) r = (r >> 8) ^ kTable[(r ^ b) & 0xff];
  return ~r;
}

#if defined(__x86_64__)

bool Crc32cHardwareAvailable() {
  static const bool available = __builtin_cpu_supports("sse4.2");
  return available;
}

__attribute__((target("sse4.2"))) uint32_t Crc32cHardware(ByteSpan data, uint32_t crc) {
  uint64_t r = ~crc;
  const uint8_t* p = data.data();
  size_t n = data.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);  // little-endian load: the reflected CRC consumes low bytes first
    r = _mm_crc32_u64(r, word);
  }
  uint32_t r32 = static_cast<uint32_t>(r);
  for (; n > 0; ++p, --n) r32 = _mm_crc32_u8(r32, *p);
  return ~r32;
}

#else

bool Crc32cHardwareAvailable() { return false; }
uint32_t Crc32cHardware(ByteSpan data, uint32_t crc) { return Crc32cPortable(data, crc); }

#endif

uint32_t Crc32c(ByteSpan data, uint32_t crc) {
  return Crc32cHardwareAvailable() ? Crc32cHardware(data, crc) : Crc32cPortable(data, crc);
}

}  // namespace sightline
