#include "motion/detector.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <set>

// The per-pixel loops get an AVX2 clone besides the baseline x86-64 (SSE2) one, picked at
// load time by the CPU (GCC function multi-versioning); other targets compile them once.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SIGHTLINE_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SIGHTLINE_VECTOR_CLONES
#endif

namespace sightline::motion {

using media::Downscale;
using media::ScaledSize;

namespace {

// Pixel values, backgrounds and deviations are grey levels in Q8 fixed point (x 256), held in
// uint16_t (0..65280); learning rates are Q15 fractions. (I - B) * alpha then fits an int32.
constexpr int kQ = 8;
constexpr int kOne = 1 << kQ;
constexpr int kAlphaBits = 15;
constexpr int kAlphaMax = (1 << kAlphaBits) - 1;
constexpr int kGainBits = 12;

// The frame gap the learning rates use is capped: a decoder that skipped a few GOPs must not
// make the background jump to the next frame.
constexpr double kMaxGapSeconds = 1.0;
// A pts that does not advance counts as one frame at 10 fps.
constexpr double kDefaultGapSeconds = 0.1;
// sigma ~= 1.25 x mean absolute deviation for Gaussian noise (sqrt(pi / 2)).
constexpr double kSigmaPerDeviation = 1.2533;
// Deviations are capped so that a pixel that was once very busy can still see motion.
constexpr int kMaxDeviation = 40 * kOne;
// A pixel counts as changed after cleanup when at least this many of its 3 x 3 neighbourhood
// (itself included) are changed: removes isolated pixels and fills pinholes.
constexpr int kMorphologyMinCount = 4;
// Every kSampleStep-th pixel in both directions feeds the global brightness fit.
constexpr int kSampleStep = 3;
constexpr int kMinFitSamples = 64;
// A global change touches the whole picture: at least this fraction of the grid cells (that
// have unmasked pixels) hold changed pixels. A large object close to the camera covers a
// region instead.
constexpr double kGlobalSpread = 0.6;
// A sudden weak change is a global change: more than global_change_fraction of the picture
// changed by half the threshold, within a second of frames where less than kQuietFraction of
// that had, spread over kSuddenSpread of the cells in use.
constexpr double kQuietFraction = 0.25;
constexpr double kSuddenSpread = 0.5;
// An implausible gain fit makes a global change once this part of global_change_fraction
// changed.
constexpr double kImplausibleGainMinFraction = 0.2;
// A cell holds changes when at least 1/8 of its unmasked pixels changed.
constexpr int kCellChangedDivisor = 8;

int AlphaQ15(double dt_s, double tau_s) {
  if (tau_s <= 0) return kAlphaMax;
  return std::clamp(static_cast<int>(std::lround((1 - std::exp(-dt_s / tau_s)) * 32768)), 0,
                    kAlphaMax);
}

// Moves `value` towards `target` by alpha (Q15), rounding to nearest.
inline int Blend(int value, int target, int alpha) {
  return value + (((target - value) * alpha + (1 << (kAlphaBits - 1))) >> kAlphaBits);
}

// Disjoint-set forest over provisional labels, for two-pass connected-component labelling.
int FindRoot(std::vector<int32_t>& parent, int32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

void Unite(std::vector<int32_t>& parent, int32_t a, int32_t b) {
  a = FindRoot(parent, a);
  b = FindRoot(parent, b);
  if (a < b) {
    parent[b] = a;
  } else if (b < a) {
    parent[a] = b;
  }
}

struct Blob {
  int count = 0;
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // inclusive bounds
};

// What Classify found, as fractions of the unmasked pixels.
struct Changes {
  double compensated = 0;  // changed after the global correction
  double raw = 0;          // changed without it
  double weak = 0;         // changed by half the threshold after the correction
};

// The global brightness change between background and frame, I ~= gain * B + offset.
struct GlobalFit {
  int gain_q12 = 1 << kGainBits;
  int offset_q8 = 0;
  double mean_shift = 0;  // mean |gain * B + offset - B| over the samples, grey levels
};

// The background corrected for the global change, Q8. Fits an int32: gain < 2^13. Takes the
// fit's fields as values so that the vectorised loops keep them in registers.
inline int Predict(int background_q8, int gain_q12, int offset_q8) {
  return ((background_q8 * gain_q12 + (1 << (kGainBits - 1))) >> kGainBits) + offset_q8;
}

// An option outside [lo, hi] is clamped; one that is not a number takes `fallback`.
double Sanitize(double v, double lo, double hi, double fallback) {
  return std::isfinite(v) ? std::clamp(v, lo, hi) : fallback;
}

}  // namespace

Status ValidateDetectorOptions(const DetectorOptions& o) {
  auto out_of_range = [](const char* field, double v, const char* range) {
    char buf[128];
    std::snprintf(buf, sizeof(buf), "motion options: %s %g outside %s", field, v, range);
    return InvalidArgumentError(buf);
  };
  if (o.threshold < 1 || o.threshold > 255) return out_of_range("threshold", o.threshold, "1..255");
  if (!(o.noise_factor >= 0 && o.noise_factor <= 20)) {
    return out_of_range("noise_factor", o.noise_factor, "0..20");
  }
  if (!(o.min_area >= 0 && o.min_area <= 1)) return out_of_range("min_area", o.min_area, "0..1");
  if (o.analysis_width < 32 || o.analysis_width > 3840) {
    return out_of_range("analysis_width", o.analysis_width, "32..3840");
  }
  if (!(o.global_change_fraction > 0 && o.global_change_fraction <= 1)) {
    return out_of_range("global_change_fraction", o.global_change_fraction, "(0, 1]");
  }
  for (const auto& [name, v] : {std::pair{"background_seconds", o.background_seconds},
                                std::pair{"foreground_seconds", o.foreground_seconds},
                                std::pair{"relearn_seconds", o.relearn_seconds}}) {
    if (!(v > 0 && v <= 3600)) return out_of_range(name, v, "(0, 3600]");
  }
  for (size_t i = 0; i < o.masks.size(); ++i) {
    Status s = ValidatePolygon(o.masks[i]);
    if (!s.ok())
      return std::move(s).WithContext("motion options: masks[" + std::to_string(i) + "]");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < o.zones.size(); ++i) {
    const Zone& z = o.zones[i];
    const std::string where = "motion options: zones[" + std::to_string(i) + "] (" + z.name + ")";
    if (z.name.empty()) return InvalidArgumentError(where + ": empty name");
    if (!names.insert(z.name).second) return InvalidArgumentError(where + ": duplicate name");
    Status s = ValidatePolygon(z.polygon);
    if (!s.ok()) return std::move(s).WithContext(where);
    if (!(z.min_area_in_zone >= 0 && z.min_area_in_zone <= 1)) {
      return InvalidArgumentError(where + ": min_area_in_zone outside 0..1");
    }
  }
  return Status::Ok();
}

struct Detector::Model {
  int src_width = 0, src_height = 0;  // the input size this model was built for
  int width = 0, height = 0;          // the analysis size
  std::vector<uint8_t> mask;          // 1: masked, never analysed
  int unmasked = 0;
  std::vector<std::vector<uint8_t>> zone_masks;
  std::vector<int> zone_pixels;
  std::vector<uint8_t> cell_x, cell_y;  // grid column of each x, grid row of each y
  std::vector<int> cell_x0;             // first x of each grid column, and width at the end
  std::vector<int> cell_pixels;         // unmasked pixels per grid cell
  int cells_in_use = 0;                 // cells with unmasked pixels
  int threshold_q8 = 0;                 // options.threshold
  int noise_q4 = 0;                     // noise_factor x sigma per deviation, Q4

