// sightline export: a time range of one recorded stream as regular MP4 files (store/export.h).
// Reads the index read-only and writes nothing in the store, so it runs beside `sightline run`.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/command.h"
#include "app/subcommands.h"
#include "base/flags.h"
#include "config/config.h"
#include "store/env.h"
#include "store/export.h"
#include "store/index.h"

namespace sightline::app {
namespace {

constexpr const char* kHelp = R"(usage:
  sightline export --config FILE --camera NAME [--stream NAME] --start TIME --end TIME -o FILE

Writes what one stream recorded from --start to --end as a regular MP4 file: the camera's
frames unchanged (no re-encoding), playable in any player, with the index first so that it
plays while it downloads. The file begins at the keyframe at or before --start, so it may
start up to one GOP early. Where the range holds a gap (the camera was offline) or the stream
changed codec or resolution, one file per continuous part is written instead:
FILE.part1.mp4, FILE.part2.mp4, ... Works while `sightline run` is recording.

TIME is an ISO 8601 date and time: 2026-11-21T10:15:00Z, 2026-11-21T10:15:00.5Z,
2026-11-21T11:15:00+01:00. Without a zone (2026-11-21T10:15:00) it is UTC, not local time.

flags:
  --config FILE        sightline.yaml (required)
  --camera NAME        the camera (required)
  --stream NAME        its stream (default main)
  --start TIME         (required)
  --end TIME           (required)
  -o, --output FILE    the MP4 to write (required); replaced if it exists

exit status: 0 written; 1 failed (nothing recorded in the range, read or write error);
2 bad flags or config
)";

// "1h02m03.5s", "15m02.0s", "12.3s".
std::string FormatDuration(int64_t us) {
  const int64_t tenths = us / 100'000;
  const int64_t h = tenths / 36'000, m = tenths / 600 % 60;
  const double s = static_cast<double>(tenths % 600) / 10;
  char buf[48];
  if (h > 0) {
    std::snprintf(buf, sizeof(buf), "%lldh%02lldm%04.1fs", static_cast<long long>(h),
                  static_cast<long long>(m), s);
  } else if (m > 0) {
    std::snprintf(buf, sizeof(buf), "%lldm%04.1fs", static_cast<long long>(m), s);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1fs", s);
  }
  return buf;
}

std::string DescribePart(const store::ExportPart& p) {
  char buf[160];
  std::snprintf(buf, sizeof(buf), ", %lld frames, %.1f MB, %s %dx%d",
                static_cast<long long>(p.frames), static_cast<double>(p.bytes) / 1e6,
                p.codec.c_str(), p.width, p.height);
  return p.path + ": " + store::FormatIso8601(p.start_us) + " to " +
         store::FormatIso8601(p.end_us) + " (" + FormatDuration(p.end_us - p.start_us) + ")" +
         buf;
}

// Why the export was split where it was, one phrase per break.
std::vector<std::string> Breaks(const std::vector<store::ExportPart>& parts) {
  std::vector<std::string> out;
  for (size_t i = 1; i < parts.size(); ++i) {
    const store::ExportPart& a = parts[i - 1];
    const store::ExportPart& b = parts[i];
    if (b.starts_after == store::PartStart::kGap) {
      out.push_back("a gap from " + store::FormatIso8601(a.end_us) + " to " +
                    store::FormatIso8601(b.start_us) + " (camera offline)");
    } else {
      out.push_back("a change from " + a.codec + " " + std::to_string(a.width) + "x" +
                    std::to_string(a.height) + " to " + b.codec + " " + std::to_string(b.width) +
                    "x" + std::to_string(b.height) + " at " + store::FormatIso8601(b.start_us));
    }
  }
  return out;
}

}  // namespace

