#include "store/stream_recorder.h"

#include <chrono>

#include "base/logging.h"
#include "store/dir_writer.h"
#include "store/index_writer.h"

namespace sightline::store {

StreamRecorder::StreamRecorder(std::string camera, std::string stream, int64_t stream_id,
                               Retention retention, uint64_t max_pending_bytes,
                               DirWriter* writer, IndexWriter* index_writer, const Clock* clock)
    : camera_(std::move(camera)),
      stream_(std::move(stream)),
      stream_id_(stream_id),
      retention_(retention),
      max_pending_bytes_(max_pending_bytes),
      writer_(writer),
      index_writer_(index_writer),
      clock_(clock) {}

void StreamRecorder::OnFrame(media::FramePtr frame) {
  MutexLock lock(mu_);
  ended_ = false;
  if (std::optional<Gop> gop = assembler_.Add(std::move(frame))) Queue(std::move(*gop));
}

void StreamRecorder::EndOfStream() {
  MutexLock lock(mu_);
  if (ended_) return;
  ended_ = true;
  if (std::optional<Gop> gop = assembler_.Finish()) Queue(std::move(*gop));
  writer_->EndStream(this);
}

void StreamRecorder::Queue(Gop gop) {
  const uint64_t bytes = gop.bytes;
  if (pending_bytes_.load() + bytes > max_pending_bytes_) {
    ++gops_dropped_slow_;
    // The GOP after a dropped one must not be glued to the one before it.
    writer_->MarkGap(this);
    const MonoTime now = clock_->Now();
    if (last_slow_event_ == MonoTime{} || now - last_slow_event_ > std::chrono::seconds(60)) {
      last_slow_event_ = now;
      SL_LOG(kWarning) << "camera=" << camera_ << " stream=" << stream_
                       << " storage too slow: dropping a GOP of " << bytes << " bytes ("
                       << pending_bytes_.load() << " bytes waiting)";
      index_writer_->AddEvent({UnixMicros(clock_->WallNow()), "storage_too_slow", camera_, stream_,
                               "storage too slow: dropped whole GOPs"});
    }
    return;
  }
  pending_bytes_ += bytes;
  ++gops_queued_;
  writer_->Submit(this, std::move(gop));
}

StreamRecorderStats StreamRecorder::stats() const {
  StreamRecorderStats s;
  s.gops_queued = gops_queued_;
  s.gops_written = gops_written_;
  s.gops_dropped_slow = gops_dropped_slow_;
  s.gops_lost_write_error = gops_lost_write_error_;
  s.bytes_written = bytes_written_;
  s.segments_started = segments_started_;
  {
    MutexLock lock(mu_);
    s.frames = assembler_.stats().frames;
    s.frames_before_keyframe = assembler_.stats().frames_before_keyframe;
    s.gaps = assembler_.stats().gaps;
  }
  s.pending_bytes = pending_bytes_;
  return s;
}

}  // namespace sightline::store
