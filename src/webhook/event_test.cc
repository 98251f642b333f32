// Which events an endpoint's filter lets through, and which filter entries the config accepts.
#include "webhook/event.h"

#include <gtest/gtest.h>

namespace sightline::webhook {
namespace {

Event Of(std::string type, std::string camera) { return {std::move(type), std::move(camera), 0, "{}"}; }

TEST(FilterTest, EmptyListsLetEverythingThrough) {
  const Filter f;
  for (std::string_view t : kEventTypes) EXPECT_TRUE(f.Matches(Of(std::string(t), "any")));
}

TEST(FilterTest, TypesFamiliesAndCameras) {
  const Filter f{.events = {"motion_event.end", "camera"}, .cameras = {"front", "yard"}};
  EXPECT_TRUE(f.Matches(Of("motion_event.end", "front")));
  EXPECT_FALSE(f.Matches(Of("motion_event.new", "front")));
  EXPECT_TRUE(f.Matches(Of("camera.offline", "yard")));
  EXPECT_TRUE(f.Matches(Of("camera.online", "yard")));
  EXPECT_FALSE(f.Matches(Of("camera.offline", "back")));
  // A family is the part before the dot, whole: no prefix matching.
  EXPECT_FALSE((Filter{.events = {"motion"}, .cameras = {}}).Matches(Of("motion_event.new", "front")));
}

TEST(FilterTest, KnownEntriesOnly) {
  for (std::string_view t : kEventTypes) EXPECT_TRUE(IsEventFilter(t));
  EXPECT_TRUE(IsEventFilter("motion_event"));
  EXPECT_TRUE(IsEventFilter("camera"));
  for (const char* bad : {"", "motion", "camera.", "motion_event.*", "*", "camera.rebooted", "Camera"}) {
    EXPECT_FALSE(IsEventFilter(bad)) << bad;
  }
}

}  // namespace
}  // namespace sightline::webhook
