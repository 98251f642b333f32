#pragma once
// Lower-case hexadecimal of bytes (digests, random ids).

#include <string>

#include "base/bytes.h"

namespace sightline {

inline std::string HexLower(ByteSpan bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

}  // namespace sightline
