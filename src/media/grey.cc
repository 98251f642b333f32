#include "media/grey.h"

#include <algorithm>
#include <cstring>

namespace sightline::media {

void ScaledSize(int src_width, int src_height, int width, int* out_width, int* out_height) {
  if (src_width <= 0 || src_height <= 0) {
    *out_width = *out_height = 0;
    return;
  }
  if (width <= 0 || width >= src_width) {
    *out_width = src_width;
    *out_height = src_height;
    return;
  }
  *out_width = width;
  const int64_t h = (int64_t{src_height} * width + src_width / 2) / src_width;
  *out_height = static_cast<int>(std::clamp<int64_t>(h, 1, src_height));
}

GreyPlane Copy(GreyView src) {
  GreyPlane out(src.width, src.height);
  for (int y = 0; y < src.height; ++y) {
    std::memcpy(&out.pixels[static_cast<size_t>(y) * src.width],
                src.data + static_cast<size_t>(y) * src.stride, src.width);
  }
  return out;
}

GreyPlane Downscale(GreyView src, int out_width, int out_height) {
  out_width = std::clamp(out_width, 1, std::max(1, src.width));
  out_height = std::clamp(out_height, 1, std::max(1, src.height));
  if (src.empty()) return GreyPlane();
  if (out_width == src.width && out_height == src.height) return Copy(src);

  // Output column x averages source columns [x0[x], x0[x + 1]); rows likewise. Every source
  // pixel lands in exactly one output pixel, so the cost is one pass over the source.
  std::vector<int> x0(out_width + 1);
  for (int x = 0; x <= out_width; ++x) x0[x] = static_cast<int>(int64_t{x} * src.width / out_width);
  GreyPlane out(out_width, out_height);
  std::vector<uint32_t> column_sums(src.width);
  for (int y = 0; y < out_height; ++y) {
    const int r0 = static_cast<int>(int64_t{y} * src.height / out_height);
    const int r1 = static_cast<int>(int64_t{y + 1} * src.height / out_height);
    std::fill(column_sums.begin(), column_sums.end(), 0);
    for (int r = r0; r < r1; ++r) {
      const uint8_t* row = src.data + static_cast<size_t>(r) * src.stride;
      for (int c = 0; c < src.width; ++c) column_sums[c] += row[c];
    }
    uint8_t* dst = &out.pixels[static_cast<size_t>(y) * out_width];
    const uint32_t rows = static_cast<uint32_t>(r1 - r0);
    for (int x = 0; x < out_width; ++x) {
      uint32_t sum = 0;
      for (int c = x0[x]; c < x0[x + 1]; ++c) sum += column_sums[c];
      const uint32_t count = rows * static_cast<uint32_t>(x0[x + 1] - x0[x]);
      dst[x] = static_cast<uint8_t>((sum + count / 2) / count);
    }
  }
  return out;
}

}  // namespace sightline::media
