// sightline analyze: motion analysis of a video file through exactly the live code path
// (decode::FileReader frames into an analysis::StreamAnalyzer in offline mode), written as JSON
// lines: how users tune motion settings and how accuracy is measured.
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "analysis/stream_analyzer.h"
#include "app/analysis_options.h"
#include "app/command.h"
#include "app/subcommands.h"
#include "config/config.h"
#include "decode/file_reader.h"
#include "store/export.h"

namespace sightline::app {
namespace {

constexpr const char* kHelp = R"(usage:
  sightline analyze --input FILE --output FILE [--config FILE --camera NAME] [flags]

Runs the motion analysis of `sightline run` over a video file (MP4, or raw H.264/H.265) as
fast as it decodes, skipping nothing, and writes one JSON line per analysed frame:
  {"frame":12,"pts":108000,"time":"1970-01-01T00:00:01.200Z","motion":true,
   "fraction":0.0123,"boxes":[[x,y,w,h],...],"zones":["door"],"global_change":false,
   "learning":false}
and one per event start and end:
  {"event":"start","start":"...","end":"...","peak_fraction":0.05,"peak_time":"...",
   "zones":["door"],"thumbnail_bytes":9876,"thumbnail":"DIR/event-1-start.jpg"}
`frame` counts the file's frames from 0; `pts` is in 90 kHz ticks; boxes are normalised to
0..1 of the picture, top-left corner first, largest first. An event's `end` line carries a
thumbnail only when its peak came after the start.

With --config and --camera the camera's motion settings are used (masks, zones, sensitivity,
max fps), as `sightline run` would; without them, the defaults.

flags:
  --input FILE          the video (required)
  --output FILE         the JSON lines to write (required); - for stdout
  --config FILE         sightline.yaml
  --camera NAME         the camera of --config whose settings apply
  --max-fps N           analyse at most N frames per second (default: the camera's, 5)
  --keyframes-only      decode and analyse keyframes only
  --start TIME          wall-clock time of the first frame, ISO 8601 (default 1970-01-01T00:00:00Z,
                        so times are offsets into the file)
  --thumbnails DIR      also write each event thumbnail as a JPEG file into DIR (must exist)
  --log-level LEVEL     debug, info, warning, error

exit status: 0 analysed; 1 the file could not be read or the output written; 2 bad flags or
config
)";

using nlohmann::json;

std::string IsoTime(WallTime t) { return store::FormatIso8601(UnixMicros(t)); }

// Writes results as JSON lines. Called on the analyser's thread; `summary` read afterwards.
class JsonLinesSink final : public analysis::Sink {
 public:
  JsonLinesSink(std::ostream& out, std::string thumbnail_dir)
      : out_(out), thumbnail_dir_(std::move(thumbnail_dir)) {}

  void OnResult(const analysis::FrameInfo& frame, const motion::FrameResult& r) override {
    json boxes = json::array();
    for (const motion::Box& b : r.boxes) {
      boxes.push_back({Round(b.rect.x), Round(b.rect.y), Round(b.rect.w), Round(b.rect.h)});
    }
    const json line = {{"frame", frame.frame_index},
                       {"pts", frame.pts.ticks()},
                       {"time", IsoTime(frame.wall_time)},
                       {"motion", r.motion},
                       {"fraction", Round(r.fraction)},
                       {"boxes", std::move(boxes)},
                       {"zones", r.zones},
                       {"global_change", r.global_change},
                       {"learning", r.learning}};
    out_ << line.dump() << '\n';
    frames_with_motion_ += r.motion;
  }

  void OnEvent(const motion::EventUpdate& update, Bytes jpeg) override {
    const bool start = update.kind == motion::EventUpdate::Kind::kStart;
    if (start) ++events_;
    const motion::Event& e = update.event;
    json line = {{"event", start ? "start" : "end"},
                 {"start", store::FormatIso8601(e.start_us)},
                 {"end", store::FormatIso8601(e.end_us)},
                 {"peak_fraction", Round(e.peak_fraction)},
                 {"peak_time", store::FormatIso8601(e.peak_time_us)},
                 {"zones", e.zones},
                 {"thumbnail_bytes", jpeg.size()}};
    if (!jpeg.empty() && !thumbnail_dir_.empty()) {
      const std::string path = thumbnail_dir_ + "/event-" + std::to_string(events_) +
                               (start ? "-start" : "-end") + ".jpg";
      std::ofstream file(path, std::ios::binary | std::ios::trunc);
      file.write(reinterpret_cast<const char*>(jpeg.data()),
                 static_cast<std::streamsize>(jpeg.size()));
      if (file) {
        line["thumbnail"] = path;
      } else {
        thumbnail_error_ = path;
      }
    }
    out_ << line.dump() << '\n';
  }

  int events() const { return events_; }
  int64_t frames_with_motion() const { return frames_with_motion_; }
  // A thumbnail that could not be written, if any.
  const std::optional<std::string>& thumbnail_error() const { return thumbnail_error_; }