  bool seeded = false;
  int64_t last_pts_90k = 0;
  int64_t learn_until_90k = 0;  // learning (non-selective, fast) while pts < this
  int learn_frames = 0;         // frames since the last (re)seed
  // (pts, Changes::weak) of the frames of the last second since learning ended.
  std::deque<std::pair<int64_t, double>> recent_weak;

  std::vector<uint16_t> image;       // this frame, downscaled and blurred, Q8
  std::vector<uint16_t> background;  // Q8
  std::vector<uint16_t> deviation;   // mean absolute deviation from the background, Q8
  // Per pixel: 0 background, 1 changed (Classify), 2 changed but matching a neighbour's
  // background, so background after all (MatchNeighbours).
  std::vector<uint8_t> changed;
  std::vector<uint8_t> any_change;   // raw or weak change (Classify), for Spread
  std::vector<uint8_t> column_sums;  // scratch for Clean, width + 2
  std::vector<uint8_t> cleaned;      // after morphology
  std::vector<int32_t> labels;       // connected-component root per cleaned pixel
  std::vector<uint8_t> in_motion;    // pixels of counted blobs
  std::vector<int32_t> parent;
  std::vector<uint16_t> row_blur;  // scratch for the separable blur
  GreyPlane scaled;                // scratch for the downscale

