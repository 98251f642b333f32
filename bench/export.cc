// Export benchmark: records a long synthetic stream through the store (frames of a camera's
// sizes: by default 4 Mbit/s, 25 fps, a keyframe every 2 s, one-minute segments), then times
// store::Export of the whole recording and of a 10-minute range, with the segment files in
// the page cache (warm) and evicted from it (cold: POSIX_FADV_DONTNEED on each file, which
// touches no other process's cache). Target (issue "export"): at least 200x real time.
//   usage: bench_export [--dir DIR] [--minutes M] [--mbps R] [--fps F]
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "base/flags.h"
#include "media/stream_params.h"
#include "media/test_param_sets.h"
#include "store/export.h"
#include "store/store.h"

using namespace sightline;
using namespace sightline::store;
using Steady = std::chrono::steady_clock;

namespace {

constexpr int64_t kStartUs = 1'700'000'000'000'000;

void EvictFromPageCache(const std::string& dir) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().extension() != ".mp4") continue;
    const int fd = ::open(e.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

// The peak resident memory since the last ResetPeakRss(), in MB (Linux: VmHWM).
void ResetPeakRss() {
  std::ofstream("/proc/self/clear_refs") << "5";
}
double PeakRssMb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stod(line.substr(6)) / 1024;
  }
  return 0;
}

// Exports [start_us, end_us) and prints one line of figures.
bool Measure(Index& index, const std::vector<StorageDir>& dirs, const std::string& what,
             int64_t start_us, int64_t end_us, const std::string& out) {
  ResetPeakRss();
  const auto began = Steady::now();
  Result<ExportResult> r =
      Export(*DefaultEnv(), index, dirs, {"cam", "main", start_us, end_us, out});
  const double s = std::chrono::duration<double>(Steady::now() - began).count();
  if (!r.ok()) {
    std::fprintf(stderr, "export: %s\n", r.status().ToString().c_str());
    return false;
  }
  int64_t video_us = 0;
  uint64_t bytes = 0;
  for (const ExportPart& p : r->parts) {
    video_us += p.end_us - p.start_us;
    bytes += p.bytes;
  }
  std::printf("%-24s %7.1f s of video %8.1f MB %6.2f s %6.0fx real time %5.0f MB/s"
              " peak RSS %4.0f MB (%zu part%s)\n",
              what.c_str(), video_us / 1e6, bytes / 1e6, s, video_us / 1e6 / s, bytes / 1e6 / s,
              PeakRssMb(), r->parts.size(), r->parts.size() == 1 ? "" : "s");
  std::filesystem::remove(out);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Result<Flags> flags = Flags::Parse({{"dir"}, {"minutes"}, {"mbps"}, {"fps"}}, argc, argv, 1);
  if (!flags.ok()) {
    std::fprintf(stderr, "%s\n", flags.status().message().c_str());
    return 2;
  }
  const std::string dir = flags->Get("dir", "/tmp/sightline_bench_export");
  const int64_t minutes = *flags->GetInt("minutes", 60);
  const double mbps = *flags->GetDouble("mbps", 4);
  const int fps = static_cast<int>(*flags->GetInt("fps", 25));
  const int gop = 2 * fps;
  // A keyframe is about eight times a P-frame; together they make the bit rate.
  const double gop_bytes = mbps * 1e6 / 8 * 2;
  const size_t p_bytes = static_cast<size_t>(gop_bytes / (gop - 1 + 8));
  const size_t i_bytes = 8 * p_bytes;

  RealClock clock;
  StoreOptions options = bench::FreshStoreOptions(dir, clock);
  options.segment_duration = std::chrono::seconds(60);
  options.max_pending_bytes_per_stream = 256 << 20;
  auto params = *media::MakeStreamParams(media::Codec::kH264, {},
                                         media::testdata::kPets1080pH264Sps,
                                         media::testdata::kPets1080pH264Pps);
  const int64_t frames = minutes * 60 * fps;
  std::printf("recording %lld min at %.1f Mbit/s, %d fps (%zu-byte keyframes, %zu-byte"
              " P-frames)...\n",
              static_cast<long long>(minutes), mbps, fps, i_bytes, p_bytes);
  const auto record_began = Steady::now();
  {
    Result<std::unique_ptr<Store>> store = Store::Open(options, {{"cam", "main", {}}});
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      return 1;
    }
    StreamRecorder* rec = (*store)->recorder("cam", "main");
    std::mt19937 rng(1);
    Bytes noise(i_bytes + 16);
    for (uint8_t& b : noise) b = static_cast<uint8_t>(rng());
    for (int64_t n = 0; n < frames; ++n) {
      auto f = std::make_shared<media::Frame>();
      f->codec = media::Codec::kH264;
      f->keyframe = n % gop == 0;
      f->pts = media::Time90k(90000 * n / fps);
      f->wall_time = WallTime(std::chrono::microseconds(kStartUs + 1'000'000 * n / fps));
      f->params = params;
      const size_t size = f->keyframe ? i_bytes : p_bytes;
      f->data.assign(noise.begin() + n % 16, noise.begin() + n % 16 + size);
      StoreBe32(f->data.data(), static_cast<uint32_t>(size - 4));
      f->data[4] = f->keyframe ? 0x65 : 0x41;
      rec->OnFrame(std::move(f));
      // Keep the writer's queue from overflowing: this feeds far faster than a camera.
      while (rec->stats().pending_bytes > (128u << 20)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    (*store)->Close();
    const StreamRecorderStats st = rec->stats();
    std::printf("recorded %lld frames, %.1f MB in %.1f s (%llu GOPs dropped)\n",
                static_cast<long long>(st.frames), st.bytes_written / 1e6,
                std::chrono::duration<double>(Steady::now() - record_began).count(),
                static_cast<unsigned long long>(st.gops_dropped_slow));
  }

  auto index = Index::Open(options.index_path, /*read_only=*/true);
  if (!index.ok()) {
    std::fprintf(stderr, "%s\n", index.status().ToString().c_str());
    return 1;
  }
  Result<std::vector<StorageDir>> dirs = FindStorageDirs(*DefaultEnv(), **index, {dir + "/disk"});
  const int64_t end_us = kStartUs + frames * 1'000'000 / fps;
  const int64_t ten_min_us = std::min<int64_t>(600'000'000, end_us - kStartUs);
  const int64_t mid_us = kStartUs + (end_us - kStartUs - ten_min_us) / 2;
  const std::string out = dir + "/clip.mp4";
  bool ok = true;
  EvictFromPageCache(dir + "/disk");
  ok = ok && Measure(**index, *dirs, "whole recording, cold", kStartUs, end_us, out);
  ok = ok && Measure(**index, *dirs, "whole recording, warm", kStartUs, end_us, out);
  EvictFromPageCache(dir + "/disk");
  ok = ok && Measure(**index, *dirs, "10 minutes, cold", mid_us + 1, mid_us + ten_min_us, out);
  ok = ok && Measure(**index, *dirs, "10 minutes, warm", mid_us + 1, mid_us + ten_min_us, out);
  std::filesystem::remove_all(dir);
  return ok ? 0 : 1;
}
