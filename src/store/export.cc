#include "store/export.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <utility>

#include "media/stream_params.h"
#include "mp4/fragment.h"
#include "mp4/progressive.h"
#include "store/fragment_table.h"
#include "store/meta_file.h"

namespace sightline::store {
namespace {

// Reads are whole runs of fragments (or of sample payloads) up to this size: few system calls
// and large sequential reads, with bounded memory.
constexpr uint64_t kReadChunkBytes = 8 << 20;
constexpr size_t kWriteBufferBytes = 8 << 20;

struct ByteRange {
  uint64_t begin = 0;
  uint64_t end = 0;
};

// Splits ascending byte ranges of one file into groups [first, last) that are read at once:
// from the first's begin to the last's end, at most kReadChunkBytes (a larger range alone).
std::vector<std::pair<size_t, size_t>> GroupReads(std::span<const ByteRange> ranges) {
  std::vector<std::pair<size_t, size_t>> groups;
  size_t first = 0;
  for (size_t i = 1; i <= ranges.size(); ++i) {
    if (i == ranges.size() || ranges[i].end - ranges[first].begin > kReadChunkBytes) {
      groups.emplace_back(first, i);
      first = i;
    }
  }
  return groups;
}

// [begin, end) of `path`, all of it: a shorter file is data loss.
Result<Bytes> ReadRange(Env& env, const std::string& path, uint64_t begin, uint64_t end,
                        uint64_t* bytes_read) {
  Result<Bytes> bytes = env.Read(path, begin, end - begin);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) {
      return NotFoundError(bytes.status().message() +
                           " (deleted by retention while exporting?)");
    }
    return std::move(bytes).status().WithContext("reading offset " + std::to_string(begin));
  }
  if (bytes->size() != end - begin) {
    return DataLossError(path + ": " + std::to_string(end - begin) + " bytes at offset " +
                         std::to_string(begin) + " are recorded in the index, only " +
                         std::to_string(bytes->size()) + " are in the file");
  }
  *bytes_read += bytes->size();
  return bytes;
}

// One segment file's share of a part.
struct SegmentPlan {
  std::string path;
  int64_t start_us = 0;
  std::vector<FragmentEntry> fragments;  // the selected ones, in file order
  std::vector<ByteRange> payloads;       // per fragment, its selected samples' bytes (pass 1)
};

struct PartPlan {
  PartStart starts_after = PartStart::kRangeStart;
  std::shared_ptr<const media::StreamParams> params;
  std::vector<SegmentPlan> segments;
};

// The segments of `rows` that have fragments in the range, grouped into parts.
Result<std::vector<PartPlan>> PlanParts(Env& env, Index& index,
                                        const std::vector<StorageDir>& dirs,
                                        const StreamRow& stream,
                                        const std::vector<SegmentRow>& rows,
                                        const ExportRequest& request, uint64_t* bytes_read) {
  std::vector<PartPlan> parts;
  const SegmentRow* previous = nullptr;
  for (const SegmentRow& row : rows) {
    const StorageDir* dir = nullptr;
    for (const StorageDir& d : dirs) {
      if (d.dir_id == row.dir_id) dir = &d;
    }
    const std::string relative = SegmentRelativePath(stream.camera, stream.stream, row.seq);
    if (dir == nullptr) {
      std::string known = "id " + std::to_string(row.dir_id);
      ASSIGN_OR_RETURN(std::vector<DirRow> all, index.Dirs());
      for (const DirRow& d : all) {
        if (d.id == row.dir_id) known = d.path;
      }
      return FailedPreconditionError(relative + " is in storage directory " + known +
                                     ", which is not configured or has no meta file of this"
                                     " index");
    }
    SegmentPlan segment;
    segment.path = dir->path + "/" + relative;
    segment.start_us = row.start_us;
    Result<std::vector<FragmentEntry>> table =
        DecodeFragmentTable(row.fragments, row.init_length, row.start_us);
    if (!table.ok()) {
      return std::move(table).status().WithContext(segment.path + ": index row's fragment table");
    }
    // A fragment is taken if it ends after the start (so the one holding the start, which
    // begins with the keyframe at or before it, comes first) and begins before the end.
    for (const FragmentEntry& f : *table) {
      const int64_t begin_us = row.start_us + Ticks90kToUs(f.decode_time_90k);
      const int64_t end_us = row.start_us + Ticks90kToUs(f.decode_time_90k + f.duration_90k);
      if (end_us > request.start_us && begin_us < request.end_us) {
        segment.fragments.push_back(f);
      }
    }
    if (segment.fragments.empty()) continue;

    ASSIGN_OR_RETURN(Bytes init, ReadRange(env, segment.path, 0, row.init_length, bytes_read));
    Result<mp4::InitInfo> info = mp4::ParseInitSegment(init);
    if (!info.ok()) return std::move(info).status().WithContext(segment.path);
    Result<std::shared_ptr<const media::StreamParams>> params =
        media::MakeStreamParams(info->codec, info->vps, info->sps, info->pps);
    if (!params.ok()) return std::move(params).status().WithContext(segment.path);

    std::optional<PartStart> starts;
    if (previous == nullptr) {
      starts = PartStart::kRangeStart;
    } else if (row.start_us - previous->end_us > kMaxJoinGapUs) {
      starts = PartStart::kGap;
    } else if (!(**params == *parts.back().params)) {
      starts = PartStart::kParamsChange;
    }
    if (starts) parts.push_back({*starts, *params, {}});
    parts.back().segments.push_back(std::move(segment));
    previous = &row;
  }
  return parts;
}

