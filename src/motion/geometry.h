#pragma once
// Normalised image geometry for masks, zones, boxes and region queries. Coordinates are in
// 0..1 of the picture's width and height, x to the right and y down from the top-left corner:
// the convention Frigate's users write masks and zones in, independent of the resolution.
// Plain values and pure functions.

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace sightline::motion {

struct Point {
  double x = 0;
  double y = 0;
  friend bool operator==(const Point&, const Point&) = default;
};

// A closed polygon: the last point connects back to the first. Self-intersecting polygons
// are allowed; their inside is defined by the even-odd rule (see Contains).
using Polygon = std::vector<Point>;

// Axis-aligned rectangle: top-left corner (x, y), width w and height h, all normalised.
struct Rect {
  double x = 0;
  double y = 0;
  double w = 0;
  double h = 0;

  double right() const { return x + w; }
  double bottom() const { return y + h; }
  double area() const { return w * h; }
  friend bool operator==(const Rect&, const Rect&) = default;
};

// The overlap of two rectangles (w = h = 0 when they are disjoint).
Rect Intersection(const Rect& a, const Rect& b);
// True when the rectangles share an area larger than zero.
bool Overlaps(const Rect& a, const Rect& b);
// Intersection over union, 0 when both are empty.
double IntersectionOverUnion(const Rect& a, const Rect& b);

// Even-odd rule: `p` is inside when a ray from it crosses the polygon's edges an odd number
// of times. A polygon of fewer than 3 points contains nothing.
bool Contains(const Polygon& polygon, Point p);

// Checks a polygon from a config file: at least 3 points, every coordinate finite and within
// 0..1. The error names the point ("point 2: x 1.4 outside 0..1").
Status ValidatePolygon(const Polygon& polygon);

// Sets to `value` every pixel of a width x height mask (row-major, one byte per pixel) whose
// centre ((i + 0.5) / width, (j + 0.5) / height) the polygon contains (even-odd rule, as
// Contains). Pixels outside are left as they are, so filling several polygons gives their union.
// Scanline fill: cost proportional to height x edges plus the pixels set.
void FillPolygon(const Polygon& polygon, int width, int height, uint8_t value,
                 std::vector<uint8_t>* mask);

// A width x height mask with 1 where any of `polygons` contains the pixel centre, else 0.
std::vector<uint8_t> RasterizePolygons(const std::vector<Polygon>& polygons, int width, int height);

// "x,y,w,h" with 4 decimals, for logs and test messages.
std::string ToString(const Rect& r);

}  // namespace sightline::motion
