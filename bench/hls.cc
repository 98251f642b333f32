// HLS playlist benchmark (issue 4): the playlist of 24 hours of one camera, from a real index
// holding that day as one-minute segments of 2-second GOPs (1440 rows, 43200 fragments), timed
// as the API serves it: the range query on a read-only connection plus HlsPlaylist. Target:
// under 20 ms. There is no peer that builds a playlist over stored files without remuxing
// them (ffmpeg's hls muxer rewrites the video), so the table compares the two steps.
//   usage: bench_hls [--dir DIR] [--runs N] [--hours H]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "bench_util.h"
#include "api/hls_playlist.h"
#include "base/flags.h"
#include "store/fragment_table.h"
#include "store/store.h"

using namespace sightline;
using namespace sightline::store;
using bench::Ms;
using bench::Percentile;
using Steady = std::chrono::steady_clock;

namespace {


constexpr int64_t kStartUs = 1'700'000'000'000'000;
constexpr int64_t kSegmentUs = 60'000'000;
constexpr int kGopsPerSegment = 30;


}  // namespace

int main(int argc, char** argv) {
  Result<Flags> flags = Flags::Parse({{"dir"}, {"runs"}, {"hours"}}, argc, argv, 1);
  if (!flags.ok()) {
    std::fprintf(stderr, "%s\n", flags.status().message().c_str());
    return 2;
  }
  const std::string dir = flags->Get("dir", "/tmp/sightline_bench_hls");
  const int runs = static_cast<int>(*flags->GetInt("runs", 50));
  const int hours = static_cast<int>(*flags->GetInt("hours", 24));
  RealClock clock;
  StoreOptions options = bench::FreshStoreOptions(dir, clock);
  {
    auto store = Store::Open(options, {{"cam", "main", {}}});
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      return 1;
    }
  }
  auto index = *Index::Open(options.index_path);
  const int64_t dir_id = (*index->Dirs())[0].id;
  const int64_t stream_id = *index->EnsureStream("cam", "main");
  std::vector<SegmentRow> rows;
  const int segments = hours * 60;
  for (int i = 0; i < segments; ++i) {
    SegmentRow r;
    r.stream_id = stream_id;
    r.seq = i + 1;
    r.dir_id = dir_id;
    r.start_us = kStartUs + i * kSegmentUs;
    r.end_us = r.start_us + kSegmentUs;
    r.codec = "avc1.640028";
    r.width = 1920;
    r.height = 1080;
    r.init_length = 750;
    std::vector<FragmentEntry> f(kGopsPerSegment);
    uint64_t offset = r.init_length;
    for (int g = 0; g < kGopsPerSegment; ++g) {
      f[g] = {offset, 1'000'000u + g * 37, 180000LL * g, 180000, r.start_us + 2'000'000LL * g, 20};
      offset += f[g].length;
    }
    r.fragments = EncodeFragmentTable(f, r.init_length, r.start_us);
    r.durable_length = offset;
    r.frames = 20 * kGopsPerSegment;
    r.open = false;
    rows.push_back(std::move(r));
  }
  if (Status s = index->CommitSegments(rows); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  auto reader = *Index::Open(options.index_path, /*read_only=*/true);
  const int64_t end_us = kStartUs + segments * kSegmentUs;

  std::vector<double> query_ms, build_ms, total_ms;
  size_t bytes = 0;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Steady::now();
    Result<std::vector<SegmentRow>> segs = reader->SegmentsInRange(stream_id, kStartUs, end_us);
    const auto t1 = Steady::now();
    Result<std::string> playlist = api::HlsPlaylist(*segs, {kStartUs, end_us, true});
    const auto t2 = Steady::now();
    if (!playlist.ok() || segs->size() != static_cast<size_t>(segments)) {
      std::fprintf(stderr, "bench_hls: bad result\n");
      return 1;
    }
    bytes = playlist->size();
    query_ms.push_back(Ms(t1 - t0));
    build_ms.push_back(Ms(t2 - t1));
    total_ms.push_back(Ms(t2 - t0));
  }
  std::printf("HLS playlist for %d h of one camera: %d segment files, %d fragments, %zu bytes\n",
              hours, segments, segments * kGopsPerSegment, bytes);
  std::printf("%-28s %10s %10s\n", "step", "median ms", "p99 ms");
  std::printf("%-28s %10.2f %10.2f\n", "index range query", Percentile(query_ms, 0.5),
              Percentile(query_ms, 0.99));
  std::printf("%-28s %10.2f %10.2f\n", "playlist text", Percentile(build_ms, 0.5),
              Percentile(build_ms, 0.99));
  std::printf("%-28s %10.2f %10.2f   (target < 20 ms: %s)\n", "total", Percentile(total_ms, 0.5),
              Percentile(total_ms, 0.99), Percentile(total_ms, 0.99) < 20 ? "met" : "NOT met");
  std::filesystem::remove_all(dir);
  return 0;
}