// Pass 1 over one segment: parses the selected fragments and appends their samples before
// `end_us` to `samples`; records each fragment's selected payload bytes in the plan.
Status CollectSamples(Env& env, int64_t end_us, SegmentPlan& segment,
                      std::vector<mp4::SampleEntry>& samples, int64_t* last_end_us,
                      uint64_t* bytes_read) {
  std::vector<ByteRange> ranges;
  for (const FragmentEntry& f : segment.fragments) {
    ranges.push_back({f.offset, f.offset + f.length});
  }
  for (const auto& [first, last] : GroupReads(ranges)) {
    const uint64_t base = ranges[first].begin;
    ASSIGN_OR_RETURN(Bytes run,
                     ReadRange(env, segment.path, base, ranges[last - 1].end, bytes_read));
    for (size_t i = first; i < last; ++i) {
      const FragmentEntry& f = segment.fragments[i];
      Result<std::vector<mp4::SampleInfo>> parsed =
          mp4::ParseFragmentSamples(ByteSpan(run).subspan(f.offset - base, f.length), f.offset);
      if (!parsed.ok()) return std::move(parsed).status().WithContext(segment.path);
      if (parsed->size() != f.samples || parsed->empty() ||
          parsed->front().decode_time_90k != f.decode_time_90k) {
        return DataLossError(segment.path + ": fragment at offset " + std::to_string(f.offset) +
                             " differs from the index's fragment table");
      }
      ByteRange payload{parsed->front().offset, parsed->front().offset};
      for (const mp4::SampleInfo& s : *parsed) {
        if (segment.start_us + Ticks90kToUs(s.decode_time_90k) >= end_us) break;
        samples.push_back({s.size, s.duration_90k, s.keyframe});
        payload.end += s.size;
        *last_end_us = segment.start_us + Ticks90kToUs(s.decode_time_90k + s.duration_90k);
      }
      segment.payloads.push_back(payload);
    }
  }
  return Status();
}

// Appends to a WritableFile in large writes.
class BufferedOutput {
 public:
  explicit BufferedOutput(std::unique_ptr<WritableFile> file) : file_(std::move(file)) {
    buffer_.reserve(kWriteBufferBytes);
  }
  Status Append(ByteSpan data) {
    if (buffer_.size() + data.size() > kWriteBufferBytes) RETURN_IF_ERROR(Flush());
    if (data.size() >= kWriteBufferBytes) return file_->Append(data);
    buffer_.insert(buffer_.end(), data.begin(), data.end());
    return Status();
  }
  Status Flush() {
    if (buffer_.empty()) return Status();
    RETURN_IF_ERROR(file_->Append(buffer_));
    buffer_.clear();
    return Status();
  }
  WritableFile& file() { return *file_; }

 private:
  std::unique_ptr<WritableFile> file_;
  Bytes buffer_;
};

// Pass 2 over one segment: copies the selected payloads into `out`.
Status CopyPayloads(Env& env, const SegmentPlan& segment, BufferedOutput& out,
                    uint64_t* bytes_read) {
  for (const auto& [first, last] : GroupReads(segment.payloads)) {
    const uint64_t base = segment.payloads[first].begin;
    ASSIGN_OR_RETURN(Bytes run, ReadRange(env, segment.path, base,
                                          segment.payloads[last - 1].end, bytes_read));
    for (size_t i = first; i < last; ++i) {
      const ByteRange& p = segment.payloads[i];
      RETURN_IF_ERROR(out.Append(ByteSpan(run).subspan(p.begin - base, p.end - p.begin)));
    }
  }
  return Status();
}

