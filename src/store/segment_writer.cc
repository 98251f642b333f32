#include "store/segment_writer.h"

#include <chrono>

#include "mp4/fragment.h"

namespace sightline::store {
Result<std::unique_ptr<SegmentWriter>> SegmentWriter::Create(Env& env, std::string path,
                                                             const media::StreamParams& params,
                                                             int64_t stream_id, int64_t seq,
                                                             int64_t dir_id) {
  std::unique_ptr<SegmentWriter> w(new SegmentWriter());
  ASSIGN_OR_RETURN(w->file_, env.OpenAppendable(path));
  if (w->file_->size() != 0) {
    return FailedPreconditionError("segment file " + path + " already exists with " +
                              std::to_string(w->file_->size()) + " bytes");
  }
  const Bytes init = mp4::WriteInitSegment(params);
  RETURN_IF_ERROR(w->file_->Append(init));
  w->path_ = std::move(path);
  w->params_ = std::make_shared<const media::StreamParams>(params);
  w->row_.stream_id = stream_id;
  w->row_.seq = seq;
  w->row_.dir_id = dir_id;
  w->row_.codec = params.codec_string;
  w->row_.width = params.width;
  w->row_.height = params.height;
  w->row_.init_length = init.size();
  return w;
}

Status SegmentWriter::Append(const Gop& gop) {
  std::vector<mp4::Sample> samples;
  samples.reserve(gop.frames.size());
  for (size_t i = 0; i < gop.frames.size(); ++i) {
    samples.push_back({gop.frames[i]->data, gop.durations_90k[i], gop.frames[i]->keyframe});
  }
  mp4::FragmentHeader h;
  h.sequence = static_cast<uint32_t>(fragments_.size() + 1);
  h.base_decode_time_90k = decode_time_90k_;
  h.wall_time_us = UnixMicros(gop.frames[0]->wall_time);
  if (fragments_.empty()) row_.start_us = h.wall_time_us;
  const Bytes fragment = mp4::WriteFragment(h, samples);
  const uint64_t offset = file_->size();
  RETURN_IF_ERROR(file_->Append(fragment));
  FragmentEntry e;
  e.offset = offset;
  e.length = fragment.size();
  e.decode_time_90k = decode_time_90k_;
  e.duration_90k = gop.duration_90k();
  e.wall_us = h.wall_time_us;
  e.samples = static_cast<uint32_t>(samples.size());
  fragments_.push_back(e);
  decode_time_90k_ += e.duration_90k;
  frames_ += static_cast<int64_t>(samples.size());
  return Status();
}

Status SegmentWriter::Sync() {
  RETURN_IF_ERROR(file_->Sync());
  durable_length_ = file_->size();
  durable_fragments_ = fragments_.size();
  durable_frames_ = frames_;
  return Status();
}

SegmentRow SegmentWriter::DurableRow(bool open) const {
  SegmentRow r = row_;
  std::span<const FragmentEntry> durable(fragments_.data(), durable_fragments_);
  int64_t duration = 0;
  for (const FragmentEntry& f : durable) duration += f.duration_90k;
  r.end_us = r.start_us + Ticks90kToUs(duration);
  r.durable_length = durable_fragments_ == 0 ? r.init_length : durable_length_;
  r.frames = durable_frames_;
  r.fragments = EncodeFragmentTable(durable, r.init_length, r.start_us);
  r.open = open;
  return r;
}

}  // namespace sightline::store
