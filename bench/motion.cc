// Motion analysis cost benchmark (issue 5): CPU seconds per camera-second of
//   - the peer: `ffmpeg -threads 1 -i FILE -f null -` (demux + decode, a child process),
//   - our decode alone (decode::Decoder on frames already demuxed into memory),
//   - our decode + analysis (analysis::StreamAnalyzer, offline so nothing is skipped) at 5 and
//     10 fps,
// for the PETS2009 360p10 and 1080p10 H.264 files, with ratios against our decode floor
// (target: analysis adds at most 20%). Then capacity: N StreamAnalyzers in live mode fed 360p10
// frames at real time for T seconds, each stream starting at another GOP of the clip and fed in
// another 10 ms slot (cameras are not synchronised); it passes when no analyser skipped a GOP.
// Target: at least 100 streams on the 2-core machine.
//   usage: bench_motion [--media DIR] [--reps R] [--streams N] [--seconds T] [--fps F]
//                       [--skip-cost] [--skip-capacity]
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "analysis/stream_analyzer.h"
#include "base/flags.h"
#include "decode/decoder.h"
#include "decode/file_reader.h"
#include "media/grey.h"

using namespace sightline;
using Steady = std::chrono::steady_clock;

extern char** environ;

namespace {

// User + system CPU seconds of this process (all threads) or of its reaped children.
double CpuSeconds(int who) {
  rusage ru{};
  getrusage(who, &ru);
  auto s = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Resident memory now (VmRSS) in MB.
double RssMb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stod(line.substr(6)) / 1024;
  }
  return 0;
}

double LoadAverage() {
  double load = 0;
  std::ifstream("/proc/loadavg") >> load;
  return load;
}

struct Clip {
  std::string path;
  std::vector<media::FramePtr> frames;
  double seconds = 0;  // camera time covered: frames x frame interval
  double demux_cpu = 0;
};

Result<Clip> ReadClip(const std::string& path) {
  Clip clip;
  clip.path = path;
  const double cpu0 = CpuSeconds(RUSAGE_SELF);
  ASSIGN_OR_RETURN(std::unique_ptr<decode::FileReader> reader, decode::FileReader::Open(path));
  for (;;) {
    ASSIGN_OR_RETURN(media::FramePtr f, reader->Next());
    if (f == nullptr) break;
    clip.frames.push_back(std::move(f));
  }
  clip.demux_cpu = CpuSeconds(RUSAGE_SELF) - cpu0;
  if (clip.frames.size() < 2) return InvalidArgumentError(path + ": too short");
  const double interval =
      (clip.frames.back()->pts - clip.frames.front()->pts).seconds() / (clip.frames.size() - 1);
  clip.seconds = interval * clip.frames.size();
  return clip;
}

// CPU seconds of `ffmpeg -threads 1 -i FILE -f null -`, from wait4's rusage of the child.
Result<double> FfmpegCpu(const std::string& path) {
  std::vector<std::string> args = {"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
                                    "-threads", "1", "-i", path, "-f", "null", "-"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (const int err = posix_spawnp(&pid, "ffmpeg", nullptr, nullptr, argv.data(), environ)) {
    return ErrnoError("spawn ffmpeg", err);
  }
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) < 0) return ErrnoError("wait4 ffmpeg", errno);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return InternalError("ffmpeg failed");
  auto s = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

// CPU seconds to decode every frame of the clip on this thread.
Result<double> DecodeCpu(const Clip& clip) {
  const double cpu0 = CpuSeconds(RUSAGE_SELF);
  ASSIGN_OR_RETURN(std::unique_ptr<decode::Decoder> decoder,
                   decode::Decoder::Create(clip.frames[0]->params, {}));
  decode::Picture picture;
  size_t pictures = 0;
  for (const media::FramePtr& f : clip.frames) {
    RETURN_IF_ERROR(decoder->Send(*f));
    for (;;) {
      ASSIGN_OR_RETURN(const bool got, decoder->Receive(picture));
      if (!got) break;
      ++pictures;
    }
  }
  if (pictures != clip.frames.size()) return DataLossError("pictures missing");
  return CpuSeconds(RUSAGE_SELF) - cpu0;
}

class CountingSink final : public analysis::Sink {
 public:
  void OnResult(const analysis::FrameInfo&, const motion::FrameResult& r) override {
    motion_frames += r.motion;
  }
  void OnEvent(const motion::EventUpdate&, Bytes jpeg) override {
    ++events;
    jpeg_bytes += jpeg.size();
  }
  std::atomic<int64_t> motion_frames{0};
  std::atomic<int64_t> events{0};
  std::atomic<int64_t> jpeg_bytes{0};
};

