// ExportReader (export_reader.h): the planning and both passes of an export.

#include "store/export_reader.h"

#include <optional>
#include <span>
#include <utility>

#include "media/stream_params.h"
#include "mp4/fragment.h"
#include "mp4/progressive.h"
#include "store/fragment_table.h"

namespace sightline::store {
namespace {

// Reads are whole runs of fragments (or of sample payloads) up to this size: few system calls
// and large sequential reads, with bounded memory.
constexpr uint64_t kReadChunkBytes = 8 << 20;

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


// The selected payloads of one segment, as read groups (pass 2).
std::vector<std::pair<size_t, size_t>> PayloadReads(const SegmentPlan& segment) {
  return GroupReads(segment.payloads);
}

// One read group's payloads, concatenated.
Result<Bytes> CopyPayloads(Env& env, const SegmentPlan& segment, size_t first, size_t last,
                           uint64_t* bytes_read) {
  const uint64_t base = segment.payloads[first].begin;
  ASSIGN_OR_RETURN(Bytes run, ReadRange(env, segment.path, base,
                                        segment.payloads[last - 1].end, bytes_read));
  Bytes out;
  out.reserve(run.size());
  for (size_t i = first; i < last; ++i) {
    const ByteRange& p = segment.payloads[i];
    AppendBytes(out, ByteSpan(run).subspan(p.begin - base, p.end - p.begin));
  }
  return out;
}

}  // namespace

struct ExportReader::State {
  Env* env = nullptr;
  std::string what;   // "camera/stream from ... to ...", the context of every error
  int64_t end_us = 0;
  std::vector<PartPlan> plan;
  uint64_t bytes_read = 0;

  // The prepared part and where Next() is in it.
  std::optional<size_t> part;
  uint64_t promised_bytes = 0;  // ExportPart::bytes
  uint64_t returned_bytes = 0;
  Bytes header;                 // until Next() returns it
  size_t segment = 0;
  std::vector<std::pair<size_t, size_t>> reads;  // of plan[*part].segments[segment]
  size_t read = 0;
};

ExportReader::ExportReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
ExportReader::~ExportReader() = default;

Result<std::unique_ptr<ExportReader>> ExportReader::Open(Env& env, Index& index,
                                                         const std::vector<StorageDir>& dirs,
                                                         const ExportRequest& request) {
  if (request.end_us <= request.start_us) {
    return InvalidArgumentError("export: the end " + FormatIso8601(request.end_us) +
                                " is not after the start " + FormatIso8601(request.start_us));
  }
  const std::string what = request.camera + "/" + request.stream;
  const std::string range =
      " from " + FormatIso8601(request.start_us) + " to " + FormatIso8601(request.end_us);
  ASSIGN_OR_RETURN(std::optional<StreamRow> stream,
                   index.FindStream(request.camera, request.stream));
  if (!stream) return NotFoundError("nothing was ever recorded for " + what);
  ASSIGN_OR_RETURN(std::vector<SegmentRow> rows,
                   index.SegmentsInRange(stream->id, request.start_us, request.end_us));
  auto state = std::make_unique<State>();
  state->env = &env;
  state->what = "export of " + what + range;
  state->end_us = request.end_us;
  ASSIGN_OR_RETURN(state->plan,
                   PlanParts(env, index, dirs, *stream, rows, request, &state->bytes_read));
  if (state->plan.empty()) return NotFoundError("nothing was recorded for " + what + range);
  return std::unique_ptr<ExportReader>(new ExportReader(std::move(state)));
}

size_t ExportReader::parts() const { return state_->plan.size(); }

uint64_t ExportReader::bytes_read() const { return state_->bytes_read; }

Result<ExportPart> ExportReader::Prepare(size_t i) {
  State& s = *state_;
  if (i >= s.plan.size()) {
    return InvalidArgumentError(s.what + ": no part " + std::to_string(i + 1));
  }
  s.part.reset();
  PartPlan& plan = s.plan[i];
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
    segment.payloads.clear();  // a part prepared again collects them anew
    Status st = CollectSamples(*s.env, s.end_us, segment, samples, &part.end_us, &s.bytes_read);
    if (!st.ok()) return std::move(st).WithContext(s.what);
  }
  part.frames = static_cast<int64_t>(samples.size());
  s.header = mp4::WriteProgressiveHeader(*plan.params, samples, part.start_us);
  uint64_t payload_bytes = 0;
  for (const mp4::SampleEntry& e : samples) payload_bytes += e.size;
  part.bytes = s.header.size() + payload_bytes;

  s.part = i;
  s.promised_bytes = part.bytes;
  s.returned_bytes = 0;
  s.segment = 0;
  s.reads = PayloadReads(plan.segments.front());
  s.read = 0;
  return part;
}

Result<Bytes> ExportReader::Next() {
  State& s = *state_;
  if (!s.part) return FailedPreconditionError(s.what + ": no part prepared");
  if (s.returned_bytes == 0 && !s.header.empty()) {
    Bytes header = std::move(s.header);
    s.header = {};
    s.returned_bytes += header.size();
    return header;
  }
  const std::vector<SegmentPlan>& segments = s.plan[*s.part].segments;
  // A read group of nothing (no sample selected) is skipped: empty means the end.
  for (;;) {
    while (s.segment < segments.size() && s.read == s.reads.size()) {
      if (++s.segment < segments.size()) s.reads = PayloadReads(segments[s.segment]);
      s.read = 0;
    }
    if (s.segment == segments.size()) {
      if (s.returned_bytes != s.promised_bytes) {
        return InternalError(s.what + ": made " + std::to_string(s.returned_bytes) +
                             " bytes, the header promises " + std::to_string(s.promised_bytes));
      }
      return Bytes();
    }
    const auto [first, last] = s.reads[s.read++];
    Result<Bytes> run = CopyPayloads(*s.env, segments[s.segment], first, last, &s.bytes_read);
    if (!run.ok()) return std::move(run).status().WithContext(s.what);
    if (run->empty()) continue;
    s.returned_bytes += run->size();
    return std::move(*run);
  }
}

}  // namespace sightline::store
