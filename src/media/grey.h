#pragma once
// Grey (luma) planes, the only picture type the motion code sees: a non-owning view for input
// straight from a decoder (any stride) and an owning plane for copies and scaled pictures.
// Plain values, no threads; a GreyView is valid only while the memory it points at lives.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sightline::media {

// width x height 8-bit pixels, row y starting at data + y * stride (stride >= width).
struct GreyView {
  const uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  int stride = 0;

  uint8_t at(int x, int y) const { return data[static_cast<size_t>(y) * stride + x]; }
  bool empty() const { return data == nullptr || width <= 0 || height <= 0; }
};

// An owning, tightly packed plane (stride == width).
struct GreyPlane {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height bytes, row-major

  GreyPlane() = default;
  GreyPlane(int w, int h, uint8_t fill = 0)
      : width(w), height(h), pixels(static_cast<size_t>(w) * h, fill) {}

  GreyView view() const { return {pixels.data(), width, height, width}; }
  uint8_t& at(int x, int y) { return pixels[static_cast<size_t>(y) * width + x]; }
  uint8_t at(int x, int y) const { return pixels[static_cast<size_t>(y) * width + x]; }
};

// The size `src` has when scaled to `width` columns keeping its aspect ratio (height rounded,
// at least 1). A source narrower than `width` keeps its size: the detector never upscales.
void ScaledSize(int src_width, int src_height, int width, int* out_width, int* out_height);

// Box-filter (area-average) downscale to out_width x out_height, each no larger than the
// source's. Averaging whole source areas also removes most sensor noise and block artefacts.
// Copies when the sizes are equal. Cost: one pass over the source.
GreyPlane Downscale(GreyView src, int out_width, int out_height);

// A copy of `src` in a packed plane.
GreyPlane Copy(GreyView src);

}  // namespace sightline::media