  Model(const DetectorOptions& options, int src_w, int src_h)
      : src_width(src_w), src_height(src_h) {
    ScaledSize(src_w, src_h, options.analysis_width, &width, &height);
    threshold_q8 = options.threshold * kOne;
    noise_q4 = static_cast<int>(std::lround(options.noise_factor * kSigmaPerDeviation * 16));
    const size_t n = static_cast<size_t>(width) * height;
    mask = RasterizePolygons(options.masks, width, height);
    unmasked = static_cast<int>(std::count(mask.begin(), mask.end(), 0));
    for (const Zone& zone : options.zones) {
      std::vector<uint8_t> z = RasterizePolygons({zone.polygon}, width, height);
      for (size_t i = 0; i < n; ++i) z[i] &= static_cast<uint8_t>(!mask[i]);
      zone_pixels.push_back(static_cast<int>(std::count(z.begin(), z.end(), 1)));
      zone_masks.push_back(std::move(z));
    }
    cell_x.resize(width);
    cell_y.resize(height);
    for (int x = 0; x < width; ++x)
      cell_x[x] = static_cast<uint8_t>(x * MotionGrid::kColumns / width);
    cell_x0.resize(MotionGrid::kColumns + 1);
    for (int c = 0; c <= MotionGrid::kColumns; ++c) {
      cell_x0[c] = (c * width + MotionGrid::kColumns - 1) / MotionGrid::kColumns;
    }
    for (int y = 0; y < height; ++y)
      cell_y[y] = static_cast<uint8_t>(y * MotionGrid::kRows / height);
    cell_pixels.assign(MotionGrid::kCells, 0);
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        if (!mask[static_cast<size_t>(y) * width + x]) ++cell_pixels[Cell(x, y)];
      }
    }
    cells_in_use = static_cast<int>(
        std::count_if(cell_pixels.begin(), cell_pixels.end(), [](int c) { return c > 0; }));
    image.resize(n);
    background.resize(n);
    deviation.resize(n);
    changed.resize(n);
    any_change.resize(n);
    column_sums.assign(width + 2, 0);
    cleaned.resize(n);
    labels.resize(n);
    in_motion.resize(n);
    row_blur.resize(n);
  }

  int Cell(int x, int y) const { return cell_y[y] * MotionGrid::kColumns + cell_x[x]; }
  // max(threshold, k x sigma) of pixel i, Q8.
  int Threshold(size_t i) const { return std::max(threshold_q8, (deviation[i] * noise_q4) >> 4); }

  // The steps of Detector::Process, in order.
  void Seed(const DetectorOptions& options, int64_t pts_90k);
  void Learn(const DetectorOptions& options, double dt_s);
  Changes Classify(const GlobalFit& fit);
  double Spread() const;
  bool IsGlobalChange(const DetectorOptions& options, const GlobalFit& fit, const Changes& changes,
                      int64_t pts_90k);
  void MatchNeighbours(const GlobalFit& fit);
  void Clean();
  void Label(const DetectorOptions& options, FrameResult* result);
  void Update(const DetectorOptions& options, double dt_s, const GlobalFit& fit);
};

Detector::Detector(DetectorOptions options) : options_(std::move(options)) {
  const DetectorOptions defaults;
  DetectorOptions& o = options_;
  o.threshold = std::clamp(o.threshold, 1, 255);
  o.noise_factor = Sanitize(o.noise_factor, 0, 20, defaults.noise_factor);
  o.min_area = Sanitize(o.min_area, 0, 1, defaults.min_area);
  o.analysis_width = std::clamp(o.analysis_width, 32, 3840);
  o.global_change_fraction =
      Sanitize(o.global_change_fraction, 0.01, 1, defaults.global_change_fraction);
  o.background_seconds = Sanitize(o.background_seconds, 0.01, 3600, defaults.background_seconds);
  o.foreground_seconds = Sanitize(o.foreground_seconds, 0.01, 3600, defaults.foreground_seconds);
  o.relearn_seconds = Sanitize(o.relearn_seconds, 0.01, 3600, defaults.relearn_seconds);
  for (Zone& z : o.zones) z.min_area_in_zone = Sanitize(z.min_area_in_zone, 0, 1, 0);
}