// Writes one part to `tmp_path`: the header built from pass 1's table, then pass 2's bytes.
Result<ExportPart> WritePart(Env& env, PartPlan& plan, const ExportRequest& request,
                             const std::string& tmp_path, uint64_t* bytes_read) {
  ExportPart part;
  part.starts_after = plan.starts_after;
  const SegmentPlan& first = plan.segments.front();
  part.start_us = first.start_us + Ticks90kToUs(first.fragments.front().decode_time_90k);
  part.segments = static_cast<int64_t>(plan.segments.size());
  part.codec = plan.params->codec_string;
  part.width = plan.params->width;
  part.height = plan.params->height;

  std::vector<mp4::SampleEntry> samples;
  for (SegmentPlan& segment : plan.segments) {
    RETURN_IF_ERROR(
        CollectSamples(env, request.end_us, segment, samples, &part.end_us, bytes_read));
  }
  part.frames = static_cast<int64_t>(samples.size());
  const Bytes header = mp4::WriteProgressiveHeader(*plan.params, samples, part.start_us);
  uint64_t payload_bytes = 0;
  for (const mp4::SampleEntry& s : samples) payload_bytes += s.size;
  samples = {};  // the table is in the header now

  RETURN_IF_ERROR(env.Remove(tmp_path));  // a leftover would be appended to
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env.OpenAppendable(tmp_path));
  BufferedOutput out(std::move(file));
  RETURN_IF_ERROR(out.Append(header));
  for (const SegmentPlan& segment : plan.segments) {
    RETURN_IF_ERROR(CopyPayloads(env, segment, out, bytes_read));
  }
  RETURN_IF_ERROR(out.Flush());
  part.bytes = header.size() + payload_bytes;
  if (out.file().size() != part.bytes) {
    return InternalError(tmp_path + ": wrote " + std::to_string(out.file().size()) +
                         " bytes, the header promises " + std::to_string(part.bytes));
  }
  // Synced before the rename, so that the final name never holds a partial file.
  RETURN_IF_ERROR(out.file().Sync());
  return part;
}

}  // namespace

Result<ExportResult> Export(Env& env, Index& index, const std::vector<StorageDir>& dirs,
                            const ExportRequest& request) {
  if (request.end_us <= request.start_us) {
    return InvalidArgumentError("export: the end " + FormatIso8601(request.end_us) +
                                " is not after the start " + FormatIso8601(request.start_us));
  }
  if (request.output_path.empty()) return InvalidArgumentError("export: no output path");
  const std::string what = request.camera + "/" + request.stream;
  const std::string range =
      " from " + FormatIso8601(request.start_us) + " to " + FormatIso8601(request.end_us);
  ASSIGN_OR_RETURN(std::optional<StreamRow> stream,
                   index.FindStream(request.camera, request.stream));
  if (!stream) return NotFoundError("nothing was ever recorded for " + what);
  ASSIGN_OR_RETURN(std::vector<SegmentRow> rows,
                   index.SegmentsInRange(stream->id, request.start_us, request.end_us));
  ExportResult result;
  ASSIGN_OR_RETURN(std::vector<PartPlan> plan,
                   PlanParts(env, index, dirs, *stream, rows, request, &result.bytes_read));
  if (plan.empty()) return NotFoundError("nothing was recorded for " + what + range);

  std::vector<std::string> paths;
  for (size_t i = 0; i < plan.size(); ++i) {
    const int part = static_cast<int>(i + 1);
    paths.push_back(plan.size() == 1 ? request.output_path
                                     : ExportPartPath(request.output_path, part));
  }
  auto remove_temporaries = [&] {
    for (const std::string& p : paths) env.Remove(p + ".tmp").IgnoreError();
  };
  for (size_t i = 0; i < plan.size(); ++i) {
    Result<ExportPart> part = WritePart(env, plan[i], request, paths[i] + ".tmp",
                                        &result.bytes_read);
    if (!part.ok()) {
      remove_temporaries();
      return std::move(part).status().WithContext("export of " + what + range);
    }
    part->path = paths[i];
    result.parts.push_back(std::move(*part));
  }
  for (const std::string& p : paths) {
    Status s = env.Rename(p + ".tmp", p);
    if (!s.ok()) {
      remove_temporaries();
      return std::move(s).WithContext("export of " + what + range);
    }
  }
  RETURN_IF_ERROR(env.SyncDir(DirName(request.output_path)));
  return result;
}

