#pragma once
// SyntaxReader: reads named syntax elements of an H.264/H.265 RBSP on top of BitReader and
// turns any failure into a Status that names the structure, the element and its bit offset
// ("H.264 SPS: pic_width_in_mbs_minus1 at bit 50: truncated"), with range checks taken from
// the semantics clauses so that later arithmetic on the values cannot overflow.
//
// Does not own its bytes: the span must outlive the reader. Not thread-safe (one per parse).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "media/bit_reader.h"

namespace sightline::media {

class SyntaxReader {
 public:
  // `structure` prefixes every error, e.g. "H.265 VPS".
  SyntaxReader(std::string_view structure, ByteSpan rbsp) : structure_(structure), bits_(rbsp) {}

  Status U(int n, std::string_view element, uint32_t* v);
  Status Flag(std::string_view element, bool* v);
  Status Ue(std::string_view element, uint32_t max, uint32_t* v);
  Status Se(std::string_view element, int32_t min, int32_t max, int32_t* v);
  Status Skip(size_t n, std::string_view element);

  // An InvalidArgument error about `element` at the current position.
  Status Error(std::string_view element, std::string_view what) const;

  const BitReader& bits() const { return bits_; }

 private:
  Status ErrorAt(size_t bit, std::string_view element, std::string_view what) const;

  std::string structure_;
  BitReader bits_;
};

}  // namespace sightline::media
