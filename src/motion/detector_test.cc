#include "motion/detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <string>

#include "motion/event_tracker.h"
#include "motion/synthetic_scene.h"

namespace sightline::motion {
namespace {

constexpr int kWidth = 320;
constexpr int kHeight = 180;
constexpr int64_t kFps = 5;
constexpr int64_t kFrame90k = 90000 / kFps;

// Drives a Detector with a static textured scene plus whatever each test adds, one frame per
// 1/fps, and records what it reports.
class SceneRun {
 public:
  explicit SceneRun(DetectorOptions options = {}, int64_t fps = kFps, uint32_t seed = 7)
      : detector_(std::move(options)),
        scene_(TexturedScene(kWidth, kHeight, seed)),
        noise_(seed),
        frame_90k_(90000 / fps) {}

  const GreyPlane& scene() const { return scene_; }
  void set_scene(GreyPlane scene) { scene_ = std::move(scene); }
  NoiseSource& noise() { return noise_; }
  int frames() const { return frames_; }
  double seconds() const { return static_cast<double>(frames_) * frame_90k_ / 90000; }

  // Feeds `frame` as the next frame.
  FrameResult Feed(const GreyPlane& frame) {
    FrameResult r = detector_.Process(frame.view(), frames_ * frame_90k_);
    ++frames_;
    return r;
  }

  // The scene with sensor noise.
  GreyPlane Noisy(double sigma) {
    GreyPlane f = scene_;
    noise_.Add(&f, sigma);
    return f;
  }

  // Feeds `n` frames of the noisy static scene; returns how many reported motion.
  int FeedStatic(int n, double sigma = 3) {
    int motion = 0;
    for (int i = 0; i < n; ++i) motion += Feed(Noisy(sigma)).motion;
    return motion;
  }

