#include "motion/synthetic_scene.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace sightline::motion {

namespace {

uint8_t Clamp8(double v) { return static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L)); }

}  // namespace

GreyPlane TexturedScene(int width, int height, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  struct Shape {
    double cx, cy, r, amplitude;
  };
  std::vector<Shape> shapes(24);
  for (Shape& s : shapes) s = {unit(rng), unit(rng), 0.03 + 0.12 * unit(rng), 80 * unit(rng) - 40};
  const double gx = 40 * unit(rng) - 20, gy = 60 * unit(rng) - 30;
  std::normal_distribution<double> texture(0, 10);
  GreyPlane plane(width, height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double u = (x + 0.5) / width, v = (y + 0.5) / height;
      double value = 125 + gx * (u - 0.5) + gy * (v - 0.5);
      for (const Shape& s : shapes) {
        const double dx = (u - s.cx) * width / height, dy = v - s.cy;
        // Soft-edged discs: an edge about 2% of the height wide.
        const double d = (std::sqrt(dx * dx + dy * dy) - s.r) / 0.02;
        value += s.amplitude / (1 + std::exp(d));
      }
      value += texture(rng);
      plane.at(x, y) = Clamp8(std::clamp(value, 30.0, 220.0));
    }
  }
  return plane;
}

NoiseSource::NoiseSource(uint32_t seed) : table_(1 << 16), state_(seed | 1) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  for (float& v : table_) v = normal(rng);
}

void NoiseSource::Add(GreyPlane* plane, double sigma) {
  const float s = static_cast<float>(sigma);
  for (uint8_t& p : plane->pixels) {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    p = Clamp8(p + s * table_[state_ & (table_.size() - 1)]);
  }
}

void ApplyGainOffset(GreyPlane* plane, double gain, double offset) {
  for (uint8_t& p : plane->pixels) p = Clamp8(gain * p + offset);
}

void FillRect(GreyPlane* plane, int x, int y, int w, int h, uint8_t value) {
  const int x0 = std::max(x, 0), x1 = std::min(x + w, plane->width);
  const int y0 = std::max(y, 0), y1 = std::min(y + h, plane->height);
  for (int yy = y0; yy < y1; ++yy) {
    for (int xx = x0; xx < x1; ++xx) plane->at(xx, yy) = value;
  }
}

}  // namespace sightline::motion
