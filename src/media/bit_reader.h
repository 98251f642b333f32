#pragma once
// BitReader: reads the bit-level descriptors of ITU-T H.264/H.265 clause 7.2 (u(n), ue(v),
// se(v)) from an RBSP, i.e. after emulation prevention bytes were removed (see EbspToRbsp in
// nal.h). Every read is bounds-checked: a read that would pass the end, or an Exp-Golomb code
// too long for 32 bits, fails, leaves ok() false, and every later read fails too, so a parser
// can check once after a run of reads.
//
// Does not own its bytes: the span must outlive the reader. Not thread-safe (one per parse).

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"

namespace sightline::media {

class BitReader {
 public:
  explicit BitReader(ByteSpan rbsp) : data_(rbsp) {}

  bool ok() const { return ok_; }
  size_t bit_position() const { return pos_; }
  size_t bits_left() const { return data_.size() * 8 - pos_; }
  bool byte_aligned() const { return (pos_ & 7) == 0; }

  // u(n), 0 <= n <= 32, most significant bit first.
  bool ReadBits(int n, uint32_t* v);
  // u(1).
  bool ReadFlag(bool* v);
  // ue(v) (clause 9.1). Fails on more than 31 leading zero bits, whose value would not fit
  // in 32 bits; no syntax element in H.264 or H.265 needs that many.
  bool ReadUe(uint32_t* v);
  // se(v) (clause 9.1.1).
  bool ReadSe(int32_t* v);
  bool SkipBits(size_t n);

 private:
  bool Fail() { return ok_ = false; }

  ByteSpan data_;
  size_t pos_ = 0;  // in bits
  bool ok_ = true;
};

}  // namespace sightline::media