 private:
  // Four decimals: a pixel of a 320-wide analysis plane is 0.003.
  static double Round(double v) { return std::round(v * 1e4) / 1e4; }

  std::ostream& out_;
  std::string thumbnail_dir_;
  int events_ = 0;
  int64_t frames_with_motion_ = 0;
  std::optional<std::string> thumbnail_error_;
};

}  // namespace

int AnalyzeMain(int argc, char** argv) {
  Command cmd("analyze", kHelp);
  if (std::optional<int> done =
          cmd.Parse({{"input"}, {"output"}, {"config"}, {"camera"}, {"max-fps"},
                     {"keyframes-only", false}, {"start"}, {"thumbnails"}, {"log-level"}},
                    argc, argv, {"input", "output"})) {
    return *done;
  }
  const Flags& flags = cmd.flags();
  const std::string input = flags.Get("input");
  if (flags.Has("config") != flags.Has("camera")) {
    return cmd.Fail(InvalidArgumentError("--config and --camera go together"), 2);
  }
  analysis::AnalyzerOptions options;
  options.name = "file=" + input;
  if (flags.Has("config")) {
    Result<config::Config> cfg = config::LoadConfig(flags.Get("config"));
    if (!cfg.ok()) return cmd.Fail(cfg.status(), 2);
    const config::CameraConfig* camera = nullptr;
    std::string names;
    for (const config::CameraConfig& c : cfg->cameras) {
      if (c.name == flags.Get("camera")) camera = &c;
      names += (names.empty() ? "" : ", ") + c.name;
    }
    if (camera == nullptr) {
      return cmd.Fail(NotFoundError("--camera " + flags.Get("camera") + ": not in " +
                                    flags.Get("config") + " (cameras: " + names + ")"),
                      2);
    }
    options = AnalyzerOptionsFrom(*camera);
  }
  Result<double> max_fps = flags.GetDouble("max-fps", options.max_fps);
  if (!max_fps.ok()) return cmd.Fail(max_fps.status(), 2);
  options.max_fps = *max_fps;
  options.keyframes_only = options.keyframes_only || flags.Has("keyframes-only");
  options.offline = true;
  decode::FileReader::Options reader_options;
  if (flags.Has("start")) {
    Result<int64_t> start = store::ParseIso8601(flags.Get("start"));
    if (!start.ok()) return cmd.Fail(std::move(start).status().WithContext("--start"), 2);
    reader_options.start = WallTime(std::chrono::microseconds(*start));
  }

  Result<std::unique_ptr<decode::FileReader>> reader =
      decode::FileReader::Open(input, reader_options);
  if (!reader.ok()) return cmd.Fail(reader.status(), 1);
  const std::string output = flags.Get("output");
  std::ofstream file;
  if (output != "-") {
    file.open(output, std::ios::trunc);
    if (!file) return cmd.Fail(ErrnoError("open " + output, errno), 1);
  }
  std::ostream& out = output == "-" ? std::cout : file;
  JsonLinesSink sink(out, flags.Get("thumbnails"));
  Result<std::unique_ptr<analysis::StreamAnalyzer>> analyzer =
      analysis::StreamAnalyzer::Start(options, &sink);
  if (!analyzer.ok()) return cmd.Fail(analyzer.status(), 2);

  const auto began = std::chrono::steady_clock::now();
  Status read_status;
  media::Time90k first_pts, last_pts;
  for (int64_t n = 0;; ++n) {
    Result<media::FramePtr> frame = (*reader)->Next();
    if (!frame.ok()) {
      read_status = frame.status();
      break;
    }
    if (*frame == nullptr) break;
    if (n == 0) first_pts = (*frame)->pts;
    last_pts = (*frame)->pts;
    (*analyzer)->OnFrame(std::move(frame).value());
  }
  (*analyzer)->Finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  out.flush();
  if (!out) return cmd.Fail(IoError("writing " + output + " failed"), 1);
  if (sink.thumbnail_error()) {
    return cmd.Fail(IoError("writing thumbnail " + *sink.thumbnail_error() + " failed"), 1);
  }

  const analysis::AnalyzerStats stats = (*analyzer)->stats();
  const double video_seconds = (last_pts - first_pts).seconds();
  std::fprintf(stderr,
               "analysed %llu of %llu frames (%lld with motion), %d events, %llu decode errors; "
               "%.1f s of video in %.2f s (%.0fx real time)\n",
               static_cast<unsigned long long>(stats.frames_analysed),
               static_cast<unsigned long long>(stats.frames_in),
               static_cast<long long>(sink.frames_with_motion()), sink.events(),
               static_cast<unsigned long long>(stats.decode_errors), video_seconds, seconds,
               seconds > 0 ? video_seconds / seconds : 0.0);
  if (!read_status.ok()) return cmd.Fail(read_status, 1);
  return 0;
}

}  // namespace sightline::app
