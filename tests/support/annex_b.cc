#include "support/annex_b.h"

#include <string>

namespace sightline::testing {
namespace {

// Position of the next 0x000001 at or after `from`, or data.size().
size_t FindStartCode(ByteSpan data, size_t from) {
  for (size_t i = from; i + 3 <= data.size(); ++i) {
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) return i;
  }
  return data.size();
}

}  // namespace

Result<Bytes> AnnexBToLengthPrefixed(ByteSpan annex_b) {
  size_t first = 0;
  while (first < annex_b.size() && annex_b[first] == 0) ++first;
  if (first < 2 || first >= annex_b.size() || annex_b[first] != 1) {
    return InvalidArgumentError("Annex B: data does not start with a start code");
  }
  Bytes out;
  out.reserve(annex_b.size() + 16);
  size_t begin = first + 1;
  while (begin < annex_b.size()) {
    const size_t next = FindStartCode(annex_b, begin);
    size_t end = next;
    while (end > begin && annex_b[end - 1] == 0) --end;
    if (end == begin) {
      return InvalidArgumentError("Annex B: empty NAL unit at byte " + std::to_string(begin));
    }
    AppendBe32(out, static_cast<uint32_t>(end - begin));
    AppendBytes(out, annex_b.subspan(begin, end - begin));
    begin = next + 3;
  }
  return out;
}

Result<Bytes> ToFourByteLengths(ByteSpan data, int length_size) {
  if (length_size != 1 && length_size != 2 && length_size != 4) {
    return InvalidArgumentError("NAL length size " + std::to_string(length_size) +
                                " is not 1, 2 or 4");
  }
  Bytes out;
  out.reserve(data.size() + 16);
  size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < static_cast<size_t>(length_size)) {
      return InvalidArgumentError("NAL length field truncated at byte " + std::to_string(pos));
    }
    size_t n = 0;
    for (int i = 0; i < length_size; ++i) n = n << 8 | data[pos + i];
    pos += length_size;
    if (n > data.size() - pos) {
      return InvalidArgumentError("NAL unit of " + std::to_string(n) + " bytes at byte " +
                                  std::to_string(pos) + " overruns the sample");
    }
    AppendBe32(out, static_cast<uint32_t>(n));
    AppendBytes(out, data.subspan(pos, n));
    pos += n;
  }
  return out;
}

}  // namespace sightline::testing
