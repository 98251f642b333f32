// Motion detection accuracy benchmark (issue 5): our motion::Detector against OpenCV's MOG2
// background subtractor on the same grey frames, with the same cleanup after MOG2 (3 x 3
// count >= 4, 8-connected components, the same minimum area), so that only the models differ.
//   1. PETS2009 S2.L1 (360p10 substream, decoded with decode::DecodeFile to 320 x 180,
//      analysed at --fps, default 5 as the live default) against gt/pets2009_s2l1_boxes.csv:
//      per frame and grid cell precision / recall / F1 of "motion in this cell", box recall
//      (a GT person is found when a motion box overlaps its box), and CPU ms per frame.
//   2. Idle scenes (nothing moves; each --idle-minutes long at 5 fps): a real static picture
//      (the city clip's first frame) or a synthetic textured one, with sensor noise,
//      illumination ramps, flicker, exposure steps and IR switches, encoded with x264 at a
//      substream's bitrate and decoded again (real compression artefacts). Events are counted
//      with motion::EventTracker (default options) for every method: false events per hour.
// Definitions and results: docs/bench/motion.md.
//   usage: bench_motion_eval [--media DIR] [--fps F] [--idle-minutes M] [--skip-idle]
//                            [--scene TEXT] [--threshold N] [--min-area F]
// (--scene runs only the idle scenes whose name contains TEXT.)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <numbers>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/background_segm.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "base/flags.h"
#include "decode/decode_file.h"
#include "motion/detector.h"
#include "motion/event_tracker.h"
#include "motion/synthetic_scene.h"
#include "support/shared_media.h"

using namespace sightline;
using namespace sightline::motion;

namespace {

constexpr int kWidth = 320;  // the analysis width, as DetectorOptions::analysis_width
constexpr int kPetsSourceFps = 10;
constexpr double kPetsWidth360 = 640, kPetsHeight360 = 360;
// Both models get the first second to learn; it is not scored.
constexpr double kWarmupSeconds = 1.0;

// CPU time of this thread: the machine is shared, so wall time would measure the neighbours.
double ThreadCpuSeconds() { return bench::CpuSeconds(CLOCK_THREAD_CPUTIME_ID); }

struct Sequence {
  std::vector<GreyPlane> frames;
  std::vector<int64_t> pts_90k;
  std::vector<int> source_index;  // index into the source clip (for the ground truth)
};

// Motion detection under test: a name and a fresh model per sequence.
struct Method {
  std::string name;
  std::function<std::function<FrameResult(const GreyPlane&, int64_t)>()> make;
};

// MOG2 with the typical settings (history 500, varThreshold 16, no shadow detection), then
// the detector's own cleanup, so that the comparison is between the background models.
class Mog2 {
 public:
  Mog2(bool blur, double min_area)
      : mog_(cv::createBackgroundSubtractorMOG2(500, 16, false)),
        blur_(blur),
        min_area_(min_area) {}

