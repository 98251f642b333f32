#include "decode/downscale.h"

#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sightline::decode {
namespace {

// out[x] = (a[2x] + a[2x+1] + b[2x] + b[2x+1] + 2) / 4: media::Downscale's rounding for
// 2x2 boxes.
void HalveRow(const uint8_t* a, const uint8_t* b, uint8_t* out, int out_width) {
  int x = 0;
#if defined(__SSE2__)
  const __m128i low_bytes = _mm_set1_epi16(0x00ff);
  const __m128i two = _mm_set1_epi16(2);
  // The even and odd pixels of 16 bytes of a row as 16-bit lanes, summed pairwise.
  auto pair_sums = [&](const uint8_t* p) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return _mm_add_epi16(_mm_and_si128(v, low_bytes), _mm_srli_epi16(v, 8));
  };
  for (; x + 16 <= out_width; x += 16) {
    const int s = 2 * x;
    const __m128i lo = _mm_add_epi16(_mm_add_epi16(pair_sums(a + s), pair_sums(b + s)), two);
    const __m128i hi =
        _mm_add_epi16(_mm_add_epi16(pair_sums(a + s + 16), pair_sums(b + s + 16)), two);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + x),
                     _mm_packus_epi16(_mm_srli_epi16(lo, 2), _mm_srli_epi16(hi, 2)));
  }
#endif
  for (; x < out_width; ++x) {
    out[x] = static_cast<uint8_t>((a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1] + 2) >> 2);
  }
}

}  // namespace

media::GreyPlane FastDownscale(media::GreyView src, int out_width, int out_height) {
  if (src.empty() || out_width < 1 || out_height < 1 || src.width != 2 * out_width ||
      src.height != 2 * out_height) {
    return media::Downscale(src, out_width, out_height);
  }
  media::GreyPlane out(out_width, out_height);
  for (int y = 0; y < out_height; ++y) {
    const uint8_t* a = src.data + static_cast<ptrdiff_t>(2 * y) * src.stride;
    HalveRow(a, a + src.stride, &out.pixels[static_cast<size_t>(y) * out_width], out_width);
  }
  return out;
}

}  // namespace sightline::decode
