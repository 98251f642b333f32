#include "tools/camsim/onvif_ptz.h"

#include <gtest/gtest.h>

namespace sightline::camsim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const MonoTime kT0 = MonoTime(seconds(1000));

TEST(PtzStateTest, ContinuousMoveIntegratesVelocityUntilStop) {
  PtzState ptz;
  ptz.ContinuousMove({0.5, -0.25, 0.1}, true, true, seconds(10), kT0);
  EXPECT_TRUE(ptz.PanTiltMoving(kT0 + seconds(1)));
  EXPECT_TRUE(ptz.ZoomMoving(kT0 + seconds(1)));
  PtzVector p = ptz.Position(kT0 + seconds(1));
  EXPECT_NEAR(p.pan, 0.5, 1e-9);
  EXPECT_NEAR(p.tilt, -0.25, 1e-9);
  EXPECT_NEAR(p.zoom, 0.1, 1e-9);
  ptz.Stop(true, false, kT0 + seconds(1));
  EXPECT_FALSE(ptz.PanTiltMoving(kT0 + seconds(2)));
  EXPECT_TRUE(ptz.ZoomMoving(kT0 + seconds(2)));
  p = ptz.Position(kT0 + seconds(2));
  EXPECT_NEAR(p.pan, 0.5, 1e-9);   // stopped
  EXPECT_NEAR(p.zoom, 0.2, 1e-9);  // still zooming
}

TEST(PtzStateTest, MovesEndAtTheirTimeoutAndAtTheEndsOfTheRanges) {
  PtzState ptz;
  ptz.ContinuousMove({1, 1, -1}, true, true, milliseconds(1500), kT0);
  const PtzVector p = ptz.Position(kT0 + seconds(60));
  EXPECT_NEAR(p.pan, 1, 1e-9);  // clamped
  EXPECT_NEAR(p.tilt, 1, 1e-9);
  EXPECT_NEAR(p.zoom, 0, 1e-9);  // zoom never below 0
  EXPECT_FALSE(ptz.PanTiltMoving(kT0 + seconds(2)));
  ptz.ContinuousMove({-0.2, 0, 0}, true, false, milliseconds(500), kT0 + seconds(60));
  EXPECT_NEAR(ptz.Position(kT0 + seconds(70)).pan, 0.9, 1e-9);  // 0.5 s at -0.2/s
}

TEST(PtzStateTest, AbsoluteAndRelativeMovesArriveAtOnceAndClamp) {
  PtzState ptz;
  ptz.MoveTo({0.3, 0.4, 0.5}, true, true, kT0);
  EXPECT_NEAR(ptz.Position(kT0).tilt, 0.4, 1e-9);
  ptz.MoveBy({1, 0, 0}, true, false, kT0);
  EXPECT_NEAR(ptz.Position(kT0).pan, 1, 1e-9);
  EXPECT_NEAR(ptz.Position(kT0).zoom, 0.5, 1e-9);  // zoom not given: unchanged
  ptz.MoveTo({0, 0, 7}, false, true, kT0);
  EXPECT_NEAR(ptz.Position(kT0).zoom, 1, 1e-9);
}

TEST(PtzStateTest, PresetsStoreReplaceGoAndGo) {
  PtzState ptz;
  ptz.MoveTo({0.1, 0.2, 0.3}, true, true, kT0);
  auto door = ptz.SetPreset("door", "", kT0);
  ASSERT_TRUE(door.ok());
  ptz.MoveTo({-0.5, -0.5, 0}, true, true, kT0);
  auto gate = ptz.SetPreset("gate", "", kT0);
  ASSERT_TRUE(gate.ok());
  EXPECT_NE(*door, *gate);
  ASSERT_TRUE(ptz.GotoPreset(*door, kT0).ok());
  EXPECT_NEAR(ptz.Position(kT0).pan, 0.1, 1e-9);
  // Replacing keeps the token.
  ptz.MoveTo({0.9, 0, 0}, true, true, kT0);
  auto again = ptz.SetPreset("", *door, kT0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *door);
  EXPECT_EQ(ptz.presets()[0].name, "door");
  EXPECT_NEAR(ptz.presets()[0].position.pan, 0.9, 1e-9);
  EXPECT_FALSE(ptz.SetPreset("x", "nope", kT0).ok());
  ASSERT_TRUE(ptz.RemovePreset(*gate).ok());
  EXPECT_EQ(ptz.presets().size(), 1u);
  EXPECT_EQ(ptz.GotoPreset(*gate, kT0).code(), StatusCode::kNotFound);
  EXPECT_EQ(ptz.RemovePreset(*gate).code(), StatusCode::kNotFound);
}

TEST(PtzStateTest, PresetsAreBounded) {
  PtzState ptz;
  for (size_t i = 0; i < PtzState::kMaxPresets; ++i) ASSERT_TRUE(ptz.SetPreset("p", "", kT0).ok());
  auto over = ptz.SetPreset("p", "", kT0);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace sightline::camsim