Detector::~Detector() = default;
Detector::Detector(Detector&&) noexcept = default;
Detector& Detector::operator=(Detector&&) noexcept = default;

void Detector::Reset() { model_.reset(); }

GreyPlane Detector::Background() const {
  if (!model_ || !model_->seeded) return GreyPlane();
  GreyPlane out(model_->width, model_->height);
  for (size_t i = 0; i < out.pixels.size(); ++i) {
    out.pixels[i] = static_cast<uint8_t>((model_->background[i] + kOne / 2) >> kQ);
  }
  return out;
}

namespace {

// [1 2 1] x [1 2 1] / 16 blur of `src` into Q8 (the /16 and the x256 make a x16): removes
// what is left of pixel noise and 8x8 block edges after the downscale. Edges are clamped.
void Blur(GreyView src, std::vector<uint16_t>& tmp, std::vector<uint16_t>& out) {
  const int w = src.width, h = src.height;
  for (int y = 0; y < h; ++y) {
    const uint8_t* s = src.data + static_cast<size_t>(y) * src.stride;
    uint16_t* t = &tmp[static_cast<size_t>(y) * w];
    if (w == 1) {
      t[0] = static_cast<uint16_t>(4 * s[0]);
      continue;
    }
    t[0] = static_cast<uint16_t>(3 * s[0] + s[1]);
    for (int x = 1; x < w - 1; ++x) t[x] = static_cast<uint16_t>(s[x - 1] + 2 * s[x] + s[x + 1]);
    t[w - 1] = static_cast<uint16_t>(s[w - 2] + 3 * s[w - 1]);
  }
  for (int y = 0; y < h; ++y) {
    const uint16_t* up = &tmp[static_cast<size_t>(std::max(y - 1, 0)) * w];
    const uint16_t* mid = &tmp[static_cast<size_t>(y) * w];
    const uint16_t* down = &tmp[static_cast<size_t>(std::min(y + 1, h - 1)) * w];
    uint16_t* o = &out[static_cast<size_t>(y) * w];
    for (int x = 0; x < w; ++x) o[x] = static_cast<uint16_t>((up[x] + 2 * mid[x] + down[x]) << 4);
  }
}

// Fits I ~= gain * B + offset over a sparse sample of unmasked pixels, robustly: the median
// of I - B first, then least squares over the pixels within twice the threshold of it, so that
// moving objects (outliers) do not pull the fit. A flat background (no spread to fit a gain
// on) gets an offset only.
GlobalFit FitGlobalChange(const std::vector<uint16_t>& image, const std::vector<uint16_t>& bg,
                          const std::vector<uint8_t>& mask, int width, int height,
                          int threshold_q8) {
  std::array<int, 512> histogram{};
  int samples = 0;
  for (int y = kSampleStep / 2; y < height; y += kSampleStep) {
    for (int x = kSampleStep / 2; x < width; x += kSampleStep) {
      const size_t i = static_cast<size_t>(y) * width + x;
      if (mask[i]) continue;
      ++histogram[((static_cast<int>(image[i]) - bg[i]) >> kQ) + 256];
      ++samples;
    }
  }
  GlobalFit fit;
  if (samples < kMinFitSamples) return fit;
  int median_bin = 0;
  for (int seen = 0; median_bin < 511; ++median_bin) {
    seen += histogram[median_bin];
    if (2 * seen >= samples) break;
  }
  const int median_q8 = (median_bin - 256) * kOne + kOne / 2;

  double n = 0, sb = 0, si = 0, sbb = 0, sbi = 0;
  for (int y = kSampleStep / 2; y < height; y += kSampleStep) {
    for (int x = kSampleStep / 2; x < width; x += kSampleStep) {
      const size_t i = static_cast<size_t>(y) * width + x;
      if (mask[i]) continue;
      if (std::abs(static_cast<int>(image[i]) - bg[i] - median_q8) > 2 * threshold_q8) continue;
      const double b = bg[i], v = image[i];
      n += 1;
      sb += b;
      si += v;
      sbb += b * b;
      sbi += b * v;
    }
  }
  if (n < kMinFitSamples) return fit;
  double gain = 1, offset = (si - sb) / n;
  const double var_b = sbb / n - (sb / n) * (sb / n);
  // Fit a gain only when the background spans more than a few grey levels (std > 8).
  if (var_b > 64.0 * kOne * kOne) {
    gain = std::clamp((sbi / n - (sb / n) * (si / n)) / var_b, 0.25, 2.0);
    offset = (si - gain * sb) / n;
  }
  fit.gain_q12 = static_cast<int>(std::lround(gain * (1 << kGainBits)));
  fit.offset_q8 = static_cast<int>(std::lround(offset));
  double shift = 0;
  int count = 0;
  for (int y = kSampleStep / 2; y < height; y += kSampleStep * 2) {
    for (int x = kSampleStep / 2; x < width; x += kSampleStep * 2) {
      const size_t i = static_cast<size_t>(y) * width + x;
      if (mask[i]) continue;
      shift += std::abs((gain - 1) * bg[i] + offset);
      ++count;
    }
  }
  fit.mean_shift = count ? shift / count / kOne : 0;
  return fit;
}

}  // namespace