// CPU seconds of the whole live path (decode, detector, events, thumbnails) over the clip.
Result<double> AnalysisCpu(const Clip& clip, double max_fps) {
  analysis::AnalyzerOptions options;
  options.max_fps = max_fps;
  options.offline = true;
  CountingSink sink;
  const double cpu0 = CpuSeconds(RUSAGE_SELF);
  ASSIGN_OR_RETURN(std::unique_ptr<analysis::StreamAnalyzer> a,
                   analysis::StreamAnalyzer::Start(options, &sink));
  for (const media::FramePtr& f : clip.frames) a->OnFrame(f);
  a->Finish();
  const double cpu = CpuSeconds(RUSAGE_SELF) - cpu0;
  const analysis::AnalyzerStats stats = a->stats();
  if (stats.frames_decoded != clip.frames.size() || stats.decode_errors != 0) {
    return DataLossError("analysis decoded " + std::to_string(stats.frames_decoded) + " of " +
                         std::to_string(clip.frames.size()) + " frames");
  }
  return cpu;
}

// Microseconds per call of media::Downscale from the clip's first picture to 320 wide.
Result<double> DownscaleMicros(const Clip& clip) {
  ASSIGN_OR_RETURN(std::unique_ptr<decode::Decoder> decoder,
                   decode::Decoder::Create(clip.frames[0]->params, {}));
  decode::Picture picture;
  RETURN_IF_ERROR(decoder->Send(*clip.frames[0]));
  ASSIGN_OR_RETURN(const bool got, decoder->Receive(picture));
  if (!got) return DataLossError("no picture");
  constexpr int kCalls = 200;
  const double cpu0 = CpuSeconds(RUSAGE_SELF);
  int64_t sum = 0;
  for (int i = 0; i < kCalls; ++i) sum += decode::ToGrey(picture.yuv(), 320).pixels[i];
  const double cpu = CpuSeconds(RUSAGE_SELF) - cpu0;
  return sum >= 0 ? cpu / kCalls * 1e6 : 0;
}

Status RunCost(const std::string& media, int reps) {
  std::printf("## CPU per camera-second (median of %d runs; load average %.1f at start)\n\n",
              reps, LoadAverage());
  std::printf("| stream | ffmpeg -threads 1 (demux + decode) | our demux | our decode | "
              "decode + analysis 5 fps | decode + analysis 10 fps | analysis over decode, "
              "5 / 10 fps | downscale to 320 wide |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const char* name : {"pets2009_s2l1_360p10_400k.h264.mp4",
                           "pets2009_s2l1_1080p10_4M.h264.mp4"}) {
    ASSIGN_OR_RETURN(Clip clip, ReadClip(media + "/" + name));
    std::vector<double> ffmpeg, decode, a5, a10;
    for (int r = 0; r < reps; ++r) {
      ASSIGN_OR_RETURN(double f, FfmpegCpu(clip.path));
      ASSIGN_OR_RETURN(double d, DecodeCpu(clip));
      ASSIGN_OR_RETURN(double x5, AnalysisCpu(clip, 5));
      ASSIGN_OR_RETURN(double x10, AnalysisCpu(clip, 10));
      ffmpeg.push_back(f / clip.seconds);
      decode.push_back(d / clip.seconds);
      a5.push_back(x5 / clip.seconds);
      a10.push_back(x10 / clip.seconds);
    }
    ASSIGN_OR_RETURN(double scale_us, DownscaleMicros(clip));
    const double floor = Median(decode);
    std::printf("| %s | %.4f | %.4f | %.4f | %.4f | %.4f | +%.0f%% / +%.0f%% | %.0f us |\n",
                name, Median(ffmpeg), clip.demux_cpu / clip.seconds, floor, Median(a5),
                Median(a10), (Median(a5) / floor - 1) * 100, (Median(a10) / floor - 1) * 100,
                scale_us);
    std::fflush(stdout);
  }
  std::printf("\n");
  return Status::Ok();
}

