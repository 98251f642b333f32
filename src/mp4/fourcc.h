#pragma once
// Box types (ISO/IEC 14496-12 4.2): four characters stored as a big-endian 32-bit code.

#include <cstdint>
#include <string>

namespace sightline::mp4 {

// FourCc("moov") == 0x6d6f6f76.
constexpr uint32_t FourCc(const char (&s)[5]) {
  return static_cast<uint32_t>(static_cast<uint8_t>(s[0])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[2])) << 8 | static_cast<uint8_t>(s[3]);
}

// The code as text for messages: "moov", or hex such as "0x00000000" when a byte is not
// printable ASCII (garbage must not put control characters into logs).
inline std::string FourCcName(uint32_t type) {
  std::string s;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const char c = static_cast<char>((type >> shift) & 0xff);
    if (c < 0x20 || c > 0x7e) {
      static constexpr char kHex[] = "0123456789abcdef";
      s = "0x";
      for (int nibble = 28; nibble >= 0; nibble -= 4) s += kHex[(type >> nibble) & 0xf];
      return s;
    }
    s += c;
  }
  return s;
}

}  // namespace sightline::mp4
