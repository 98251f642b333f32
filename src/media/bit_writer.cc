#include "media/bit_writer.h"

namespace sightline::media {

void BitWriter::WriteBit(bool bit) {
  if ((bits_ & 7) == 0) bytes_.push_back(0);
  if (bit) bytes_.back() |= static_cast<uint8_t>(0x80 >> (bits_ & 7));
  ++bits_;
}

void BitWriter::WriteBits(int n, uint32_t v) {
  for (int i = n - 1; i >= 0; --i) WriteBit((v >> i) & 1);
}

void BitWriter::WriteUe(uint32_t v) {
  // codeNum + 1 written in `width` bits after width - 1 zero bits (clause 9.1).
  const uint64_t code = uint64_t{v} + 1;
  int width = 0;
  while ((code >> width) != 0) ++width;
  for (int i = 0; i < width - 1; ++i) WriteBit(false);
  for (int i = width - 1; i >= 0; --i) WriteBit((code >> i) & 1);
}

void BitWriter::WriteSe(int32_t v) {
  // Table 9-3: positive values map to odd code numbers.
  const int64_t x = v;
  WriteUe(static_cast<uint32_t>(x > 0 ? 2 * x - 1 : -2 * x));
}

void BitWriter::WriteTrailingBits() {
  WriteBit(true);
  while ((bits_ & 7) != 0) WriteBit(false);
}

}  // namespace sightline::media