FrameResult Detector::Process(GreyView frame, int64_t pts_90k) {
  FrameResult result;
  if (frame.empty()) return result;
  if (!model_ || model_->src_width != frame.width || model_->src_height != frame.height) {
    model_ = std::make_unique<Model>(options_, frame.width, frame.height);
  }
  Model& m = *model_;
  GreyView small = frame;
  if (m.width != frame.width || m.height != frame.height) {
    m.scaled = Downscale(frame, m.width, m.height);
    small = m.scaled.view();
  }
  Blur(small, m.row_blur, m.image);

  if (!m.seeded) {
    m.Seed(options_, pts_90k);
    result.learning = true;
    return result;
  }
  double dt_s = static_cast<double>(pts_90k - m.last_pts_90k) / 90000;
  if (dt_s <= 0) dt_s = kDefaultGapSeconds;
  dt_s = std::min(dt_s, kMaxGapSeconds);
  m.last_pts_90k = std::max(m.last_pts_90k, pts_90k);

  if (pts_90k < m.learn_until_90k) {
    m.Learn(options_, dt_s);
    result.learning = true;
    return result;
  }

  const GlobalFit fit =
      FitGlobalChange(m.image, m.background, m.mask, m.width, m.height, m.threshold_q8);
  const Changes changes = m.Classify(fit);
  if (m.IsGlobalChange(options_, fit, changes, pts_90k)) {
    m.Seed(options_, pts_90k);
    result.global_change = true;
    result.learning = true;
    result.fraction = std::max(changes.raw, changes.compensated);
    return result;
  }

  m.MatchNeighbours(fit);
  m.Clean();
  m.Label(options_, &result);
  m.Update(options_, dt_s, fit);
  return result;
}

void Detector::Model::Seed(const DetectorOptions& options, int64_t pts_90k) {
  if (!seeded) {
    // Start with the deviation that makes the noise term equal the fixed threshold.
    const double k = std::max(options.noise_factor * kSigmaPerDeviation, 1.0);
    std::fill(deviation.begin(), deviation.end(),
              static_cast<uint16_t>(std::min<double>(threshold_q8 / k, kMaxDeviation)));
    seeded = true;
    last_pts_90k = pts_90k;
  }
  background = image;
  learn_until_90k = pts_90k + static_cast<int64_t>(options.relearn_seconds * 90000);
  learn_frames = 1;
  recent_weak.clear();
}

// A global change: most of the picture changed; or a large part, with a coherent brightness
// shift or all over the picture (an IR switch changes how every material looks); or a large
// part changed at least weakly all over the picture within a second of a quiet picture (an IR
// switch or a light change over a few frames, which may move many pixels by less than the
// threshold; a crowd builds up more slowly); or the relation between background and frame is
// no longer a plausible gain (below 1/2 or above 2: the picture's structure changed). The fit
// ignores pixels far from the median change, so moving objects, even large ones, do not move
// the gain.
bool Detector::Model::IsGlobalChange(const DetectorOptions& options, const GlobalFit& fit,
                                     const Changes& changes, int64_t pts_90k) {
  const double global = options.global_change_fraction;
  double quiet_before = 1;  // the least weak-change fraction of the last second's frames
  for (const auto& [pts, f] : recent_weak) quiet_before = std::min(quiet_before, f);
  while (!recent_weak.empty() && recent_weak.front().first < pts_90k - 90000) {
    recent_weak.pop_front();
  }
  recent_weak.emplace_back(pts_90k, changes.weak);

  double spread = -1;  // computed once, when needed
  auto spread_at_least = [&](double s) {
    if (spread < 0) spread = Spread();
    return spread >= s;
  };
  const bool implausible_gain =
      fit.gain_q12 <= (1 << kGainBits) / 2 || fit.gain_q12 >= 2 << kGainBits;
  const bool sudden = changes.weak > global && quiet_before < global * kQuietFraction;
  return changes.compensated > 1.5 * global ||
         (std::max(changes.raw, changes.compensated) > global &&
          (fit.mean_shift * 2 >= options.threshold || spread_at_least(kGlobalSpread))) ||
         (sudden && spread_at_least(kSuddenSpread)) ||
         (implausible_gain && changes.raw > global * kImplausibleGainMinFraction);
}

