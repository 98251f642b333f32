#include "media/bit_reader.h"

#include <algorithm>

namespace sightline::media {

bool BitReader::ReadBits(int n, uint32_t* v) {
  if (!ok_ || n < 0 || n > 32 || static_cast<size_t>(n) > bits_left()) return Fail();
  uint64_t acc = 0;
  int got = 0;
  while (got < n) {
    const int offset = static_cast<int>(pos_ & 7);
    const int take = std::min(8 - offset, n - got);
    const uint32_t bits = (data_[pos_ >> 3] >> (8 - offset - take)) & ((1u << take) - 1);
    acc = acc << take | bits;
    got += take;
    pos_ += static_cast<size_t>(take);
  }
  *v = static_cast<uint32_t>(acc);
  return true;
}

bool BitReader::ReadFlag(bool* v) {
  uint32_t bit = 0;
  if (!ReadBits(1, &bit)) return false;
  *v = bit != 0;
  return true;
}

bool BitReader::ReadUe(uint32_t* v) {
  int leading_zeros = 0;
  for (;;) {
    uint32_t bit = 0;
    if (!ReadBits(1, &bit)) return false;
    if (bit) break;
    if (++leading_zeros > 31) return Fail();
  }
  uint32_t suffix = 0;
  if (!ReadBits(leading_zeros, &suffix)) return false;
  // At most 2^31 - 1 + 2^31 - 1: fits.
  *v = static_cast<uint32_t>((uint64_t{1} << leading_zeros) - 1 + suffix);
  return true;
}

bool BitReader::ReadSe(int32_t* v) {
  uint32_t k = 0;
  if (!ReadUe(&k)) return false;
  // k = 2|x| - (x > 0): odd codes are positive. k <= 2^32 - 2 keeps |x| < 2^31.
  const int64_t magnitude = (static_cast<int64_t>(k) + 1) / 2;
  *v = static_cast<int32_t>((k & 1) ? magnitude : -magnitude);
  return true;
}

bool BitReader::SkipBits(size_t n) {
  if (!ok_ || n > bits_left()) return Fail();
  pos_ += n;
  return true;
}

}  // namespace sightline::media
