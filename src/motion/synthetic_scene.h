#pragma once
// Deterministic synthetic grey scenes for the detector's tests and the accuracy benchmark's
// idle scenes: a textured static background, sensor noise, brightness changes and moving
// blocks. Pure functions; the random ones take their generator so runs repeat exactly.

#include <cstdint>
#include <vector>

#include "media/grey.h"

namespace sightline::motion {

// The motion code's picture types (media/grey.h).
using media::GreyPlane;
using media::GreyView;

// A static scene with structure at several scales (gradients, soft shapes, fine texture),
// grey levels within about 30..220, different for every seed.
GreyPlane TexturedScene(int width, int height, uint32_t seed);

// Gaussian sensor noise, cheap enough for sequences of thousands of frames: normal samples
// from a table indexed by a xorshift generator (std::normal_distribution costs ~20 ns a
// sample). Deterministic for a seed.
class NoiseSource {
 public:
  explicit NoiseSource(uint32_t seed);
  // Adds noise of standard deviation `sigma` grey levels to every pixel (clamped).
  void Add(GreyPlane* plane, double sigma);

 private:
  std::vector<float> table_;  // 2^16 samples of N(0, 1)
  uint32_t state_;
};

// Every pixel v becomes clamp(gain * v + offset): exposure, lights, flicker.
void ApplyGainOffset(GreyPlane* plane, double gain, double offset);

// Fills the rectangle (clipped to the plane) with `value`.
void FillRect(GreyPlane* plane, int x, int y, int w, int h, uint8_t value);

}  // namespace sightline::motion