// Learning after a (re)seed: every pixel follows the frames quickly, as a running mean at
// first and then with a time constant of a third of relearn_seconds; nothing is reported.
// The per-pixel loops here and below run on restrict pointers (a byte or uint16_t store may
// otherwise alias anything) and without branches, so that the compiler vectorises them.
SIGHTLINE_VECTOR_CLONES void Detector::Model::Learn(const DetectorOptions& options, double dt_s) {
  ++learn_frames;
  const int alpha = std::max(AlphaQ15(dt_s, options.relearn_seconds / 3), kAlphaMax / learn_frames);
  const size_t n = image.size();
  const uint16_t* __restrict img = image.data();
  uint16_t* __restrict bg = background.data();
  uint16_t* __restrict dev = deviation.data();
  for (size_t i = 0; i < n; ++i) {
    const int v = img[i];
    const int b = bg[i];
    dev[i] = static_cast<uint16_t>(std::min(Blend(dev[i], std::abs(v - b), alpha), kMaxDeviation));
    bg[i] = static_cast<uint16_t>(Blend(b, v, alpha));
  }
}

// A pixel has changed when it differs from its background, corrected for the global
// brightness change, by more than max(threshold, k * sigma). For the global-change test, also
// counts the pixels that differ that much without the correction, and those that differ by
// half as much with it, and marks both kinds in any_change. With Update, most of the cost.
SIGHTLINE_VECTOR_CLONES Changes Detector::Model::Classify(const GlobalFit& fit) {
  const size_t n = image.size();
  const int thr_floor = threshold_q8, noise = noise_q4;
  const int gain = fit.gain_q12, offset = fit.offset_q8;
  const uint16_t* __restrict img = image.data();
  const uint16_t* __restrict bg = background.data();
  const uint16_t* __restrict dev = deviation.data();
  const uint8_t* __restrict masked = mask.data();
  uint8_t* __restrict chg = changed.data();
  uint8_t* __restrict any = any_change.data();
  int compensated_count = 0, raw_count = 0, weak_count = 0;
  for (size_t i = 0; i < n; ++i) {
    const int v = img[i];
    const int b = bg[i];
    const int thr = std::max(thr_floor, (dev[i] * noise) >> 4);
    const int keep = masked[i] ^ 1;
    const int residual = std::abs(v - Predict(b, gain, offset));
    const int compensated = (residual > thr) & keep;
    const int weak = (2 * residual > thr) & keep;
    const int raw = (std::abs(v - b) > thr) & keep;
    chg[i] = static_cast<uint8_t>(compensated);
    any[i] = static_cast<uint8_t>(weak | raw);
    compensated_count += compensated;
    raw_count += raw;
    weak_count += weak;
  }
  const double pixels = std::max(unmasked, 1);
  return Changes{compensated_count / pixels, raw_count / pixels, weak_count / pixels};
}

// The fraction of the grid cells in use where at least 1/kCellChangedDivisor of the pixels
// are marked in any_change.
double Detector::Model::Spread() const {
  int spread_cells = 0;
  std::array<int, MotionGrid::kColumns> counts{};
  for (int y = 0; y < height; ++y) {
    const uint8_t* row = &any_change[static_cast<size_t>(y) * width];
    for (int cx = 0; cx < MotionGrid::kColumns; ++cx) {
      int sum = 0;
      for (int x = cell_x0[cx]; x < cell_x0[cx + 1]; ++x) sum += row[x];
      counts[cx] += sum;
    }
    if (y + 1 == height || cell_y[y + 1] != cell_y[y]) {
      for (int cx = 0; cx < MotionGrid::kColumns; ++cx) {
        const int pixels = cell_pixels[cell_y[y] * MotionGrid::kColumns + cx];
        spread_cells += pixels > 0 && counts[cx] * kCellChangedDivisor >= pixels;
      }
      counts.fill(0);
    }
  }
  return cells_in_use ? static_cast<double>(spread_cells) / cells_in_use : 0;
}

