#pragma once
// Chroma subsampling factors (SubWidthC, SubHeightC) by ChromaArrayType: ITU-T H.264 and H.265
// Table 6-1, the same in both. Cropping and conformance-window offsets count chroma samples,
// so both SPS parsers scale them with these.

#include <cstdint>

namespace sightline::media {

struct ChromaSubsampling {
  uint64_t width = 1;   // SubWidthC
  uint64_t height = 1;  // SubHeightC
};

// chroma_array_type: 0 (monochrome or separate colour planes), 1 (4:2:0), 2 (4:2:2), 3 (4:4:4).
constexpr ChromaSubsampling ChromaSubsamplingFor(uint32_t chroma_array_type) {
  return {(chroma_array_type == 1 || chroma_array_type == 2) ? 2u : 1u, chroma_array_type == 1 ? 2u : 1u};
}

}  // namespace sightline::media
