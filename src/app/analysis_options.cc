#include "app/analysis_options.h"

namespace sightline::app {
namespace {

motion::Polygon ToPolygon(const config::Polygon& p) {
  motion::Polygon out;
  for (const config::Point& pt : p) out.push_back({pt.x, pt.y});
  return out;
}

}  // namespace

analysis::AnalyzerOptions AnalyzerOptionsFrom(const config::CameraConfig& camera) {
  analysis::AnalyzerOptions options;
  const config::StreamConfig* detect = camera.DetectStream();
  options.name = "camera=" + camera.name + " stream=" + (detect != nullptr ? detect->name : "none");
  const config::MotionConfig& m = camera.motion;
  if (m.threshold.has_value()) options.detector.threshold = *m.threshold;
  if (m.min_area.has_value()) options.detector.min_area = *m.min_area;
  for (const config::Polygon& p : m.mask) options.detector.masks.push_back(ToPolygon(p));
  for (const config::MotionZone& z : m.zones) {
    options.detector.zones.push_back({z.name, ToPolygon(z.coordinates), z.min_area.value_or(0)});
  }
  options.events.pre_capture_us = m.events.pre_capture_ms * 1000;
  options.events.post_capture_us = m.events.post_capture_ms * 1000;
  options.events.min_duration_us = m.events.min_duration_ms * 1000;
  options.events.merge_gap_us = m.events.merge_gap_ms * 1000;
  options.max_fps = m.max_fps;
  options.keyframes_only = m.keyframes_only;
  return options;
}

}  // namespace sightline::app
