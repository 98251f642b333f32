#pragma once
// Export: a time range of one recorded stream as regular, faststart MP4 files (`sightline
// export`), by stream copy: the samples' bytes go out exactly as the camera sent them.
//
// The range starts at the keyframe at or before `start_us` (the fragment, one GOP, holding
// it) and ends after the last sample whose time is before `end_us` (possibly mid-GOP). A
// sample's time is its segment's start plus its decode time, the timeline the index's
// segment ranges use. One file per continuous part: a part ends where the next segment starts
// more than kMaxJoinGapUs after the previous one ended (the camera was offline) or where the
// parameter sets change (codec, resolution: one MP4 track has one sample description).
//
// Reads only: safe beside a running recorder with a read-only Index connection, since it reads
// no byte beyond each row's fragment table. A segment deleted by retention during the export
// fails it with NotFound. Memory stays bounded by the sample table (about 12 bytes a frame)
// plus two 8 MiB buffers, whatever the range's length: the samples' bytes are read twice,
// once to build the table that the MP4 header needs first, then to copy them.
//
// Thread-compatible: one call uses its Env, Index and files alone.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/env.h"
#include "store/index.h"
#include "store/recovery.h"

namespace sightline::store {

// Segments closer than this are joined into one part. Longer than the wall-clock jitter at a
// segment cut (tens of ms) and than a few lost frames, which play back naturally when joined;
// shorter than any outage a viewer should be shown as a separate file.
inline constexpr int64_t kMaxJoinGapUs = 500'000;

struct ExportRequest {
  std::string camera;
  std::string stream;
  int64_t start_us = 0;  // [start_us, end_us), Unix microseconds
  int64_t end_us = 0;
  // One part is written exactly here; several to ExportPartPath(output_path, 1, 2, ...).
  // Each is written to "<path>.tmp" first and renamed once every part is complete.
  std::string output_path;
};

// Why a part begins where it does.
enum class PartStart {
  kRangeStart,    // the first part
  kGap,           // nothing was recorded between the previous part's end and this start
  kParamsChange,  // the stream's parameter sets (codec, resolution, ...) changed
};

struct ExportPart {
  std::string path;
  PartStart starts_after = PartStart::kRangeStart;
  int64_t start_us = 0;  // the first sample's time
  int64_t end_us = 0;    // the last sample's time plus its duration
  int64_t frames = 0;
  uint64_t bytes = 0;    // of the file
  int64_t segments = 0;  // segment files it was read from
  std::string codec;     // RFC 6381, e.g. "avc1.640028"
  int width = 0;
  int height = 0;
};

struct ExportResult {
  std::vector<ExportPart> parts;  // in time order; at least one
  uint64_t bytes_read = 0;        // from segment files, both passes
};

// `dirs` maps the index's directory ids to paths (FindStorageDirs). Errors: InvalidArgument
// for an empty or reversed range; NotFound when nothing is recorded in the range (naming the
// stream and the range); otherwise the failing file and offset. No output file exists after
// an error (temporary files are removed).
Result<ExportResult> Export(Env& env, Index& index, const std::vector<StorageDir>& dirs,
                            const ExportRequest& request);

// "clip.mp4", 2 -> "clip.part2.mp4"; "clip", 2 -> "clip.part2".
std::string ExportPartPath(const std::string& path, int part);

// The configured directories `paths` that the index knows, matched by the directory uuid in
// their meta file (so a disk mounted at a new path is still found). Writes nothing: for
// readers beside a running recorder. A path without a readable meta file of this index is left
// out; an export that needs it then fails naming the directory the index expected.
Result<std::vector<StorageDir>> FindStorageDirs(Env& env, Index& index,
                                                const std::vector<std::string>& paths);

// The command line's times (`--start`, `--end`), ISO 8601: "YYYY-MM-DDTHH:MM[:SS[.frac]]"
// then "Z", "+HH:MM", "-HH:MM", "+HHMM", "+HH" or nothing, which means UTC. A space may stand
// for the "T". Returns Unix microseconds; digits of the fraction beyond microseconds are
// dropped. Errors quote the text and say what is wrong.
Result<int64_t> ParseIso8601(std::string_view text);
// "2026-11-21T10:15:00Z", or "2026-11-21T10:15:00.500Z" (milliseconds) when not a whole second.
std::string FormatIso8601(int64_t unix_us);

}  // namespace sightline::store