// A changed pixel that matches the background of an unchanged 8-neighbour is background
// after all (changed = 2): this absorbs a sub-pixel shake of the camera, and erodes ghosts
// (background uncovered by an object that was there when the model was seeded) from their
// edges inwards. Only changed pixels are visited: memchr skips the rest many bytes at a time.
void Detector::Model::MatchNeighbours(const GlobalFit& fit) {
  const int w = width, h = height;
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = &changed[static_cast<size_t>(y) * w];
    for (int x = 0; x < w; ++x) {
      const void* next = std::memchr(row + x, 1, w - x);
      if (!next) break;
      x = static_cast<int>(static_cast<const uint8_t*>(next) - row);
      const size_t i = static_cast<size_t>(y) * w + x;
      const int v = image[i];
      const int thr = Threshold(i);
      bool matched = false;
      for (int yy = std::max(y - 1, 0); yy <= std::min(y + 1, h - 1) && !matched; ++yy) {
        for (int xx = std::max(x - 1, 0); xx <= std::min(x + 1, w - 1); ++xx) {
          const size_t j = static_cast<size_t>(yy) * w + xx;
          if (mask[j] || changed[j] != 0) continue;  // skips the pixel itself too
          if (std::abs(v - Predict(background[j], fit.gain_q12, fit.offset_q8)) <= thr) {
            matched = true;
            break;
          }
        }
      }
      if (matched) changed[i] = 2;
    }
  }
}

// Morphological cleanup: a pixel is kept when at least kMorphologyMinCount of its 3 x 3
// neighbourhood (itself included) changed. Separable: column sums, then row sums.
SIGHTLINE_VECTOR_CLONES void Detector::Model::Clean() {
  const int w = width, h = height;
  uint8_t* __restrict sums = &column_sums[1];  // [0] and [w + 1] stay 0: the border
  for (int y = 0; y < h; ++y) {
    const uint8_t* __restrict mid = &changed[static_cast<size_t>(y) * w];
    for (int x = 0; x < w; ++x) sums[x] = mid[x] == 1;
    if (y > 0) {
      const uint8_t* __restrict up = mid - w;
      for (int x = 0; x < w; ++x) sums[x] += up[x] == 1;
    }
    if (y + 1 < h) {
      const uint8_t* __restrict down = mid + w;
      for (int x = 0; x < w; ++x) sums[x] += down[x] == 1;
    }
    const uint8_t* __restrict masked = &mask[static_cast<size_t>(y) * w];
    uint8_t* __restrict out = &cleaned[static_cast<size_t>(y) * w];
    for (int x = 0; x < w; ++x) {
      out[x] = (sums[x - 1] + sums[x] + sums[x + 1] >= kMorphologyMinCount) & (masked[x] ^ 1);
    }
  }
}

