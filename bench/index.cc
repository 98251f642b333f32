// Index benchmark: 100 cameras x 30 days of one-minute segments (4.3 million rows, each with a
// 30-fragment table), then (1) random range queries: the segments and fragments covering a
// range, and (2) opening the store, i.e. recovery at start. Targets (issue 3): a query under
// 1 ms, recovery under 2 s.
//   usage: bench_index [--dir DIR] [--cameras N] [--days D] [--queries Q]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <vector>

#include "bench_util.h"
#include "base/flags.h"
#include "store/fragment_table.h"
#include "store/store.h"

using namespace sightline;
using namespace sightline::store;
using bench::Ms;
using Steady = std::chrono::steady_clock;

namespace {


constexpr int64_t kStartUs = 1'700'000'000'000'000;
constexpr int64_t kSegmentUs = 60'000'000;

}  // namespace

int main(int argc, char** argv) {
  Result<Flags> flags = Flags::Parse({{"dir"}, {"cameras"}, {"days"}, {"queries"}}, argc, argv, 1);
  if (!flags.ok()) {
    std::fprintf(stderr, "%s\n", flags.status().message().c_str());
    return 2;
  }
  const std::string dir = flags->Get("dir", "/tmp/sightline_bench_index");
  const int cameras = static_cast<int>(*flags->GetInt("cameras", 100));
  const int days = static_cast<int>(*flags->GetInt("days", 30));
  const int queries = static_cast<int>(*flags->GetInt("queries", 10000));
  RealClock clock;
  StoreOptions options = bench::FreshStoreOptions(dir, clock);
  std::vector<StreamSpec> streams;
  for (int c = 0; c < cameras; ++c) streams.push_back({"cam" + std::to_string(c), "main", {}});

  // Create the directories and stream rows through the store, then fill the index directly.
  { auto store = Store::Open(options, streams); if (!store.ok()) { std::fprintf(stderr, "%s\n", store.status().ToString().c_str()); return 1; } }
  auto index = *Index::Open(options.index_path);
  const int64_t dir_id = (*index->Dirs())[0].id;
  const int64_t per_stream = int64_t{days} * 24 * 60;
  std::printf("filling %d streams x %lld segments (%lld rows)...\n", cameras,
              static_cast<long long>(per_stream), static_cast<long long>(per_stream * cameras));
  const auto fill_start = Steady::now();
  std::vector<FragmentEntry> frags(30);
  for (int c = 0; c < cameras; ++c) {
    const int64_t stream_id = *index->EnsureStream("cam" + std::to_string(c), "main");
    std::vector<SegmentRow> rows;
    for (int64_t s = 0; s < per_stream; ++s) {
      SegmentRow r;
      r.stream_id = stream_id;
      r.seq = s + 1;
      r.dir_id = dir_id;
      r.start_us = kStartUs + s * kSegmentUs;
      r.end_us = r.start_us + kSegmentUs;
      r.codec = "avc1.640028";
      r.width = 1920;
      r.height = 1080;
      r.init_length = 700;
      uint64_t offset = 700;
      int64_t t = 0;
      for (FragmentEntry& f : frags) {
        f = {offset, 1'000'000, t, 180'000, r.start_us + Ticks90kToUs(t), 20};
        offset += f.length;
        t += f.duration_90k;
      }
      r.durable_length = offset;
      r.frames = 600;
      r.fragments = EncodeFragmentTable(frags, r.init_length, r.start_us);
      r.open = false;
      rows.push_back(std::move(r));
    }
    Status st = index->CommitSegments(rows);
    if (!st.ok()) { std::fprintf(stderr, "%s\n", st.ToString().c_str()); return 1; }
  }
  std::printf("filled in %.1f s; index file %.0f MB\n", Ms(Steady::now() - fill_start) / 1000,
              std::filesystem::file_size(options.index_path) / 1e6);
  index.reset();

  // Queries on a read-only connection, as the API and export make them: a random camera, a
  // random 5-minute range; segments, then the fragments covering the range.
  auto reader = *Index::Open(options.index_path, /*read_only=*/true);
  std::mt19937_64 rng(1);
  std::vector<double> times;
  size_t fragments_found = 0;
  for (int q = 0; q < queries; ++q) {
    const int64_t stream_id = 1 + static_cast<int64_t>(rng() % cameras);
    const int64_t start = kStartUs + static_cast<int64_t>(rng() % (per_stream * kSegmentUs));
    const int64_t end = start + 5 * 60'000'000;
    const auto t0 = Steady::now();
    std::vector<SegmentRow> rows = *reader->SegmentsInRange(stream_id, start, end);
    for (const SegmentRow& r : rows) {
      for (const FragmentEntry& f : *DecodeFragmentTable(r.fragments, r.init_length, r.start_us)) {
        if (f.wall_us < end && f.wall_us + Ticks90kToUs(f.duration_90k) > start) ++fragments_found;
      }
    }
    times.push_back(Ms(Steady::now() - t0));
  }
  std::sort(times.begin(), times.end());
  auto pct = [&](double p) { return times[static_cast<size_t>(p * (times.size() - 1))]; };

  // Recovery at start: the whole Store::Open.
  const auto open_start = Steady::now();
  auto store = Store::Open(options, streams);
  const double open_ms = Ms(Steady::now() - open_start);
  if (!store.ok()) { std::fprintf(stderr, "%s\n", store.status().ToString().c_str()); return 1; }
  (*store)->Close();

  std::printf("\n| measure | value | target |\n|---|---|---|\n");
  std::printf("| rows | %lld | 100 cameras x 30 days |\n", static_cast<long long>(per_stream * cameras));
  std::printf("| range query (5 min, segments + fragments), median | %.3f ms | < 1 ms |\n", pct(0.5));
  std::printf("| range query, p99 | %.3f ms | < 1 ms |\n", pct(0.99));
  std::printf("| range query, max | %.3f ms | |\n", times.back());
  std::printf("| fragments found per query | %.1f | |\n", double(fragments_found) / queries);
  std::printf("| recovery at start (Store::Open) | %.0f ms | < 2000 ms |\n", open_ms);
  std::filesystem::remove_all(dir);
  return 0;
}
