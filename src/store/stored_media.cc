#include "store/stored_media.h"

#include <algorithm>
#include <cstdint>

#include "media/stream_params.h"
#include "mp4/fragment.h"
#include "store/export.h"
#include "store/fragment_table.h"

namespace sightline::store {

Result<std::string> SegmentPath(const std::vector<StorageDir>& dirs,
                                const SegmentRow& row, const std::string& camera,
                                const std::string& stream) {
  for (const StorageDir& d : dirs) {
    if (d.dir_id == row.dir_id) {
      return d.path + "/" + SegmentRelativePath(camera, stream, row.seq);
    }
  }
  return NotFoundError("The storage directory of this recording is not mounted.");
}

Result<std::optional<std::pair<int64_t, int64_t>>> ServedSpan(const SegmentRow& segment,
                                                              uint64_t offset, uint64_t length) {
  ASSIGN_OR_RETURN(std::vector<FragmentEntry> fragments,
                   DecodeFragmentTable(segment.fragments, segment.init_length, segment.start_us));
  const uint64_t end = offset + length;
  std::optional<std::pair<int64_t, int64_t>> span;
  for (const FragmentEntry& f : fragments) {
    if (f.offset >= end || f.offset + f.length <= offset) continue;
    const int64_t a = f.wall_us, b = f.wall_us + Ticks90kToUs(f.duration_90k);
    span = span ? std::pair{std::min(span->first, a), std::max(span->second, b)} : std::pair{a, b};
  }
  return span;
}

Result<StoredKeyframe> ReadKeyframeAt(Env& env, Index& index,
                                      const std::vector<StorageDir>& dirs,
                                      const std::string& camera, const std::string& stream,
                                      int64_t time_us) {
  const std::string what = camera + "/" + stream + " at " + FormatIso8601(time_us);
  ASSIGN_OR_RETURN(std::optional<StreamRow> s, index.FindStream(camera, stream));
  if (!s.has_value()) return NotFoundError("Nothing is recorded of " + camera + "/" + stream + ".");
  ASSIGN_OR_RETURN(std::vector<SegmentRow> segs,
                   // No signed overflow at INT64_MAX (security-review-1 I5).
                   index.SegmentsInRange(s->id, time_us,
                                         time_us < INT64_MAX ? time_us + 1 : time_us));
  if (segs.empty()) return NotFoundError("Nothing was recorded of " + what + ".");
  const SegmentRow& seg = segs.front();
  ASSIGN_OR_RETURN(std::vector<FragmentEntry> fragments,
                   DecodeFragmentTable(seg.fragments, seg.init_length, seg.start_us));
  const FragmentEntry* f = nullptr;
  for (const FragmentEntry& e : fragments) {
    if (f == nullptr || e.wall_us <= time_us) f = &e;
  }
  if (f == nullptr) return NotFoundError("Nothing was recorded of " + what + ".");
  ASSIGN_OR_RETURN(std::string path, SegmentPath(dirs, seg, camera, stream));
  ASSIGN_OR_RETURN(Bytes init, env.Read(path, 0, seg.init_length));
  ASSIGN_OR_RETURN(mp4::InitInfo info, mp4::ParseInitSegment(init));
  ASSIGN_OR_RETURN(Bytes fragment, env.Read(path, f->offset, f->length));
  ASSIGN_OR_RETURN(std::vector<mp4::SampleInfo> samples,
                   mp4::ParseFragmentSamples(fragment, f->offset));
  if (samples.empty() || !samples.front().keyframe) {
    return DataLossError(path + ": the fragment at offset " + std::to_string(f->offset) +
                         " does not start with a keyframe");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const media::StreamParams> params,
                   media::MakeStreamParams(info.codec, info.vps, info.sps, info.pps));
  const mp4::SampleInfo& k = samples.front();
  const uint64_t at = k.offset - f->offset;
  return StoredKeyframe{*params, Bytes(fragment.begin() + at, fragment.begin() + at + k.size),
                        f->wall_us};
}

}  // namespace sightline::store