std::string ExportPartPath(const std::string& path, int part) {
  const std::string suffix = ".part" + std::to_string(part);
  const size_t slash = path.rfind('/');
  const size_t name = slash == std::string::npos ? 0 : slash + 1;
  const size_t dot = path.rfind('.');
  // A dot that starts the name ("/tmp/.clip") begins no extension.
  if (dot == std::string::npos || dot <= name) return path + suffix;
  return path.substr(0, dot) + suffix + path.substr(dot);
}

Result<std::vector<StorageDir>> FindStorageDirs(Env& env, Index& index,
                                                const std::vector<std::string>& paths) {
  ASSIGN_OR_RETURN(std::vector<DirRow> known, index.Dirs());
  std::vector<StorageDir> out;
  for (const std::string& path : paths) {
    Result<Bytes> text = env.Read(path + "/" + kMetaFileName, 0, 4096);
    if (!text.ok()) continue;
    Result<DirMeta> meta = ParseDirMeta(std::string(text->begin(), text->end()));
    if (!meta.ok() || meta->db_uuid != index.db_uuid()) continue;
    for (const DirRow& d : known) {
      if (d.uuid == meta->dir_uuid) out.push_back({d.id, path});
    }
  }
  return out;
}

Result<int64_t> ParseIso8601(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError("time '" + std::string(text) + "': " + why +
                                " (expected e.g. 2026-11-21T10:15:00Z)");
  };
  size_t pos = 0;
  auto is_digit = [&](size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
  auto number = [&](size_t n, int* out) {
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!is_digit(pos + i)) return false;
      v = v * 10 + (text[pos + i] - '0');
    }
    pos += n;
    *out = v;
    return true;
  };
  auto skip = [&](char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!number(4, &year) || !skip('-') || !number(2, &month) || !skip('-') || !number(2, &day)) {
    return bad("no date YYYY-MM-DD");
  }
  if (!skip('T') && !skip('t') && !skip(' ')) return bad("no 'T' between the date and the time");
  if (!number(2, &hour) || !skip(':') || !number(2, &minute)) return bad("no time HH:MM[:SS]");
  int64_t fraction_us = 0;
  if (skip(':')) {
    if (!number(2, &second)) return bad("seconds are not two digits");
    if (skip('.') || skip(',')) {
      if (!is_digit(pos)) return bad("no digit after the decimal point");
      for (int64_t scale = 100'000; is_digit(pos); ++pos, scale /= 10) {
        fraction_us += (text[pos] - '0') * scale;
      }
    }
  }
  int64_t offset_s = 0;
  if (skip('+') || skip('-')) {
    const int sign = text[pos - 1] == '-' ? -1 : 1;
    int offset_h = 0, offset_m = 0;
    if (!number(2, &offset_h)) return bad("zone offset is not +HH, +HH:MM or +HHMM");
    if (pos < text.size()) {
      skip(':');
      if (!number(2, &offset_m)) return bad("zone offset is not +HH, +HH:MM or +HHMM");
    }
    if (offset_h > 23 || offset_m > 59) return bad("zone offset out of range");
    offset_s = sign * (offset_h * 3600 + offset_m * 60);
  } else if (!skip('Z')) {
    skip('z');
  }
  if (pos != text.size()) return bad("unexpected '" + std::string(text.substr(pos)) + "'");
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return bad("no such date");
  if (hour > 23 || minute > 59 || second > 59) return bad("no such time of day");
  const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  return seconds * 1'000'000 + fraction_us;
}

std::string FormatIso8601(int64_t unix_us) {
  using namespace std::chrono;
  const sys_time<microseconds> t{microseconds(unix_us)};
  const sys_days day = floor<days>(t);
  const year_month_day date(day);
  const hh_mm_ss<microseconds> time(t - day);
  char buf[48];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d",
                        static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                        static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                        static_cast<int>(time.minutes().count()),
                        static_cast<int>(time.seconds().count()));
  if (time.subseconds().count() != 0) {
    n += std::snprintf(buf + n, sizeof(buf) - n, ".%03d",
                       static_cast<int>(time.subseconds().count() / 1000));
  }
  return std::string(buf, n) + "Z";
}

}  // namespace sightline::store