  FrameResult Process(const GreyPlane& frame) {
    cv::Mat in(frame.height, frame.width, CV_8UC1, const_cast<uint8_t*>(frame.pixels.data()));
    if (blur_) {
      // 3 x 3 with sigma 0 is OpenCV's fixed [1 2 1] / 4 kernel: the detector's blur.
      cv::GaussianBlur(in, blurred_, cv::Size(3, 3), 0, 0, cv::BORDER_REPLICATE);
      in = blurred_;
    }
    mog_->apply(in, foreground_);
    cv::Mat changed = foreground_ > 0;
    changed.convertTo(changed, CV_8U, 1.0 / 255);
    cv::Mat counts;
    cv::boxFilter(changed, counts, CV_16U, cv::Size(3, 3), cv::Point(-1, -1), false,
                  cv::BORDER_CONSTANT);
    cv::Mat cleaned = counts >= 4;
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(cleaned, labels, stats, centroids, 8, CV_32S);
    const int pixels = frame.width * frame.height;
    const int min_pixels = std::max(1, static_cast<int>(std::ceil(min_area_ * pixels)));
    FrameResult r;
    std::vector<bool> counted(n, false);
    int motion_pixels = 0;
    for (int i = 1; i < n; ++i) {
      const int area = stats.at<int>(i, cv::CC_STAT_AREA);
      if (area < min_pixels) continue;
      counted[i] = true;
      motion_pixels += area;
      const double w = frame.width, h = frame.height;
      r.boxes.push_back(
          {Rect{stats.at<int>(i, cv::CC_STAT_LEFT) / w, stats.at<int>(i, cv::CC_STAT_TOP) / h,
                stats.at<int>(i, cv::CC_STAT_WIDTH) / w, stats.at<int>(i, cv::CC_STAT_HEIGHT) / h},
           static_cast<double>(area) / pixels});
    }
    for (int y = 0; y < frame.height; ++y) {
      const int* row = labels.ptr<int>(y);
      for (int x = 0; x < frame.width; ++x) {
        if (counted[row[x]]) {
          r.grid.Set(x * MotionGrid::kColumns / frame.width, y * MotionGrid::kRows / frame.height);
        }
      }
    }
    r.motion = motion_pixels > 0;
    r.fraction = static_cast<double>(motion_pixels) / pixels;
    return r;
  }

 private:
  cv::Ptr<cv::BackgroundSubtractorMOG2> mog_;
  bool blur_;
  double min_area_;
  cv::Mat blurred_, foreground_;
};

std::vector<Method> Methods(const DetectorOptions& options) {
  return {
      {"sightline",
       [options] {
         auto d = std::make_shared<Detector>(options);
         return [d](const GreyPlane& f, int64_t pts) { return d->Process(f.view(), pts); };
       }},
      {"MOG2",
       [options] {
         auto m = std::make_shared<Mog2>(false, options.min_area);
         return [m](const GreyPlane& f, int64_t) { return m->Process(f); };
       }},
      {"MOG2+blur",
       [options] {
         auto m = std::make_shared<Mog2>(true, options.min_area);
         return [m](const GreyPlane& f, int64_t) { return m->Process(f); };
       }},
  };
}

// Every picture of `path` as a grey plane `kWidth` wide.
Result<Sequence> DecodeAll(const std::string& path, size_t max_frames = 0) {
  Sequence seq;
  decode::FileDecodeOptions options;
  options.grey_width = kWidth;
  Status s = decode::DecodeFile(path, options, [&](const decode::DecodedPicture& p) -> Status {
    seq.source_index.push_back(static_cast<int>(seq.frames.size()));
    seq.frames.push_back(p.grey);
    seq.pts_90k.push_back(p.pts_90k);
    if (max_frames && seq.frames.size() >= max_frames) return CancelledError("enough frames");
    return Status::Ok();
  });
  if (!s.ok() && s.code() != StatusCode::kCancelled) return s;
  return seq;
}

// ---- 1. PETS2009 against the ground truth ----

using GroundTruth = std::map<int, std::vector<Rect>>;  // frame -> person boxes, normalised

Result<GroundTruth> LoadGroundTruth(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot open " + path);
  GroundTruth gt;
  std::string line;
  std::getline(in, line);  // header: frame,id,x,y,w,h,x1080,y1080,w1080,h1080,x360,y360,w360,h360
  int line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    std::vector<double> v;
    std::stringstream ss(line);
    for (std::string field; std::getline(ss, field, ',');) v.push_back(std::atof(field.c_str()));
    if (v.size() != 14) {
      return InvalidArgumentError(path + ":" + std::to_string(line_number) + ": " +
                                  std::to_string(v.size()) + " fields, expected 14");
    }
    gt[static_cast<int>(v[0])].push_back(Rect{v[10] / kPetsWidth360, v[11] / kPetsHeight360,
                                              v[12] / kPetsWidth360, v[13] / kPetsHeight360});
  }
  return gt;
}

