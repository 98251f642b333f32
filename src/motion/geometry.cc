#include "motion/geometry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sightline::motion {

Rect Intersection(const Rect& a, const Rect& b) {
  const double x0 = std::max(a.x, b.x);
  const double y0 = std::max(a.y, b.y);
  const double x1 = std::min(a.right(), b.right());
  const double y1 = std::min(a.bottom(), b.bottom());
  if (x1 <= x0 || y1 <= y0) return Rect{x0, y0, 0, 0};
  return Rect{x0, y0, x1 - x0, y1 - y0};
}

bool Overlaps(const Rect& a, const Rect& b) { return Intersection(a, b).area() > 0; }

double IntersectionOverUnion(const Rect& a, const Rect& b) {
  const double inter = Intersection(a, b).area();
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0;
}

namespace {

// The x where edge a-b crosses the horizontal line at y, if it does. Half-open in y (an edge
// covers y0 <= y < y1), so a line through a vertex counts the two edges meeting there once
// between them, and horizontal edges never count: the usual even-odd crossing rule.
bool Crossing(Point a, Point b, double y, double* x) {
  if ((a.y <= y) == (b.y <= y)) return false;
  *x = a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y);
  return true;
}

}  // namespace

bool Contains(const Polygon& polygon, Point p) {
  if (polygon.size() < 3) return false;
  bool inside = false;
  for (size_t i = 0, j = polygon.size() - 1; i < polygon.size(); j = i++) {
    double x;
    if (Crossing(polygon[j], polygon[i], p.y, &x) && x > p.x) inside = !inside;
  }
  return inside;
}

Status ValidatePolygon(const Polygon& polygon) {
  if (polygon.size() < 3) {
    return InvalidArgumentError("polygon has " + std::to_string(polygon.size()) +
                                " points, needs at least 3");
  }
  for (size_t i = 0; i < polygon.size(); ++i) {
    for (const auto& [name, v] : {std::pair{"x", polygon[i].x}, std::pair{"y", polygon[i].y}}) {
      if (!std::isfinite(v) || v < 0 || v > 1) {
        char buf[96];
        std::snprintf(buf, sizeof(buf), "point %zu: %s %g outside 0..1", i, name, v);
        return InvalidArgumentError(buf);
      }
    }
  }
  return Status::Ok();
}

void FillPolygon(const Polygon& polygon, int width, int height, uint8_t value,
                 std::vector<uint8_t>* mask) {
  if (polygon.size() < 3 || width <= 0 || height <= 0) return;
  mask->resize(static_cast<size_t>(width) * height);
  std::vector<double> xs;
  for (int j = 0; j < height; ++j) {
    const double y = (j + 0.5) / height;
    xs.clear();
    for (size_t i = 0, k = polygon.size() - 1; i < polygon.size(); k = i++) {
      double x;
      if (Crossing(polygon[k], polygon[i], y, &x)) xs.push_back(x);
    }
    std::sort(xs.begin(), xs.end());
    // Contains(p) is true when an odd number of crossings lie right of p.x, i.e. when p.x lies
    // in [xs[0], xs[1]), [xs[2], xs[3]), ... (xs has an even size: the polygon is closed).
    // Pixel i's centre (i + 0.5) / width >= a  <=>  i >= a * width - 0.5.
    for (size_t k = 0; k + 1 < xs.size(); k += 2) {
      const double a = std::ceil(xs[k] * width - 0.5);
      const double b = std::ceil(xs[k + 1] * width - 0.5);
      const int i0 = static_cast<int>(std::clamp(a, 0.0, static_cast<double>(width)));
      const int i1 = static_cast<int>(std::clamp(b, 0.0, static_cast<double>(width)));
      uint8_t* row = mask->data() + static_cast<size_t>(j) * width;
      std::fill(row + i0, row + std::max(i0, i1), value);
    }
  }
}

std::vector<uint8_t> RasterizePolygons(const std::vector<Polygon>& polygons, int width,
                                       int height) {
  std::vector<uint8_t> mask(static_cast<size_t>(std::max(width, 0)) * std::max(height, 0), 0);
  for (const Polygon& p : polygons) FillPolygon(p, width, height, 1, &mask);
  return mask;
}

std::string ToString(const Rect& r) {
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%.4f,%.4f,%.4f,%.4f", r.x, r.y, r.w, r.h);
  return buf;
}

}  // namespace sightline::motion