Status RunCapacity(const std::string& media, int streams, int seconds, double max_fps) {
  ASSIGN_OR_RETURN(Clip clip, ReadClip(media + "/pets2009_s2l1_360p10_400k.h264.mp4"));
  const int gop = 20;
  const int gops = static_cast<int>(clip.frames.size()) / gop;
  CountingSink sink;
  const double rss_before = RssMb();
  std::vector<std::unique_ptr<analysis::StreamAnalyzer>> analyzers;
  for (int i = 0; i < streams; ++i) {
    analysis::AnalyzerOptions options;
    options.max_fps = max_fps;
    options.name = "camera=bench" + std::to_string(i);
    ASSIGN_OR_RETURN(auto a, analysis::StreamAnalyzer::Start(options, &sink));
    analyzers.push_back(std::move(a));
  }
  const double load = LoadAverage();
  const double cpu0 = CpuSeconds(RUSAGE_SELF);
  const auto t0 = Steady::now();
  const auto interval = std::chrono::milliseconds(100);  // 10 fps
  const int ticks = seconds * 10;
  int64_t late_slots = 0;
  // Slot s of tick t feeds streams i with i % 10 == s their frame t.
  for (int t = 0; t < ticks; ++t) {
    for (int slot = 0; slot < 10; ++slot) {
      const auto due = t0 + t * interval + slot * std::chrono::milliseconds(10);
      if (Steady::now() > due + std::chrono::milliseconds(10)) ++late_slots;
      std::this_thread::sleep_until(due);
      for (int i = slot; i < streams; i += 10) {
        const int start = (i % gops) * gop;
        const media::Frame& src = *clip.frames[(start + t) % clip.frames.size()];
        auto f = std::make_shared<media::Frame>(src);
        f->pts = media::Time90k(int64_t{t} * 9000);
        f->wall_time = WallTime(std::chrono::seconds(1'700'000'000)) + t * interval;
        f->arrival = Steady::now();
        analyzers[i]->OnFrame(std::move(f));
      }
    }
  }
  const double wall = std::chrono::duration<double>(Steady::now() - t0).count();
  const double rss_per_stream = (RssMb() - rss_before) / streams;
  uint64_t skipped = 0, analysed = 0, decoded = 0, errors = 0;
  size_t max_queue = 0;
  for (auto& a : analyzers) {
    const analysis::AnalyzerStats s = a->stats();
    skipped += s.gops_skipped;
    max_queue = std::max(max_queue, s.queue_frames);
  }
  const double cpu = CpuSeconds(RUSAGE_SELF) - cpu0;
  for (auto& a : analyzers) {
    a->Stop();
    const analysis::AnalyzerStats s = a->stats();
    analysed += s.frames_analysed;
    decoded += s.frames_decoded;
    errors += s.decode_errors;
  }
  const double per_stream = cpu / (streams * wall);
  std::printf("## Capacity: %d 360p10 streams analysed at %.0f fps in real time for %d s\n\n",
              streams, max_fps, seconds);
  std::printf("| streams | CPU used (cores) | CPU per stream-second | GOPs skipped | frames "
              "decoded | frames analysed | decode errors | deepest queue at the end | late feed "
              "slots | RSS per stream | load average before |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::printf("| %d | %.2f | %.4f | %llu | %llu | %llu | %llu | %zu | %lld | %.1f MB | %.1f |\n\n",
              streams, cpu / wall, per_stream, static_cast<unsigned long long>(skipped),
              static_cast<unsigned long long>(decoded), static_cast<unsigned long long>(analysed),
              static_cast<unsigned long long>(errors), max_queue,
              static_cast<long long>(late_slots), rss_per_stream, load);
  std::printf("At %.4f CPU-s per stream-second, 2 cores analyse about %.0f such streams.\n",
              per_stream, 2 / per_stream);
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  Result<Flags> flags =
      Flags::Parse({{"media"}, {"reps"}, {"streams"}, {"seconds"}, {"fps"},
                    {"skip-cost", false}, {"skip-capacity", false}},
                   argc, argv, 1);
  if (!flags.ok() || flags->help()) {
    std::fprintf(stderr, "usage: bench_motion [--media DIR] [--reps R] [--streams N] "
                         "[--seconds T] [--fps F] [--skip-cost] [--skip-capacity]\n");
    return flags.ok() ? 0 : 2;
  }
  const std::string media = flags->Get("media", "../shared/media");
  const int reps = static_cast<int>(flags->GetInt("reps", 3).value_or(3));
  const int streams = static_cast<int>(flags->GetInt("streams", 100).value_or(100));
  const int seconds = static_cast<int>(flags->GetInt("seconds", 20).value_or(20));
  const double fps = flags->GetDouble("fps", 5).value_or(5);
  if (!flags->Has("skip-cost")) {
    if (Status s = RunCost(media, reps); !s.ok()) {
      std::fprintf(stderr, "bench_motion: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  if (!flags->Has("skip-capacity")) {
    if (Status s = RunCapacity(media, streams, seconds, fps); !s.ok()) {
      std::fprintf(stderr, "bench_motion: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  return 0;
}
