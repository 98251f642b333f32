// The `motion:` section: defaults, overrides, polygons, zones, events and their errors.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace sightline::config {
namespace {

using namespace test_util;

// A camera with a recorded main stream and an analysed sub stream; `motion` is put under the
// camera (indented by 4) and `top` at the top level.
std::string WithMotion(std::string_view camera_motion, std::string_view top = "") {
  std::string yaml = R"yaml(storage: {dirs: [/data]}
cameras:
  cam:
    streams:
      main: {url: rtsp://cam/main, roles: [record]}
      sub: {url: rtsp://cam/sub, roles: [detect]}
)yaml";
  if (!camera_motion.empty()) yaml += "    motion:\n" + std::string(camera_motion);
  yaml += top;
  return yaml;
}

TEST(ParseMotionTest, DefaultsDependOnADetectStream) {
  const Config c = ParseOk(R"yaml(storage: {dirs: [/data]}
cameras:
  analysed: {streams: {main: {url: rtsp://a/1, roles: [record, detect]}}}
  plain: {streams: {main: {url: rtsp://p/1, roles: [record]}}}
  off:
    motion: {enabled: false}
    streams: {main: {url: rtsp://o/1, roles: [record]}}
)yaml");
  ASSERT_EQ(c.cameras.size(), 3u);
  const MotionConfig& m = c.cameras[0].motion;
  EXPECT_TRUE(m.enabled);
  EXPECT_FALSE(m.threshold.has_value());
  EXPECT_FALSE(m.min_area.has_value());
  EXPECT_EQ(m.max_fps, 5);
  EXPECT_FALSE(m.keyframes_only);
  EXPECT_TRUE(m.mask.empty());
  EXPECT_TRUE(m.zones.empty());
  EXPECT_EQ(m.events.pre_capture_ms, 5000);
  EXPECT_EQ(m.events.post_capture_ms, 5000);
  EXPECT_EQ(m.events.min_duration_ms, 1000);
  EXPECT_EQ(m.events.merge_gap_ms, 10000);
  EXPECT_EQ(c.cameras[0].DetectStream()->name, "main");
  EXPECT_FALSE(c.cameras[1].motion.enabled);
  EXPECT_EQ(c.cameras[1].DetectStream(), nullptr);
  EXPECT_FALSE(c.cameras[2].motion.enabled);
}

TEST(ParseMotionTest, CameraKeysOverrideTopLevelKeysOneByOne) {
  const Config c = ParseOk(WithMotion("      threshold: 30\n"
                                      "      events: {post_capture: 30s}\n"
                                      "      mask: \"0,0,1,0,1,0.2\"\n",
                                      "motion:\n"
                                      "  threshold: 10\n"
                                      "  min_area: 0.001\n"
                                      "  max_fps: 2.5\n"
                                      "  keyframes_only: true\n"
                                      "  mask: [\"0,0.8,1,0.8,1,1\", \"0,0,0.1,0,0.1,0.1\"]\n"
                                      "  events: {pre_capture: 2s, post_capture: 3s, min_duration: 500ms, merge_gap: 1m}\n"));
  const MotionConfig& m = c.cameras[0].motion;
  EXPECT_TRUE(m.enabled);
  EXPECT_EQ(m.threshold, 30);
  EXPECT_EQ(m.min_area, 0.001);
  EXPECT_EQ(m.max_fps, 2.5);
  EXPECT_TRUE(m.keyframes_only);
  ASSERT_EQ(m.mask.size(), 1u) << "a camera's mask replaces the top level's";
  EXPECT_EQ(m.mask[0], (Polygon{{0, 0}, {1, 0}, {1, 0.2}}));
  EXPECT_EQ(m.events.pre_capture_ms, 2000);
  EXPECT_EQ(m.events.post_capture_ms, 30000);
  EXPECT_EQ(m.events.min_duration_ms, 500);
  EXPECT_EQ(m.events.merge_gap_ms, 60000);
}

TEST(ParseMotionTest, PolygonsInBothForms) {
  const Config c = ParseOk(WithMotion("      mask:\n"
                                      "        - 0,0, 0.5 ,0,0.5,0.5\n"
                                      "        - [[0.5, 0.5], [1, 0.5], [1, 1], [0.5, 1]]\n"
                                      "      zones:\n"
                                      "        door: {coordinates: \"0.1,0.1,0.2,0.1,0.2,0.2\"}\n"
                                      "        drive-way_2:\n"
                                      "          coordinates: [[0, 0], [1, 0], [1, 1e-1]]\n"
                                      "          min_area: 0\n"));
  const MotionConfig& m = c.cameras[0].motion;
  ASSERT_EQ(m.mask.size(), 2u);
  EXPECT_EQ(m.mask[0], (Polygon{{0, 0}, {0.5, 0}, {0.5, 0.5}}));
  EXPECT_EQ(m.mask[1], (Polygon{{0.5, 0.5}, {1, 0.5}, {1, 1}, {0.5, 1}}));
  ASSERT_EQ(m.zones.size(), 2u);
  EXPECT_EQ(m.zones[0].name, "door");
  EXPECT_EQ(m.zones[0].coordinates, (Polygon{{0.1, 0.1}, {0.2, 0.1}, {0.2, 0.2}}));
  EXPECT_FALSE(m.zones[0].min_area.has_value());
  EXPECT_EQ(m.zones[1].name, "drive-way_2");
  EXPECT_EQ(m.zones[1].coordinates, (Polygon{{0, 0}, {1, 0}, {1, 0.1}}));
  EXPECT_EQ(m.zones[1].min_area, 0);
}

TEST(ParseMotionTest, BadPolygonsNameTheCameraAndThePolygon) {
  EXPECT_EQ(Errors(WithMotion("      mask:\n"
                              "        - 0,0,1,0\n"
                              "        - 0,0,1.5,0,1,1\n"
                              "        - 0,0,1,0,1\n"
                              "        - 0,0,1,zero,1,1\n"
                              "        - 0,0,0.5,0.5,1,1\n"
                              "        - [0.1, 0.2]\n"
                              "        - [[0, 0], [1, 0], [1]]\n"
                              "        - {x: 1}\n")),
            "test.yaml:9:11: cameras.cam.motion.mask[0]: polygon mask[0] of camera cam needs at least 3 points, "
            "got 2\n"
            "test.yaml:10:11: cameras.cam.motion.mask[1]: polygon mask[1] of camera cam: point 2 (1.5, 0) is outside "
            "0..1 (coordinates are fractions of the picture's width and height, not pixels)\n"
            "test.yaml:11:11: cameras.cam.motion.mask[2]: polygon mask[2] of camera cam: 5 numbers, not x,y pairs "
            "(write \"x1,y1,x2,y2,...\")\n"
            "test.yaml:12:11: cameras.cam.motion.mask[3]: polygon mask[3] of camera cam: \"zero\" is not a number "
            "(write \"x1,y1,x2,y2,...\")\n"
            "test.yaml:13:11: cameras.cam.motion.mask[4]: polygon mask[4] of camera cam encloses no area (its "
            "points lie on one line)\n"
            "test.yaml:14:11: cameras.cam.motion.mask[5]: polygon mask[5] of camera cam: expected a polygon, got an "
            "[x, y] pair; mask is a list of polygons, so write one polygon of pairs as mask: [[[x1, y1], [x2, y2], "
            "...]]\n"
            "test.yaml:15:28: cameras.cam.motion.mask[6][2]: polygon mask[6] of camera cam: expected an [x, y] pair\n"
            "test.yaml:16:11: cameras.cam.motion.mask[7]: polygon mask[7] of camera cam: expected a polygon: a "
            "string \"x1,y1,x2,y2,...\" or a list of [x, y] pairs");
  EXPECT_EQ(Errors(WithMotion("", "motion:\n  zones:\n    door: {coordinates: [[0, 0], [2, 0], [1, 1]]}\n")),
            "test.yaml:9:25: motion.zones.door.coordinates: polygon of zone door of the top-level motion section: "
            "point 2 (2, 0) is outside 0..1 (coordinates are fractions of the picture's width and height, not "
            "pixels)");
}

TEST(ParseMotionTest, ZonesAndRanges) {
  EXPECT_EQ(Errors(WithMotion("      zones:\n"
                              "        front door: {coordinates: \"0,0,1,0,1,1\"}\n"
                              "        gate: {min_area: 1.5}\n"
                              "      threshold: 0\n"
                              "      min_area: -0.1\n"
                              "      max_fps: fast\n"
                              "      events: {pre_capture: 2m, merge_gap: 11m, post_capture: 5x}\n")),
            "test.yaml:9:9: cameras.cam.motion.zones.front door: zone name \"front door\" is not allowed: use 1 to 64 "
            "letters, digits, _ or - (zone names are stored with motion events)\n"
            "test.yaml:10:9: cameras.cam.motion.zones.gate: missing required key \"coordinates\"\n"
            "test.yaml:10:26: cameras.cam.motion.zones.gate.min_area: \"1.5\" is out of range: must be between 0 "
            "and 1 (a fraction of the zone)\n"
            "test.yaml:11:18: cameras.cam.motion.threshold: \"0\" is out of range: must be between 1 and 255 (grey "
            "levels)\n"
            "test.yaml:12:17: cameras.cam.motion.min_area: \"-0.1\" is out of range: must be between 0 and 1 (a "
            "fraction of the picture)\n"
            "test.yaml:13:16: cameras.cam.motion.max_fps: expected a number, got \"fast\"\n"
            "test.yaml:14:29: cameras.cam.motion.events.pre_capture: \"2m\" is out of range: must be at most 60s "
            "(retention tiers judge a segment 10 minutes after it ends)\n"
            "test.yaml:14:44: cameras.cam.motion.events.merge_gap: \"11m\" is out of range: must be at most 10m (an "
            "event ends only after post_capture and merge_gap of calm)\n"
            "test.yaml:14:63: cameras.cam.motion.events.post_capture: bad duration \"5x\": unknown unit \"x\" "
            "(units: ms, s, m, h, d)");
}

TEST(ParseMotionTest, MotionWithoutADetectStreamIsAnError) {
  const std::string no_detect = R"yaml(storage: {dirs: [/data]}
cameras:
  cam:
    streams: {main: {url: rtsp://cam/main, roles: [record]}}
)yaml";
  EXPECT_EQ(Errors(no_detect + "    motion: {enabled: true}\n"),
            "test.yaml:5:23: cameras.cam.motion.enabled: motion is enabled but no stream of camera cam has role "
            "detect: add detect to the roles of the stream to analyse (normally the substream)");
  EXPECT_EQ(Errors(no_detect + "    motion: {threshold: 30}\n"),
            "test.yaml:5:5: cameras.cam.motion: camera cam has motion settings but no stream with role detect: "
            "give a stream the detect role, or set motion.enabled to false");
  // Switched off, or only top-level defaults: fine.
  EXPECT_FALSE(ParseOk(no_detect + "    motion: {enabled: false, threshold: 30}\n").cameras[0].motion.enabled);
  EXPECT_FALSE(ParseOk(no_detect + "motion: {enabled: true, threshold: 30}\n").cameras[0].motion.enabled);
  // The top level switches motion off everywhere unless a camera switches it on again.
  const Config c = ParseOk(WithMotion("      enabled: true\n", "motion: {enabled: false}\n"));
  EXPECT_TRUE(c.cameras[0].motion.enabled);
  EXPECT_FALSE(ParseOk(WithMotion("", "motion: {enabled: false}\n")).cameras[0].motion.enabled);
}

}  // namespace
}  // namespace sightline::config
