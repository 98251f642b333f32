// The `motion:` section (top level and per camera): detector sensitivity, frame rate, masks,
// zones and event timing. Polygons are written as Frigate's "x1,y1,x2,y2,..." string or as a
// YAML list of [x, y] pairs, in 0..1 picture coordinates.

#include <cmath>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include "config/parse_sections.h"

namespace sightline::config {
namespace {

constexpr std::string_view kMotionKeys[] = {"enabled", "threshold", "min_area",   "max_fps",
                                            "keyframes_only", "mask", "zones", "events"};
constexpr std::string_view kZoneKeys[] = {"coordinates", "min_area"};
constexpr std::string_view kEventKeys[] = {"pre_capture", "post_capture", "min_duration", "merge_gap"};
constexpr std::span<const std::string_view> kAnyName;

constexpr int64_t kMaxThreshold = 255;  // grey levels
constexpr double kMaxFps = 120;
// An event is stored once min_duration of motion has passed and reaches back pre_capture;
// the retention tiers judge a segment only 10 minutes after it ended (docs/design/storage.md),
// so these two stay well below that. An event ends only after post_capture + merge_gap of
// calm, so those are bounded too, to keep events from staying open for ever.
constexpr int64_t kMaxLeadMs = 60 * 1000;
constexpr int64_t kMaxTailMs = 10 * 60 * 1000;

std::string FormatPoint(const Point& p) {
  char text[64];
  std::snprintf(text, sizeof text, "(%g, %g)", p.x, p.y);
  return text;
}

// Twice the signed area (shoelace formula).
double DoubleArea(const Polygon& polygon) {
  double sum = 0;
  for (size_t i = 0; i < polygon.size(); ++i) {
    const Point& a = polygon[i];
    const Point& b = polygon[(i + 1) % polygon.size()];
    sum += a.x * b.y - b.x * a.y;
  }
  return sum;
}

// "x1,y1,x2,y2,...", spaces allowed around the numbers.
std::optional<Polygon> ParsePolygonText(Context& ctx, const Field& f, const std::string& text,
                                        const std::string& what) {
  std::vector<double> numbers;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    std::string_view item = std::string_view(text).substr(start, comma == std::string::npos ? std::string::npos
                                                                                           : comma - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    const std::optional<double> number = ParseNumber(item);
    if (!number) {
      f.Error(ctx, what + ": \"" + std::string(item) + "\" is not a number (write \"x1,y1,x2,y2,...\")");
      return std::nullopt;
    }
    numbers.push_back(*number);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (numbers.size() % 2 != 0) {
    f.Error(ctx, what + ": " + std::to_string(numbers.size()) +
                     " numbers, not x,y pairs (write \"x1,y1,x2,y2,...\")");
    return std::nullopt;
  }
  Polygon polygon;
  for (size_t i = 0; i < numbers.size(); i += 2) polygon.push_back({numbers[i], numbers[i + 1]});
  return polygon;
}

// A list of [x, y] pairs.
std::optional<Polygon> ParsePolygonPairs(Context& ctx, const Field& f, const std::string& what) {
  Polygon polygon;
  bool ok = true;
  for (const Field& item : ListItems(ctx, f)) {
    if (!item.value.IsSequence() || item.value.size() != 2) {
      item.Error(ctx, what + ": expected an [x, y] pair");
      ok = false;
      continue;
    }
    const std::vector<Field> xy = ListItems(ctx, item);
    if (xy.size() != 2) return std::nullopt;  // the budget ran out (reported)
    const std::optional<double> x = ReadNumber(ctx, xy[0]);
    const std::optional<double> y = ReadNumber(ctx, xy[1]);
    if (!x || !y) {
      ok = false;
      continue;
    }
    polygon.push_back({*x, *y});
  }
  if (!ok) return std::nullopt;
  return polygon;
}

// A polygon in either form, checked: at least 3 points, each within 0..1, some area.
// `what` names it in messages: "polygon mask[1] of camera front".
std::optional<Polygon> ReadPolygon(Context& ctx, const Field& f, const std::string& what) {
  std::optional<Polygon> polygon;
  if (f.value.IsScalar()) {
    polygon = ParsePolygonText(ctx, f, f.value.Scalar(), what);
  } else if (f.value.IsSequence()) {
    polygon = ParsePolygonPairs(ctx, f, what);
  } else {
    f.Error(ctx, what + ": expected a polygon: a string \"x1,y1,x2,y2,...\" or a list of [x, y] pairs");
  }
  if (!polygon) return std::nullopt;
  if (polygon->size() < 3) {
    f.Error(ctx, what + " needs at least 3 points, got " + std::to_string(polygon->size()));
    return std::nullopt;
  }
  for (size_t i = 0; i < polygon->size(); ++i) {
    const Point& p = (*polygon)[i];
    if (p.x < 0 || p.x > 1 || p.y < 0 || p.y > 1) {
      f.Error(ctx, what + ": point " + std::to_string(i + 1) + " " + FormatPoint(p) +
                       " is outside 0..1 (coordinates are fractions of the picture's width and height, "
                       "not pixels)");
      return std::nullopt;
    }
  }
  if (std::abs(DoubleArea(*polygon)) < 1e-9) {
    f.Error(ctx, what + " encloses no area (its points lie on one line)");
    return std::nullopt;
  }
  return polygon;
}

std::vector<Polygon> ParseMask(Context& ctx, const Field& f, std::string_view owner) {
  std::vector<Polygon> mask;
  // Frigate also writes a single polygon as a plain string.
  if (f.value.IsScalar()) {
    if (std::optional<Polygon> p = ReadPolygon(ctx, f, "mask polygon of " + std::string(owner))) {
      mask.push_back(std::move(*p));
    }
    return mask;
  }
  const std::vector<Field> items = ListItems(ctx, f);
  for (size_t i = 0; i < items.size(); ++i) {
    const Field& item = items[i];
    const std::string what = "polygon mask[" + std::to_string(i) + "] of " + std::string(owner);
    // [x, y] directly under mask: one polygon written without its enclosing list.
    if (item.value.IsSequence() && item.value.size() == 2 && item.value[0].IsScalar() &&
        item.value[1].IsScalar()) {
      item.Error(ctx, what + ": expected a polygon, got an [x, y] pair; mask is a list of polygons, so "
                             "write one polygon of pairs as mask: [[[x1, y1], [x2, y2], ...]]");
      continue;
    }
    if (std::optional<Polygon> p = ReadPolygon(ctx, item, what)) mask.push_back(std::move(*p));
  }
  return mask;
}

std::vector<MotionZone> ParseZones(Context& ctx, const Field& f, std::string_view owner) {
  std::vector<MotionZone> zones;
  const MapReader by_name(ctx, f, kAnyName);
  for (const Field& z : by_name.fields()) {
    CheckName(ctx, z, "zone", "zone names are stored with motion events");
    MotionZone zone;
    zone.name = z.key;
    const MapReader map(ctx, z, kZoneKeys);
    if (const Field* coordinates = map.Require("coordinates")) {
      const std::string what = "polygon of zone " + z.key + " of " + std::string(owner);
      if (std::optional<Polygon> p = ReadPolygon(ctx, *coordinates, what)) zone.coordinates = std::move(*p);
    }
    if (const Field* min_area = map.Find("min_area")) {
      if (std::optional<double> v = ReadNumber(ctx, *min_area)) {
        if (CheckRange(ctx, *min_area, *v, 0.0, 1.0, "between 0 and 1", "a fraction of the zone")) zone.min_area = *v;
      }
    }
    zones.push_back(std::move(zone));
  }
  return zones;
}

std::optional<int64_t> ReadEventDuration(Context& ctx, const MapReader& map, std::string_view key, int64_t max_ms,
                                         std::string_view range, std::string_view why) {
  const Field* f = map.Find(key);
  if (f == nullptr) return std::nullopt;
  std::optional<int64_t> ms = ReadDurationMs(ctx, *f);
  if (!ms || !CheckRange(ctx, *f, *ms, 0, max_ms, range, why)) return std::nullopt;
  return ms;
}

}  // namespace

MotionConfig MotionOverride::ApplyTo(MotionConfig m) const {
  if (enabled) m.enabled = *enabled;
  if (threshold) m.threshold = threshold;
  if (min_area) m.min_area = min_area;
  if (max_fps) m.max_fps = *max_fps;
  if (keyframes_only) m.keyframes_only = *keyframes_only;
  if (mask) m.mask = *mask;
  if (zones) m.zones = *zones;
  if (pre_capture_ms) m.events.pre_capture_ms = *pre_capture_ms;
  if (post_capture_ms) m.events.post_capture_ms = *post_capture_ms;
  if (min_duration_ms) m.events.min_duration_ms = *min_duration_ms;
  if (merge_gap_ms) m.events.merge_gap_ms = *merge_gap_ms;
  return m;
}

MotionOverride ParseMotion(Context& ctx, const Field& f, std::string_view owner) {
  MotionOverride out;
  const MapReader map(ctx, f, kMotionKeys);
  out.present = !map.fields().empty();
  if (const Field* enabled = map.Find("enabled")) {
    out.enabled = ReadBool(ctx, *enabled);
    out.enabled_pos = enabled->pos;
    out.enabled_path = enabled->path;
  }
  if (const Field* threshold = map.Find("threshold")) {
    if (std::optional<int64_t> v = ReadInt(ctx, *threshold)) {
      if (CheckRange(ctx, *threshold, *v, 1, kMaxThreshold, "between 1 and 255", "grey levels")) {
        out.threshold = static_cast<int>(*v);
      }
    }
  }
  if (const Field* min_area = map.Find("min_area")) {
    if (std::optional<double> v = ReadNumber(ctx, *min_area)) {
      if (CheckRange(ctx, *min_area, *v, 0.0, 1.0, "between 0 and 1", "a fraction of the picture")) out.min_area = *v;
    }
  }
  if (const Field* max_fps = map.Find("max_fps")) {
    if (std::optional<double> v = ReadNumber(ctx, *max_fps)) {
      if (CheckRange(ctx, *max_fps, *v, 0.0, kMaxFps, "between 0 and 120", "0 analyses every frame")) {
        out.max_fps = *v;
      }
    }
  }
  if (const Field* keyframes_only = map.Find("keyframes_only")) out.keyframes_only = ReadBool(ctx, *keyframes_only);
  if (const Field* mask = map.Find("mask")) out.mask = ParseMask(ctx, *mask, owner);
  if (const Field* zones = map.Find("zones")) out.zones = ParseZones(ctx, *zones, owner);
  if (const Field* events = map.Find("events")) {
    const MapReader e(ctx, *events, kEventKeys);
    out.pre_capture_ms = ReadEventDuration(ctx, e, "pre_capture", kMaxLeadMs, "at most 60s",
                                           "retention tiers judge a segment 10 minutes after it ends");
    out.min_duration_ms = ReadEventDuration(ctx, e, "min_duration", kMaxLeadMs, "at most 60s",
                                            "retention tiers judge a segment 10 minutes after it ends");
    out.post_capture_ms = ReadEventDuration(ctx, e, "post_capture", kMaxTailMs, "at most 10m",
                                            "an event ends only after post_capture and merge_gap of calm");
    out.merge_gap_ms = ReadEventDuration(ctx, e, "merge_gap", kMaxTailMs, "at most 10m",
                                         "an event ends only after post_capture and merge_gap of calm");
  }
  return out;
}

MotionConfig ResolveMotion(Context& ctx, const MotionOverride& top, const MotionOverride& camera,
                           const Field* camera_field, const CameraConfig& camera_config) {
  const bool has_detect = camera_config.DetectStream() != nullptr;
  MotionConfig m;
  m.enabled = has_detect;
  m = camera.ApplyTo(top.ApplyTo(m));
  if (has_detect) return m;
  // The top level's `enabled: true` means "where a detect stream exists"; a camera's own
  // settings without one would be silently ignored.
  if (camera.enabled == true) {
    ctx.Error(camera.enabled_pos, camera.enabled_path,
              "motion is enabled but no stream of camera " + camera_config.name +
                  " has role detect: add detect to the roles of the stream to analyse (normally the substream)");
  } else if (camera.present && camera.enabled != false && camera_field != nullptr) {
    camera_field->KeyError(ctx, "camera " + camera_config.name +
                                    " has motion settings but no stream with role detect: give a stream the "
                                    "detect role, or set motion.enabled to false");
  }
  m.enabled = false;
  return m;
}

}  // namespace sightline::config
