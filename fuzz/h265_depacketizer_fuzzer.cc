// Fuzzes the H.265 depacketizer with arbitrary packet sequences; see depacketizer_fuzz.h for
// the input format and the invariants checked.

#include <cstddef>
#include <cstdint>

#include "depacketizer_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sightline::rtsp::fuzz::FuzzDepacketizer(sightline::media::Codec::kH265, data, size);
}
