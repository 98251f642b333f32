#pragma once
// Unsigned LEB128 varints, as the store's compact blobs use them (fragment tables, motion grid
// chunks). Pure; the reader never reads past its span.

#include <cstdint>

#include "base/bytes.h"

namespace sightline::store {

inline void PutVarint(Bytes& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

// Reads one varint from the front of `in` and advances it; false on a truncated or over-long
// (more than 64 bits) varint.
inline bool GetVarint(ByteSpan& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const uint8_t b = in.front();
    in = in.subspan(1);
    if (shift == 63 && b > 1) return false;  // more than 64 bits
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace sightline::store
