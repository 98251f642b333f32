#pragma once
// The motion detector: per analysed grey frame, is something moving, where, and in which zones.
// A per-pixel running background with a per-pixel noise estimate, compensation of global
// brightness changes, masks, morphological cleanup and connected components; see
// docs/design/motion.md for the algorithm and the reasons.
//
// Pure computation: no I/O, no clocks (time comes from the frames' pts), no threads. One
// Detector per analysed stream; not thread-safe (one thread calls Process at a time, any thread
// may do so). Memory: about 17 bytes per analysis pixel (~1 MB at 320 x 180).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "motion/geometry.h"
#include "media/grey.h"
#include "motion/motion_grid.h"

namespace sightline::motion {

// The motion code's picture types (media/grey.h).
using media::GreyPlane;
using media::GreyView;

struct Zone {
  std::string name;
  Polygon polygon;
  // The zone reports motion when pixels of counted blobs cover at least this fraction of the
  // zone's own unmasked area; 0 means any pixel of a counted blob inside the zone.
  double min_area_in_zone = 0;
};

// Plain settings with the defaults users get (filled from the `motion:` config section).
struct DetectorOptions {
  // Sensitivity: a pixel has changed when it differs from the background by more than this
  // many grey levels (of 255) and by more than noise_factor times its own noise estimate.
  int threshold = 20;
  double noise_factor = 3.0;
  // A blob of changed pixels counts as motion when it covers at least this fraction of the
  // unmasked picture (at 320 x 180, 0.0005 is about 29 pixels).
  double min_area = 0.0005;
  // Frames are downscaled to this width (aspect kept) before anything else; a narrower frame
  // is used as it is.
  int analysis_width = 320;
  // Areas never analysed (privacy masks, trees, a busy road). Their pixels are not changed,
  // not in any blob and not part of the "unmasked picture" fractions refer to.
  std::vector<Polygon> masks;
  std::vector<Zone> zones;
  // When more than this fraction of the unmasked picture changes at once, with a coherent
  // brightness shift or spread over most of the picture (lights, IR switch, lightning, auto
  // exposure), or more than 1.5 x this fraction in any case, the frame is a global change: no
  // motion is reported and the background is re-learnt from the following frames. A large
  // object close to the camera changes one region, not the whole picture, and stays motion.
  // The exact rules: docs/design/motion.md, "What a global change is".
  double global_change_fraction = 0.25;
  // Time constant with which the background follows pixels seen as background.
  double background_seconds = 4;
  // Time constant with which pixels seen as changed are absorbed into the background: a
  // person who stops keeps counting as motion for a good part of this.
  double foreground_seconds = 60;
  // After a global change the background is re-learnt within about this long; no motion is
  // reported meanwhile (FrameResult::learning).
  double relearn_seconds = 1.0;
};

// OK when every field is in range; otherwise an error naming the field and the zone or mask
// ("zones[1] (door): point 0: y -0.2 outside 0..1").
Status ValidateDetectorOptions(const DetectorOptions& options);

// One connected region of changed pixels that counted as motion.
struct Box {
  Rect rect;                 // normalised bounding box
  double area_fraction = 0;  // its changed pixels / unmasked pixels
};

struct FrameResult {
  bool motion = false;  // at least one blob counted
  // The changed part of the unmasked picture: pixels in counted blobs / unmasked pixels. On a
  // global-change frame, the changed fraction that made it one.
  double fraction = 0;
  std::vector<Box> boxes;          // counted blobs, largest first
  MotionGrid grid;                 // cells holding a pixel of a counted blob
  std::vector<std::string> zones;  // zones with motion in this frame, in options order
  bool global_change = false;      // this frame was a global change (motion is false)
  bool learning = false;           // the model is (re)learning: motion is false
};

class Detector {
 public:
  // Out-of-range options are clamped to something safe (never undefined behaviour); check
  // them first with ValidateDetectorOptions to report them.
  explicit Detector(DetectorOptions options);
  ~Detector();
  Detector(Detector&&) noexcept;
  Detector& operator=(Detector&&) noexcept;

  // Analyses the next frame. The time elapsed since the previous frame sets the learning
  // rates: gaps are capped at 1 s (skipped GOPs do not wipe the model), and a pts that does not
  // advance counts as 0.1 s. The first frame, and a frame of another resolution, (re)start the
  // model: learning, no motion.
  // Cost: ~0.17 ms of CPU per 320 x 180 frame on the 2-core test machine (PETS2009 with
  // people walking, bench_motion_eval), plus the downscale: one pass over the input.
  FrameResult Process(GreyView frame, int64_t pts_90k);

  // Forgets the model; the next frame starts learning again.
  void Reset();

  const DetectorOptions& options() const { return options_; }

  // The current background estimate at the analysis size (empty before the first frame), for
  // debugging and tools.
  GreyPlane Background() const;

 private:
  struct Model;
  DetectorOptions options_;
  std::unique_ptr<Model> model_;
};

}  // namespace sightline::motion