struct Accuracy {
  int64_t tp_cells = 0, fp_cells = 0, fn_cells = 0;
  int64_t gt_boxes = 0, found_boxes = 0;
  int64_t motion_boxes = 0, motion_boxes_on_gt = 0;
  int64_t frames = 0;
  double seconds = 0;  // thread CPU time in Process only

  double Precision() const {
    return tp_cells ? static_cast<double>(tp_cells) / (tp_cells + fp_cells) : 0;
  }
  double Recall() const {
    return tp_cells ? static_cast<double>(tp_cells) / (tp_cells + fn_cells) : 0;
  }
  double F1() const {
    const double p = Precision(), r = Recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
  double BoxRecall() const { return gt_boxes ? static_cast<double>(found_boxes) / gt_boxes : 0; }
  double BoxPrecision() const {
    return motion_boxes ? static_cast<double>(motion_boxes_on_gt) / motion_boxes : 0;
  }
  double MsPerFrame() const { return frames ? 1000 * seconds / frames : 0; }
};

Accuracy EvaluatePets(const Method& method, const Sequence& seq, const GroundTruth& gt, int fps) {
  Accuracy a;
  auto process = method.make();
  for (size_t i = 0; i < seq.frames.size(); ++i) {
    const double t0 = ThreadCpuSeconds();
    const FrameResult r = process(seq.frames[i], seq.pts_90k[i]);
    a.seconds += ThreadCpuSeconds() - t0;
    ++a.frames;
    if (static_cast<double>(i) / fps < kWarmupSeconds) continue;
    const auto it = gt.find(seq.source_index[i]);
    const std::vector<Rect> none;
    const std::vector<Rect>& boxes = it == gt.end() ? none : it->second;
    MotionGrid truth;
    for (const Rect& b : boxes) truth |= MotionGrid::FromRect(b);
    MotionGrid hit = r.grid;
    hit &= truth;
    a.tp_cells += hit.Count();
    a.fp_cells += r.grid.Count() - hit.Count();
    a.fn_cells += truth.Count() - hit.Count();
    for (const Rect& b : boxes) {
      ++a.gt_boxes;
      a.found_boxes += std::any_of(r.boxes.begin(), r.boxes.end(),
                                   [&](const Box& m) { return Overlaps(m.rect, b); });
    }
    for (const Box& m : r.boxes) {
      ++a.motion_boxes;
      a.motion_boxes_on_gt += std::any_of(boxes.begin(), boxes.end(),
                                          [&](const Rect& b) { return Overlaps(m.rect, b); });
    }
  }
  return a;
}

// ---- 2. Idle scenes ----

struct IdleScene {
  std::string name;
  // The picture at time t (seconds), before noise.
  std::function<GreyPlane(double t)> picture;
  double noise_sigma = 3;
};

// What an IR switch does to a picture: materials reflect infrared differently, so the picture
// changes in structure, not only in gain (half another texture, half the inverted picture).
GreyPlane Infrared(const GreyPlane& day) {
  GreyPlane f = TexturedScene(day.width, day.height, 1234);
  for (size_t i = 0; i < f.pixels.size(); ++i) {
    f.pixels[i] = static_cast<uint8_t>((f.pixels[i] + 255 - day.pixels[i]) / 2);
  }
  return f;
}

GreyPlane Blend(const GreyPlane& a, const GreyPlane& b, double wb) {
  GreyPlane f = a;
  for (size_t i = 0; i < f.pixels.size(); ++i) {
    f.pixels[i] = static_cast<uint8_t>(std::lround(a.pixels[i] * (1 - wb) + b.pixels[i] * wb));
  }
  return f;
}

GreyPlane WithGainOffset(GreyPlane f, double gain, double offset) {
  ApplyGainOffset(&f, gain, offset);
  return f;
}

// An IR switch every `period` seconds, alternating, over 3 frames at 5 fps (the filter moves,
// then exposure settles).
GreyPlane Switching(const GreyPlane& day, const GreyPlane& night, double t, double period) {
  const int phase = static_cast<int>(t / period);
  const double into = t - phase * period;
  const GreyPlane& now = phase % 2 ? night : day;
  const GreyPlane& before = phase % 2 ? day : night;
  if (phase > 0 && into < 0.6) return Blend(before, now, (into + 0.2) / 0.8);
  return now;
}

std::vector<IdleScene> IdleScenes(const GreyPlane& city) {
  const GreyPlane city_ir = Infrared(city);
  const GreyPlane textured = TexturedScene(city.width, city.height, 77);
  const GreyPlane textured_ir = Infrared(textured);
  auto triangle = [](double t, double period) {  // 0..1..0
    const double x = std::fmod(t, period) / period;
    return x < 0.5 ? 2 * x : 2 - 2 * x;
  };
  return {
      {"city: sensor noise (sigma 4)", [city](double) { return city; }, 4},
      {"city: heavy sensor noise (sigma 8)", [city](double) { return city; }, 8},
      {"city: illumination ramps (+-40 over 60 s, gain 0.8..1.2 over 5 min)",
       [city, triangle](double t) {
         return WithGainOffset(city, 0.8 + 0.4 * triangle(t, 300), -40 + 80 * triangle(t, 120));
       }},
      {"city: flicker (+-10 at 1, 1.7, 2.3 Hz)",
       [city](double t) {
         const double hz[] = {1.0, 1.7, 2.3};
         const double f = hz[static_cast<int>(t / 60) % 3];
         return WithGainOffset(city, 1, 10 * std::sin(2 * std::numbers::pi * f * t));
       }},
      {"city: exposure steps every 30 s",
       [city](double t) {
         const int step = static_cast<int>(t / 30);
         std::mt19937 rng(step);
         std::uniform_real_distribution<double> gain(0.7, 1.4), offset(-30, 30);
         return step == 0 ? city : WithGainOffset(city, gain(rng), offset(rng));
       }},
      {"city: IR switch every 2 min",
       [city, city_ir](double t) { return Switching(city, city_ir, t, 120); }},
      {"textured: all of the above",
       [textured, textured_ir, triangle](double t) {
         GreyPlane f = Switching(textured, textured_ir, t, 150);
         return WithGainOffset(
             f, 0.9 + 0.2 * triangle(t, 240),
             -20 + 40 * triangle(t, 100) + 8 * std::sin(2 * std::numbers::pi * 1.3 * t));
       }},
  };
}

// Renders `scene` at 5 fps, encodes it with x264 like a 360p substream (640 x 360 upscaled
// by 2, 200 kbit/s at 5 fps = 400 kbit/s at 10 fps, GOP 2 s) and decodes it again to
// 320 x 180 grey planes.
Result<Sequence> RenderIdle(const IdleScene& scene, double minutes, const std::string& tmp_dir,
                            uint32_t seed) {
  const int frames = static_cast<int>(minutes * 60 * 5);
  const GreyPlane first = scene.picture(0);
  const int w = first.width * 2, h = first.height * 2;
  const std::string out = tmp_dir + "/idle.mp4";
  const std::string command =
      "ffmpeg -v error -y -f rawvideo -pix_fmt gray -s " + std::to_string(w) + "x" +
      std::to_string(h) +
      " -r 5 -i - -c:v libx264 -preset veryfast -b:v 200k -maxrate 200k -bufsize 200k -g 10 -bf 0 "
      "-pix_fmt yuv420p " +
      out;
  FILE* pipe = popen(command.c_str(), "w");
  if (!pipe) return IoError("cannot start: " + command);
  NoiseSource noise(seed);
  GreyPlane big(w, h);
  for (int i = 0; i < frames; ++i) {
    const GreyPlane f = scene.picture(i / 5.0);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) big.at(x, y) = f.at(x / 2, y / 2);
    }
    // Sensor noise at the camera's resolution; the 2 x 2 downscale halves it.
    noise.Add(&big, 2 * scene.noise_sigma);
    if (std::fwrite(big.pixels.data(), 1, big.pixels.size(), pipe) != big.pixels.size()) break;
  }
  if (pclose(pipe) != 0) return IoError("failed: " + command);
  return DecodeAll(out);
}

