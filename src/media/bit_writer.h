#pragma once
// BitWriter: the inverse of BitReader, for building RBSPs bit by bit (test vectors, synthetic
// slices for the camera simulator, fuzzer round trips). Writes u(n), ue(v), se(v) and
// rbsp_trailing_bits() of ITU-T H.264/H.265 clause 7.2 / 9.1. Not thread-safe.

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"

namespace sightline::media {

class BitWriter {
 public:
  // u(n), 0 <= n <= 32; only the low n bits of v are written.
  void WriteBits(int n, uint32_t v);
  void WriteFlag(bool v) { WriteBits(1, v ? 1 : 0); }
  void WriteUe(uint32_t v);
  void WriteSe(int32_t v);  // v > INT32_MIN, the range se(v) can carry in 32 bits
  // rbsp_trailing_bits(): a one bit, then zero bits up to the next byte boundary.
  void WriteTrailingBits();

  size_t bit_size() const { return bits_; }
  // The bytes written so far; a partial last byte is padded with zero bits.
  const Bytes& bytes() const { return bytes_; }

 private:
  void WriteBit(bool bit);

  Bytes bytes_;
  size_t bits_ = 0;
};

}  // namespace sightline::media