// Connected components of the cleaned pixels (8-connected, two passes with union-find); the
// ones of at least min_area become the boxes, the grid, the zones and the in_motion pixels.
// Labels are only ever read where `cleaned` is set; memchr skips the rest.
void Detector::Model::Label(const DetectorOptions& options, FrameResult* result) {
  const int w = width, h = height;
  parent.clear();
  for (int y = 0; y < h; ++y) {
    const size_t row_start = static_cast<size_t>(y) * w;
    const uint8_t* row = &cleaned[row_start];
    int32_t* row_labels = &labels[row_start];
    auto join = [&](int32_t* label, size_t j, int xx) {
      if (xx < 0 || xx >= w || !cleaned[j]) return;
      if (*label < 0) {
        *label = labels[j];
      } else {
        Unite(parent, *label, labels[j]);
      }
    };
    for (int x = 0; x < w; ++x) {
      const void* next = std::memchr(row + x, 1, w - x);
      if (!next) break;
      x = static_cast<int>(static_cast<const uint8_t*>(next) - row);
      const size_t i = row_start + x;
      int32_t label = -1;
      join(&label, i - 1, x - 1);
      if (y > 0) {
        join(&label, i - w - 1, x - 1);
        join(&label, i - w, x);
        join(&label, i - w + 1, x + 1);
      }
      if (label < 0) {
        label = static_cast<int32_t>(parent.size());
        parent.push_back(label);
      }
      row_labels[x] = label;
    }
  }
  std::fill(in_motion.begin(), in_motion.end(), 0);
  if (parent.empty()) return;

  std::vector<Blob> blobs(parent.size());
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = &cleaned[static_cast<size_t>(y) * w];
    int32_t* row_labels = &labels[static_cast<size_t>(y) * w];
    for (int x = 0; x < w; ++x) {
      const void* next = std::memchr(row + x, 1, w - x);
      if (!next) break;
      x = static_cast<int>(static_cast<const uint8_t*>(next) - row);
      const int32_t root = FindRoot(parent, row_labels[x]);
      row_labels[x] = root;
      Blob& b = blobs[root];
      if (b.count++ == 0) {
        b.x0 = b.x1 = x;
        b.y0 = b.y1 = y;
      } else {
        b.x0 = std::min(b.x0, x);
        b.x1 = std::max(b.x1, x);
        b.y1 = y;
      }
    }
  }
  const int min_pixels = std::max(1, static_cast<int>(std::ceil(options.min_area * unmasked)));
  std::vector<int> zone_counts(zone_masks.size(), 0);
  int motion_pixels = 0;
  for (size_t root = 0; root < blobs.size(); ++root) {
    const Blob& b = blobs[root];
    if (b.count < min_pixels) continue;
    motion_pixels += b.count;
    result->boxes.push_back(
        {Rect{static_cast<double>(b.x0) / w, static_cast<double>(b.y0) / h,
              static_cast<double>(b.x1 + 1 - b.x0) / w, static_cast<double>(b.y1 + 1 - b.y0) / h},
         static_cast<double>(b.count) / unmasked});
    for (int y = b.y0; y <= b.y1; ++y) {
      for (int x = b.x0; x <= b.x1; ++x) {
        const size_t i = static_cast<size_t>(y) * w + x;
        if (!cleaned[i] || labels[i] != static_cast<int32_t>(root)) continue;
        in_motion[i] = 1;
        result->grid.Set(cell_x[x], cell_y[y]);
        for (size_t z = 0; z < zone_masks.size(); ++z) zone_counts[z] += zone_masks[z][i];
      }
    }
  }
  std::sort(result->boxes.begin(), result->boxes.end(),
            [](const Box& a, const Box& b) { return a.area_fraction > b.area_fraction; });
  result->motion = motion_pixels > 0;
  result->fraction = static_cast<double>(motion_pixels) / unmasked;
  for (size_t z = 0; z < zone_masks.size(); ++z) {
    const double need = options.zones[z].min_area_in_zone * zone_pixels[z];
    if (zone_counts[z] > 0 && zone_counts[z] >= need) {
      result->zones.push_back(options.zones[z].name);
    }
  }
}

// Pixels in motion learn slowly (someone who stops keeps counting); everything else follows
// the scene at the background rate, and its deviation learns from the corrected difference, so
// busy pixels (leaves, water) raise their own threshold. Masked pixels are updated too: they
// are never read for a decision, and one branch-free loop is cheaper.
SIGHTLINE_VECTOR_CLONES void Detector::Model::Update(const DetectorOptions& options, double dt_s,
                                                     const GlobalFit& fit) {
  const int alpha_bg = AlphaQ15(dt_s, options.background_seconds);
  const int alpha_fg = AlphaQ15(dt_s, options.foreground_seconds);
  const int gain = fit.gain_q12, offset = fit.offset_q8;
  const size_t n = image.size();
  const uint16_t* __restrict img = image.data();
  const uint8_t* __restrict moving = in_motion.data();
  uint16_t* __restrict bg = background.data();
  uint16_t* __restrict dev = deviation.data();
  for (size_t i = 0; i < n; ++i) {
    const int v = img[i];
    const int b = bg[i];
    const int d = dev[i];
    // The residual is capped before blending: Predict may lie outside 0..65280, and the
    // product with alpha must fit an int32.
    const int residual = std::min(std::abs(v - Predict(b, gain, offset)), kMaxDeviation);
    dev[i] = static_cast<uint16_t>(moving[i] ? d : Blend(d, residual, alpha_bg));
    bg[i] = static_cast<uint16_t>(Blend(b, v, moving[i] ? alpha_fg : alpha_bg));
  }
}

}  // namespace sightline::motion