struct IdleCount {
  int events = 0;
  int64_t motion_frames = 0, frames = 0;
  double hours = 0;
};

IdleCount CountIdleEvents(const Method& method, const Sequence& seq) {
  IdleCount c;
  auto process = method.make();
  EventTracker tracker;
  const int64_t t0_us = 1'700'000'000'000'000;
  int64_t time_us = t0_us;
  for (size_t i = 0; i < seq.frames.size(); ++i) {
    const FrameResult r = process(seq.frames[i], seq.pts_90k[i]);
    time_us = t0_us + (seq.pts_90k[i] - seq.pts_90k[0]) * 100 / 9;
    if (i >= 5) {  // the first second: learning
      c.motion_frames += r.motion;
      ++c.frames;
      for (const EventUpdate& u : tracker.Feed(time_us, r))
        c.events += u.kind == EventUpdate::Kind::kStart;
    }
  }
  c.hours = static_cast<double>(time_us - t0_us) / 3.6e9;
  return c;
}

void PrintRatio(double ours, double theirs) {
  if (theirs > 0) {
    std::printf(" %6.2fx", ours / theirs);
  } else {
    std::printf("      - ");
  }
}

}  // namespace

int main(int argc, char** argv) {
  Result<Flags> flags = Flags::Parse({{"media"},
                                      {"fps"},
                                      {"idle-minutes"},
                                      {"skip-idle", false},
                                      {"scene"},
                                      {"threshold"},
                                      {"min-area"}},
                                     argc, argv, 1);
  if (!flags.ok() || flags->help()) {
    std::fprintf(stderr,
                 "%s\nusage: bench_motion_eval [--media DIR] [--fps F] [--idle-minutes M] "
                 "[--skip-idle] [--scene TEXT] [--threshold N] [--min-area F]\n",
                 flags.ok() ? "" : flags.status().message().c_str());
    return 2;
  }
  std::string media = flags->Get("media");
  if (media.empty()) media = testing::SharedMediaDir().value_or("");
  if (media.empty() || !std::filesystem::exists(media + "/gt/pets2009_s2l1_boxes.csv")) {
    std::fprintf(stderr, "%s\n", std::string(testing::kNoSharedMediaMessage).c_str());
    return 1;
  }
  const int fps = static_cast<int>(*flags->GetInt("fps", 5));
  const double idle_minutes = *flags->GetDouble("idle-minutes", 10);
  DetectorOptions options;
  options.threshold = static_cast<int>(*flags->GetInt("threshold", options.threshold));
  options.min_area = *flags->GetDouble("min-area", options.min_area);
  if (Status s = ValidateDetectorOptions(options); !s.ok() || fps < 1 || kPetsSourceFps % fps) {
    std::fprintf(stderr, "bad options: %s (fps must divide 10)\n", s.message().c_str());
    return 2;
  }
  const std::vector<Method> methods = Methods(options);

  // 1. PETS2009.
  Result<GroundTruth> gt = LoadGroundTruth(media + "/gt/pets2009_s2l1_boxes.csv");
  Result<Sequence> all = DecodeAll(media + "/" + std::string(testing::kPets360H264));
  if (!gt.ok() || !all.ok()) {
    std::fprintf(stderr, "%s\n", (gt.ok() ? all.status() : gt.status()).ToString().c_str());
    return 1;
  }
  Sequence pets;
  for (size_t i = 0; i < all->frames.size(); i += kPetsSourceFps / fps) {
    pets.frames.push_back(all->frames[i]);
    pets.pts_90k.push_back(all->pts_90k[i]);
    pets.source_index.push_back(all->source_index[i]);
  }
  std::printf(
      "PETS2009 S2.L1 360p10 -> %dx%d grey at %d fps: %zu frames scored after %.0f s, "
      "threshold %d, min_area %g\n\n",
      pets.frames[0].width, pets.frames[0].height, fps, pets.frames.size(), kWarmupSeconds,
      options.threshold, options.min_area);
  std::vector<Accuracy> acc;
  for (const Method& m : methods) acc.push_back(EvaluatePets(m, pets, *gt, fps));
  std::printf(
      "| method | cell precision | cell recall | cell F1 | box recall | box precision | ms/frame "
      "|\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (size_t i = 0; i < methods.size(); ++i) {
    const Accuracy& a = acc[i];
    std::printf("| %s | %.3f | %.3f | %.3f | %.3f (%lld/%lld) | %.3f | %.3f |\n",
                methods[i].name.c_str(), a.Precision(), a.Recall(), a.F1(), a.BoxRecall(),
                static_cast<long long>(a.found_boxes), static_cast<long long>(a.gt_boxes),
                a.BoxPrecision(), a.MsPerFrame());
  }
  std::printf("\nsightline / peer:          F1     box recall  ms/frame\n");
  for (size_t i = 1; i < methods.size(); ++i) {
    std::printf("  vs %-20s", methods[i].name.c_str());
    PrintRatio(acc[0].F1(), acc[i].F1());
    std::printf("    ");
    PrintRatio(acc[0].BoxRecall(), acc[i].BoxRecall());
    std::printf("    ");
    PrintRatio(acc[0].MsPerFrame(), acc[i].MsPerFrame());
    std::printf("\n");
  }
  std::fflush(stdout);
  if (flags->Has("skip-idle")) return 0;

  // 2. Idle scenes.
  Result<Sequence> city = DecodeAll(media + "/" + std::string(testing::kCity1080H264), 1);
  if (!city.ok() || city->frames.empty()) {
    std::fprintf(stderr, "city clip: %s\n", city.status().ToString().c_str());
    return 1;
  }
  char tmp_template[] = "/tmp/motion_eval.XXXXXX";
  const char* tmp_dir = mkdtemp(tmp_template);
  if (!tmp_dir) {
    std::perror("mkdtemp");
    return 1;
  }
  std::printf(
      "\nIdle scenes: %.0f min each at 5 fps, through x264 (640x360, 200 kbit/s at 5 fps, "
      "GOP 2 s); events with default EventOptions\n\n",
      idle_minutes);
  std::printf("| scene |");
  for (const Method& m : methods)
    std::printf(" %s events | %s motion frames |", m.name.c_str(), m.name.c_str());
  std::printf("\n|---|");
  for (size_t i = 0; i < methods.size(); ++i) std::printf("---|---|");
  std::printf("\n");
  std::vector<int> events(methods.size(), 0);
  double hours = 0;
  uint32_t seed = 1;
  for (const IdleScene& scene : IdleScenes(city->frames[0])) {
    if (scene.name.find(flags->Get("scene")) == std::string::npos) continue;
    Result<Sequence> seq = RenderIdle(scene, idle_minutes, tmp_dir, seed++);
    if (!seq.ok()) {
      std::fprintf(stderr, "%s: %s\n", scene.name.c_str(), seq.status().ToString().c_str());
      return 1;
    }
    std::printf("| %s |", scene.name.c_str());
    for (size_t i = 0; i < methods.size(); ++i) {
      const IdleCount c = CountIdleEvents(methods[i], *seq);
      events[i] += c.events;
      if (i == 0) hours += c.hours;
      std::printf(" %d | %.2f%% |", c.events,
                  100.0 * c.motion_frames / std::max<int64_t>(c.frames, 1));
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  std::printf("| **false events per hour** |");
  for (size_t i = 0; i < methods.size(); ++i) std::printf(" **%.1f** | |", events[i] / hours);
  std::printf("\n\n%.2f idle hours in total\n", hours);
  std::filesystem::remove_all(tmp_dir);
  return 0;
}
