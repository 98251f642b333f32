#include "store/motion_sink.h"

#include "store/index_writer.h"

namespace sightline::store {

MotionSink::MotionSink(std::string camera, std::string stream, IndexWriter* writer, std::string source)
    : camera_(std::move(camera)), stream_(std::move(stream)), writer_(writer), source_(std::move(source)) {}

void MotionSink::OnGrid(int64_t time_us, ByteSpan grid, bool motion) {
  if (grid.size() != kMotionGridBytes) return;
  MutexLock lock(mu_);
  if (closed_) return;
  ++stats_.frames;
  if (motion) ++stats_.frames_with_motion;
  if (std::optional<MotionGridChunk> chunk = builder_.Add(time_us, grid, motion)) SubmitChunk(std::move(*chunk));
}

int64_t MotionSink::OnEvent(const MotionEventUpdate& update) {
  MotionEventRow row;
  row.camera = camera_;
  row.stream = stream_;
  row.start_us = update.start_us;
  row.end_us = update.ended ? update.end_us : 0;
  row.zones = update.zones;
  row.peak_fraction = update.peak_fraction;
  row.peak_us = update.peak_us;
  row.thumbnail = update.thumbnail_jpeg;
  row.source = source_;
  // Submitted under the lock, so that the writer sees an event's updates in call order.
  MutexLock lock(mu_);
  if (closed_) return 0;
  if (open_event_id_ == 0) {
    open_event_id_ = writer_->NewMotionEventId();
    ++stats_.events_started;
  }
  row.id = open_event_id_;
  if (update.ended) {
    open_event_id_ = 0;
    ++stats_.events_ended;
  }
  const int64_t id = row.id;
  writer_->SubmitMotionEvent(std::move(row));
  return id;
}

void MotionSink::Close() {
  MutexLock lock(mu_);
  if (closed_) return;
  closed_ = true;
  if (std::optional<MotionGridChunk> chunk = builder_.Finish()) SubmitChunk(std::move(*chunk));
}

MotionSinkStats MotionSink::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

void MotionSink::SubmitChunk(MotionGridChunk chunk) {
  chunk.camera = camera_;
  chunk.stream = stream_;
  ++stats_.chunks_submitted;
  writer_->SubmitMotionGrids(std::move(chunk));
}

}  // namespace sightline::store