 private:
  Detector detector_;
  GreyPlane scene_;
  NoiseSource noise_;
  int64_t frame_90k_;
  int frames_ = 0;
};

Rect PixelRect(int x, int y, int w, int h) {
  return Rect{static_cast<double>(x) / kWidth, static_cast<double>(y) / kHeight,
              static_cast<double>(w) / kWidth, static_cast<double>(h) / kHeight};
}

// A person-sized dark block moving right by 4 pixels a frame.
struct MovingBlock {
  int x = 40, y = 70, w = 14, h = 34, step = 4;
  uint8_t value = 20;
  void Draw(GreyPlane* f) const { FillRect(f, x, y, w, h, value); }
  Rect rect() const { return PixelRect(x, y, w, h); }
};

TEST(DetectorTest, FindsAMovingBlock) {
  SceneRun run;
  ASSERT_EQ(run.FeedStatic(25), 0);
  MovingBlock block;
  int found = 0;
  for (int i = 0; i < 40; ++i, block.x += block.step) {
    GreyPlane f = run.Noisy(3);
    block.Draw(&f);
    const FrameResult r = run.Feed(f);
    if (i < 2) continue;  // the first frames see a block that has not moved yet
    ASSERT_TRUE(r.motion) << "frame " << i;
    ++found;
    ASSERT_FALSE(r.boxes.empty());
    // The largest box is the block (plus the strip it uncovered), not far from it.
    const Rect box = r.boxes[0].rect;
    EXPECT_GT(IntersectionOverUnion(box, block.rect()), 0.4)
        << "frame " << i << " box " << ToString(box) << " block " << ToString(block.rect());
    EXPECT_GT(r.fraction, 0.5 * block.w * block.h / (kWidth * kHeight));
    EXPECT_LT(r.fraction, 3.0 * block.w * block.h / (kWidth * kHeight));
    // Grid bits where the block is and nowhere else.
    const int cx = (block.x + block.w / 2) * MotionGrid::kColumns / kWidth;
    const int cy = (block.y + block.h / 2) * MotionGrid::kRows / kHeight;
    EXPECT_TRUE(r.grid.Get(cx, cy)) << "frame " << i;
    MotionGrid near = MotionGrid::FromRect(
        PixelRect(block.x - block.step - 2, block.y - 2, block.w + block.step + 4, block.h + 4));
    MotionGrid outside = r.grid;
    for (int row = 0; row < MotionGrid::kRows; ++row) {
      for (int col = 0; col < MotionGrid::kColumns; ++col) {
        if (near.Get(col, row)) outside.Set(col, row, false);
      }
    }
    EXPECT_FALSE(outside.Any()) << "frame " << i << ": " << outside.Count() << " cells away";
    EXPECT_FALSE(r.global_change);
  }
  EXPECT_EQ(found, 38);
}

TEST(DetectorTest, StoppedBlockKeepsCountingForAWhile) {
  SceneRun run;
  ASSERT_EQ(run.FeedStatic(25), 0);
  MovingBlock block;
  for (int i = 0; i < 10; ++i, block.x += block.step) {
    GreyPlane f = run.Noisy(3);
    block.Draw(&f);
    run.Feed(f);
  }
  // Standing still for 10 s: still motion (someone who stops is still there).
  int motion = 0;
  for (int i = 0; i < 50; ++i) {
    GreyPlane f = run.Noisy(3);
    block.Draw(&f);
    motion += run.Feed(f).motion;
  }
  EXPECT_EQ(motion, 50);
}

TEST(DetectorTest, SensorNoiseIsNotMotion) {
  for (double sigma : {3.0, 6.0}) {
    SceneRun run;
    EXPECT_EQ(run.FeedStatic(5 * 60, sigma), 0) << "sigma " << sigma;
  }
}

TEST(DetectorTest, SlowIlluminationRampIsNotMotion) {
  // +40 grey levels over 60 s at 5 fps, then -40 back over 60 s.
  SceneRun run;
  const GreyPlane base = run.scene();
  int motion = 0, global = 0;
  for (int i = 0; i < 600; ++i) {
    const double t = i / 5.0;
    const double offset = t < 60 ? 40 * t / 60 : 40 - 40 * (t - 60) / 60;
    GreyPlane f = base;
    ApplyGainOffset(&f, 1.0, offset);
    run.noise().Add(&f, 3);
    const FrameResult r = run.Feed(f);
    motion += r.motion;
    global += r.global_change;
  }
  EXPECT_EQ(motion, 0);
  EXPECT_EQ(global, 0);
}

TEST(DetectorTest, SlowGainRampIsNotMotion) {
  // Exposure drifting by 30% over 60 s (a multiplicative ramp: bright parts move most).
  SceneRun run;
  const GreyPlane base = run.scene();
  int motion = 0;
  for (int i = 0; i < 300; ++i) {
    GreyPlane f = base;
    ApplyGainOffset(&f, 1.0 + 0.3 * i / 300, 0);
    run.noise().Add(&f, 3);
    motion += run.Feed(f).motion;
  }
  EXPECT_EQ(motion, 0);
}

TEST(DetectorTest, FlickerIsNotMotion) {
  // +-10 grey levels, sampled at 10 fps (5 Hz would alias to a constant there).
  for (double hz : {1.0, 2.5, 4.0}) {
    SceneRun run({}, /*fps=*/10);
    const GreyPlane base = run.scene();
    int motion = 0;
    for (int i = 0; i < 300; ++i) {
      GreyPlane f = base;
      ApplyGainOffset(&f, 1.0, 10 * std::sin(2 * std::numbers::pi * hz * i / 10.0));
      run.noise().Add(&f, 3);
      motion += run.Feed(f).motion;
    }
    EXPECT_EQ(motion, 0) << hz << " Hz";
  }
}

// An IR switch: the whole picture jumps from `from` to `to`, at once or blended over
// `transition_frames`. Not motion (except in the first frames of a blend, before the change is
// large enough to tell, and never an event); the model re-learns within about a second (or the
// global gain and offset correction explains the jump at once) and then finds a moving block
// again.
void CheckStepChange(const char* what, bool expect_global, uint8_t block_value,
                     int transition_frames, const GreyPlane& from, const GreyPlane& to) {
  SCOPED_TRACE(what);
  SceneRun run;
  run.set_scene(from);
  ASSERT_EQ(run.FeedStatic(50), 0);
  EventTracker events;
  int global = 0, motion = 0, learning_frames = 0, starts = 0;
  for (int i = 0; i < 25; ++i) {
    GreyPlane f = to;
    if (i + 1 < transition_frames) {
      const double w = (i + 1.0) / transition_frames;
      for (size_t p = 0; p < f.pixels.size(); ++p) {
        f.pixels[p] =
            static_cast<uint8_t>(std::lround(from.pixels[p] * (1 - w) + to.pixels[p] * w));
      }
    }
    run.noise().Add(&f, 3);
    const FrameResult r = run.Feed(f);
    global += r.global_change;
    motion += r.motion;
    if (r.learning) learning_frames = i + 1;
    for (const EventUpdate& u : events.Feed(i * 200'000, r))
      starts += u.kind == EventUpdate::Kind::kStart;
  }
  EXPECT_LE(motion, transition_frames - 1);
  EXPECT_EQ(starts, 0);
  if (expect_global) {
    EXPECT_GE(global, 1);
  }
  EXPECT_LE(learning_frames, 10) << "still learning after 2 s";
  run.set_scene(to);
  MovingBlock block;
  block.value = block_value;
  int found = 0;
  for (int i = 0; i < 20; ++i, block.x += block.step) {
    GreyPlane f = run.Noisy(3);
    block.Draw(&f);
    const FrameResult r = run.Feed(f);
    EXPECT_FALSE(r.global_change);
    if (i >= 2) found += r.motion;
  }
  EXPECT_EQ(found, 18);
}

GreyPlane WithGainOffset(GreyPlane f, double gain, double offset) {
  ApplyGainOffset(&f, gain, offset);
  return f;
}

// Under infrared, materials reflect differently: a different picture, not just a gain (here:
// half another scene, half the old one inverted).
GreyPlane Infrared(const GreyPlane& day) {
  GreyPlane f = TexturedScene(day.width, day.height, 99);
  for (size_t i = 0; i < f.pixels.size(); ++i) {
    f.pixels[i] = static_cast<uint8_t>((f.pixels[i] + 255 - day.pixels[i]) / 2);
  }
  return f;
}

TEST(DetectorTest, GlobalStepIsNotMotionAndRecovers) {
  const GreyPlane day = TexturedScene(kWidth, kHeight, 7);
  CheckStepChange("contrast and brightness", false, 20, 1, day, WithGainOffset(day, 0.6, 60));
  CheckStepChange("brighter", true, 20, 1, day, WithGainOffset(day, 1.0, 45));
  CheckStepChange("day to night", true, 200, 1, day, WithGainOffset(day, 0.4, -10));
  CheckStepChange("infrared", true, 20, 1, day, Infrared(day));
  // Cameras switch over a few frames (the filter moves, then exposure settles).
  CheckStepChange("infrared over 3 frames", true, 20, 3, day, Infrared(day));
  CheckStepChange("back from infrared over 4 frames", true, 20, 4, Infrared(day), day);
  CheckStepChange("lights on over 4 frames", true, 20, 4, WithGainOffset(day, 0.5, 0), day);
  // A dim, flat infrared picture back to day: most pixels change by less than the threshold,
  // only the sudden weak change everywhere gives it away.
  const GreyPlane other = TexturedScene(kWidth, kHeight, 77);
  CheckStepChange("back from a dim infrared picture over 3 frames", true, 20, 3,
                  WithGainOffset(Infrared(other), 0.8, 25), other);
}

TEST(DetectorTest, MaskExcludesItsArea) {
  DetectorOptions options;
  // The left half is masked.
  options.masks = {{{0, 0}, {0.5, 0}, {0.5, 1}, {0, 1}}};
  SceneRun run(options);
  ASSERT_EQ(run.FeedStatic(25), 0);
  MovingBlock block;  // starts at x = 40, moves right 4 px a frame
  bool seen_left = false, seen_right = false;
  for (int i = 0; i < 60; ++i, block.x += block.step) {
    GreyPlane f = run.Noisy(3);
    block.Draw(&f);
    const FrameResult r = run.Feed(f);
    if (block.x + block.w + block.step < kWidth / 2) {
      seen_left |= r.motion;
      EXPECT_FALSE(r.grid.Any());
    } else if (block.x >= kWidth / 2 + block.step && block.x + block.w < kWidth) {
      ASSERT_TRUE(r.motion) << "frame " << i;
      seen_right = true;
      for (const Box& b : r.boxes) EXPECT_GE(b.rect.x, 0.5) << ToString(b.rect);
      // Fractions are of the unmasked half.
      EXPECT_GT(r.fraction, 0.5 * block.w * block.h / (kWidth * kHeight / 2.0));
    }
  }
  EXPECT_FALSE(seen_left);
  EXPECT_TRUE(seen_right);
}

TEST(DetectorTest, ZoneReportsEntry) {
  DetectorOptions options;
  options.zones = {{"right", {{0.6, 0}, {1, 0}, {1, 1}, {0.6, 1}}, 0},
                   {"top", {{0, 0}, {1, 0}, {1, 0.2}, {0, 0.2}}, 0}};
  SceneRun run(options);
  ASSERT_EQ(run.FeedStatic(25), 0);
  MovingBlock block;
  int in_right = 0;
  for (int i = 0; i < 60 && block.x + block.w < kWidth; ++i, block.x += block.step) {
    GreyPlane f = run.Noisy(3);
    block.Draw(&f);
    const FrameResult r = run.Feed(f);
    for (const std::string& z : r.zones) EXPECT_NE(z, "top");
    const bool reported = !r.zones.empty() && r.zones[0] == "right";
    if (block.x + block.w < 0.6 * kWidth - 2) {
      EXPECT_FALSE(reported) << "frame " << i << " block at x " << block.x;
    } else if (block.x > 0.6 * kWidth) {
      EXPECT_TRUE(reported) << "frame " << i << " block at x " << block.x;
      ++in_right;
    }
  }
  EXPECT_GT(in_right, 10);
}

TEST(DetectorTest, ZoneMinimumAreaIsOfTheZone) {
  DetectorOptions options;
  // The block covers about 4% of this zone's area: too little for min_area_in_zone 0.2.
  options.zones = {{"big", {{0, 0}, {1, 0}, {1, 1}, {0, 1}}, 0.2},
                   {"small", {{0, 0}, {1, 0}, {1, 1}, {0, 1}}, 0.001}};
  SceneRun run(options);
  ASSERT_EQ(run.FeedStatic(25), 0);
  MovingBlock block;
  for (int i = 0; i < 10; ++i, block.x += block.step) {
    GreyPlane f = run.Noisy(3);
    block.Draw(&f);
    const FrameResult r = run.Feed(f);
    if (i < 2) continue;
    ASSERT_TRUE(r.motion);
    EXPECT_EQ(r.zones, std::vector<std::string>{"small"});
  }
}

TEST(DetectorTest, MinimumAreaDropsSmallBlobs) {
  DetectorOptions options;
  options.min_area = 0.01;  // 576 pixels at 320 x 180; the block moving covers ~ 600 changes
  SceneRun run(options);
  ASSERT_EQ(run.FeedStatic(25), 0);
  int motion = 0;
  for (int i = 0; i < 20; ++i) {
    GreyPlane f = run.Noisy(3);
    FillRect(&f, 40 + 4 * i, 70, 6, 6, 20);  // a small block moving
    motion += run.Feed(f).motion;
  }
  EXPECT_EQ(motion, 0);
}

TEST(DetectorTest, LargeFramesAreDownscaledAndResolutionChangeResets) {
  Detector detector{DetectorOptions{}};
  GreyPlane big = TexturedScene(960, 540, 3);
  EXPECT_TRUE(detector.Process(big.view(), 0).learning);
  for (int i = 1; i < 10; ++i) detector.Process(big.view(), i * kFrame90k);
  EXPECT_EQ(detector.Background().width, 320);
  EXPECT_EQ(detector.Background().height, 180);
  const FrameResult settled = detector.Process(big.view(), 10 * kFrame90k);
  EXPECT_FALSE(settled.learning);
  EXPECT_FALSE(settled.motion);

  GreyPlane other = TexturedScene(200, 150, 4);  // narrower than analysis_width: used as is
  const FrameResult r = detector.Process(other.view(), 11 * kFrame90k);
  EXPECT_TRUE(r.learning);
  EXPECT_FALSE(r.motion);
  EXPECT_EQ(detector.Background().width, 200);
  EXPECT_EQ(detector.Background().height, 150);
}

TEST(DetectorTest, ReadsStridedViews) {
  // The same picture, packed and inside a wider buffer, gives the same result.
  const GreyPlane scene = TexturedScene(kWidth, kHeight, 5);
  const int stride = kWidth + 64;
  std::vector<uint8_t> wide(static_cast<size_t>(stride) * kHeight, 255);
  auto strided = [&](const GreyPlane& f) {
    for (int y = 0; y < kHeight; ++y) {
      std::copy_n(&f.pixels[static_cast<size_t>(y) * kWidth], kWidth,
                  &wide[static_cast<size_t>(y) * stride]);
    }
    return GreyView{wide.data(), kWidth, kHeight, stride};
  };
  Detector packed{DetectorOptions{}}, padded{DetectorOptions{}};
  NoiseSource noise(1);
  for (int i = 0; i < 30; ++i) {
    GreyPlane f = scene;
    noise.Add(&f, 3);
    if (i > 20) FillRect(&f, 10 * i - 150, 50, 12, 30, 10);
    const FrameResult a = packed.Process(f.view(), i * kFrame90k);
    const FrameResult b = padded.Process(strided(f), i * kFrame90k);
    EXPECT_EQ(a.motion, b.motion);
    EXPECT_EQ(a.grid, b.grid);
    EXPECT_EQ(a.fraction, b.fraction);
  }
}

TEST(DetectorTest, ClampsOptionsOutOfRange) {
  DetectorOptions options;
  options.threshold = 1000;  // clamped to 255: nothing is ever changed by that much here
  options.noise_factor = std::nan("");
  options.background_seconds = -1;
  options.relearn_seconds = std::numeric_limits<double>::infinity();
  options.analysis_width = 1;
  const Detector detector(options);
  EXPECT_EQ(detector.options().threshold, 255);
  EXPECT_EQ(detector.options().noise_factor, DetectorOptions{}.noise_factor);
  EXPECT_GT(detector.options().background_seconds, 0);
  EXPECT_EQ(detector.options().relearn_seconds, DetectorOptions{}.relearn_seconds);
  EXPECT_EQ(detector.options().analysis_width, 32);
  SceneRun run(options);
  EXPECT_EQ(run.FeedStatic(20), 0);
}

TEST(DetectorTest, ValidatesOptions) {
  EXPECT_TRUE(ValidateDetectorOptions({}).ok());
  DetectorOptions o;
  o.threshold = 0;
  EXPECT_NE(ValidateDetectorOptions(o).message().find("threshold"), std::string::npos);
  o = {};
  o.zones = {{"door", {{0, 0}, {1, 0}, {0.5, -0.2}}, 0}};
  const Status s = ValidateDetectorOptions(o);
  EXPECT_NE(s.message().find("zones[0] (door): point 2: y -0.2 outside 0..1"), std::string::npos)
      << s;
  o.zones = {{"a", {{0, 0}, {1, 0}, {1, 1}}, 0}, {"a", {{0, 0}, {1, 0}, {1, 1}}, 0}};
  EXPECT_NE(ValidateDetectorOptions(o).message().find("duplicate"), std::string::npos);
  o = {};
  o.masks = {{{0, 0}, {1, 1}}};
  EXPECT_NE(ValidateDetectorOptions(o).message().find("masks[0]"), std::string::npos);
}

}  // namespace
}  // namespace sightline::motion