int ExportMain(int argc, char** argv) {
  // `-o` is the one short flag: Flags takes long ones only.
  std::vector<std::string> args(argv, argv + argc);
  for (std::string& a : args) {
    if (a == "-o") a = "--output";
  }
  std::vector<char*> arg_ptrs;
  for (std::string& a : args) arg_ptrs.push_back(a.data());
  Command cmd("export", kHelp);
  if (std::optional<int> done = cmd.Parse(
          {{"config"}, {"camera"}, {"stream"}, {"start"}, {"end"}, {"output"}},
          static_cast<int>(arg_ptrs.size()), arg_ptrs.data(),
          {"config", "camera", "start", "end", "output"})) {
    return *done;
  }
  const Flags* flags = &cmd.flags();
  auto fail = [&](const Status& s, int code) { return cmd.Fail(s, code); };
  store::ExportRequest request;
  request.camera = flags->Get("camera");
  request.stream = flags->Get("stream", "main");
  request.output_path = flags->Get("output");
  Result<int64_t> start = store::ParseIso8601(flags->Get("start"));
  Result<int64_t> end = store::ParseIso8601(flags->Get("end"));
  if (!start.ok()) return fail(std::move(start).status().WithContext("--start"), 2);
  if (!end.ok()) return fail(std::move(end).status().WithContext("--end"), 2);
  if (*end <= *start) return fail(InvalidArgumentError("--end must be after --start"), 2);
  request.start_us = *start;
  request.end_us = *end;

  Result<config::Config> cfg = config::LoadConfig(flags->Get("config"));
  if (!cfg.ok()) return fail(cfg.status(), 2);
  store::Env& env = *store::DefaultEnv();
  const std::string& index_path = cfg->storage.index_path;
  if (!env.Exists(index_path)) {
    return fail(NotFoundError("no index at " + index_path + ": nothing has been recorded yet"), 1);
  }
  Result<std::unique_ptr<store::Index>> index = store::Index::Open(index_path, /*read_only=*/true);
  if (!index.ok()) return fail(index.status(), 1);
  std::vector<std::string> paths;
  for (const config::StorageDir& d : cfg->storage.dirs) paths.push_back(d.path);
  Result<std::vector<store::StorageDir>> dirs = store::FindStorageDirs(env, **index, paths);
  if (!dirs.ok()) return fail(dirs.status(), 1);

  const auto began = std::chrono::steady_clock::now();
  Result<store::ExportResult> result = store::Export(env, **index, *dirs, request);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  if (!result.ok()) return fail(result.status(), 1);

  const std::vector<store::ExportPart>& parts = result->parts;
  if (parts.front().start_us > request.start_us + store::kMaxJoinGapUs) {
    std::printf("note: nothing was recorded from --start to %s\n",
                store::FormatIso8601(parts.front().start_us).c_str());
  }
  if (parts.back().end_us < request.end_us - store::kMaxJoinGapUs) {
    std::printf("note: nothing was recorded from %s to --end\n",
                store::FormatIso8601(parts.back().end_us).c_str());
  }
  int64_t video_us = 0, frames = 0;
  uint64_t bytes = 0;
  for (const store::ExportPart& p : parts) {
    video_us += p.end_us - p.start_us;
    frames += p.frames;
    bytes += p.bytes;
  }
  if (parts.size() == 1) {
    std::printf("wrote %s\n", DescribePart(parts[0]).c_str());
  } else {
    const std::vector<std::string> breaks = Breaks(parts);
    std::string why = breaks.size() == 1 ? "the range has " + breaks[0]
                                         : "the range has " + std::to_string(breaks.size()) +
                                               " breaks: " + breaks[0];
    for (size_t i = 1; i < breaks.size(); ++i) why += "; " + breaks[i];
    std::printf("%s: wrote %zu files:\n", why.c_str(), parts.size());
    for (const store::ExportPart& p : parts) std::printf("  %s\n", DescribePart(p).c_str());
  }
  std::printf("exported %s of video, %lld frames, %.1f MB in %.2f s (%.0fx real time)\n",
              FormatDuration(video_us).c_str(), static_cast<long long>(frames),
              static_cast<double>(bytes) / 1e6, seconds,
              seconds > 0 ? static_cast<double>(video_us) / 1e6 / seconds : 0.0);
  return 0;
}

}  // namespace sightline::app
