#include "analysis/stream_analyzer.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "base/logging.h"
#include "decode/decoder.h"
#include "decode/frame_rate_cap.h"
#include "decode/jpeg.h"
#include "decode/picture.h"

namespace sightline::analysis {

Status ValidateAnalyzerOptions(const AnalyzerOptions& options) {
  RETURN_IF_ERROR(motion::ValidateDetectorOptions(options.detector));
  RETURN_IF_ERROR(motion::ValidateEventOptions(options.events));
  if (!(options.max_fps >= 0)) {
    return InvalidArgumentError("max_fps " + std::to_string(options.max_fps) + " is negative");
  }
  if (options.max_queue_frames < 1 || options.max_queue_bytes < 1) {
    return InvalidArgumentError("max_queue_frames and max_queue_bytes must be at least 1");
  }
  if (options.thumbnail_width < 16) {
    return InvalidArgumentError("thumbnail_width " + std::to_string(options.thumbnail_width) +
                                " is below 16");
  }
  if (options.thumbnail_quality < 1 || options.thumbnail_quality > 100) {
    return InvalidArgumentError("thumbnail_quality " +
                                std::to_string(options.thumbnail_quality) + " outside 1..100");
  }
  return Status::Ok();
}

// Everything the analyser's thread owns: decoder, detector, event tracker, thumbnail state.
class StreamAnalyzer::Worker {
 public:
  explicit Worker(StreamAnalyzer& owner)
      : owner_(owner),
        options_(owner.options_),
        cap_(options_.max_fps),
        detector_(options_.detector),
        tracker_(options_.events),
        log_limit_(std::chrono::minutes(1), 3) {}

  void Process(const media::FramePtr& frame, int64_t index);
  // The stream ends here: closes the open event.
  void Finish();

 private:
  void Decode(const media::Frame& frame, int64_t index);
  // Analyses the pictures the decoder has ready.
  void ReceivePictures();
  void Analyse(const FrameInfo& info);
  void Emit(const motion::EventUpdate& update);
  // Counts and logs an error; analysis resumes at the next keyframe.
  void Fail(const Status& status);
  template <typename F>
  void UpdateStats(F&& f) {
    MutexLock lock(owner_.mu_);
    f(owner_.stats_);
  }

  StreamAnalyzer& owner_;
  const AnalyzerOptions& options_;
  std::unique_ptr<decode::Decoder> decoder_;
  bool need_keyframe_ = true;
  std::deque<FrameInfo> sent_;  // sent to the decoder, picture not out yet
  decode::Picture picture_;
  decode::FrameRateCap cap_;
  motion::Detector detector_;
  motion::EventTracker tracker_;
  std::optional<int64_t> last_analysed_pts_90k_;
  int64_t last_time_us_ = 0;
  decode::YuvImage peak_;     // small copy of the picture of the latest kPeak
  bool peak_encoded_ = true;  // the peak went out as a thumbnail already
  LogRateLimiter log_limit_;
};

void StreamAnalyzer::Worker::Process(const media::FramePtr& frame, int64_t index) {
  if (frame->params == nullptr) return;  // no parameter sets yet: nothing can decode it
  if (options_.keyframes_only && !frame->keyframe) return;
  if (decoder_ == nullptr || !decoder_->Matches(*frame->params)) {
    decode::DecoderOptions decoder_options;
    decoder_options.keyframes_only = options_.keyframes_only;
    decoder_options.name = options_.name;
    Result<std::unique_ptr<decode::Decoder>> created =
        decode::Decoder::Create(frame->params, decoder_options);
    sent_.clear();
    need_keyframe_ = true;
    if (!created.ok()) {
      decoder_.reset();
      Fail(created.status());
      return;
    }
    decoder_ = std::move(created).value();
  }
  if (need_keyframe_ && !frame->keyframe) return;
  need_keyframe_ = false;
  Decode(*frame, index);
}

void StreamAnalyzer::Worker::Decode(const media::Frame& frame, int64_t index) {
  FrameInfo info;
  info.frame_index = index;
  info.pts = frame.pts;
  info.wall_time = frame.wall_time;
  info.keyframe = frame.keyframe;
  if (Status s = decoder_->Send(frame); !s.ok()) return Fail(s);
  sent_.push_back(info);
  ReceivePictures();
}

void StreamAnalyzer::Worker::ReceivePictures() {
  for (;;) {
    Result<bool> got = decoder_->Receive(picture_);
    if (!got.ok()) return Fail(got.status());
    if (!*got) break;
    // Pictures come out in display order; camera streams rarely reorder, but match by pts
    // so that the wall time belongs to the right frame when they do.
    const int64_t pts = picture_.pts_90k();
    auto it = std::find_if(sent_.begin(), sent_.end(),
                           [pts](const FrameInfo& f) { return f.pts.ticks() == pts; });
    if (it == sent_.end()) continue;  // not a frame of ours (cannot happen with valid pts)
    FrameInfo out = *it;
    sent_.erase(it);
    out.width = picture_.width();
    out.height = picture_.height();
    UpdateStats([](AnalyzerStats& s) { ++s.frames_decoded; });
    Analyse(out);
  }
  // Frames whose pictures never came (skipped by the decoder) must not pile up.
  while (sent_.size() > 16) sent_.pop_front();
}

void StreamAnalyzer::Worker::Analyse(const FrameInfo& info) {
  const int64_t pts = info.pts.ticks();
  if (last_analysed_pts_90k_ && pts < *last_analysed_pts_90k_) {
    // A new session restarted the timeline: the model's timing no longer applies.
    detector_.Reset();
    cap_.Reset();
  }
  if (!cap_.Take(pts)) return;
  last_analysed_pts_90k_ = pts;
  const media::GreyPlane grey =
      decode::ToGrey(picture_.yuv(), options_.detector.analysis_width);
  const motion::FrameResult result = detector_.Process(grey.view(), pts);
  last_time_us_ = std::max(last_time_us_, UnixMicros(info.wall_time));
  UpdateStats([&](AnalyzerStats& s) {
    ++s.frames_analysed;
    s.last_analysed_pts_90k = pts;
    s.last_analysed_time = info.wall_time;
  });
  owner_.sink_->OnResult(info, result);
  for (const motion::EventUpdate& update : tracker_.Feed(UnixMicros(info.wall_time), result)) {
    if (update.kind == motion::EventUpdate::Kind::kPeak) {
      peak_ = decode::ToJpegYuv(picture_.yuv(), options_.thumbnail_width);
      peak_encoded_ = false;
    } else {
      Emit(update);
    }
  }
}

void StreamAnalyzer::Worker::Emit(const motion::EventUpdate& update) {
  Bytes jpeg;
  if (!peak_encoded_ && !peak_.empty()) {
    Result<Bytes> encoded =
        decode::EncodeJpeg(peak_.view(), options_.thumbnail_width, options_.thumbnail_quality);
    if (encoded.ok()) {
      jpeg = std::move(encoded).value();
    } else {
      SL_LOG(kWarning) << options_.name << " event thumbnail: " << encoded.status();
    }
    peak_encoded_ = true;
  }
  owner_.sink_->OnEvent(update, std::move(jpeg));
}

void StreamAnalyzer::Worker::Finish() {
  // Pictures the decoder still holds back for reordering (streams with B-frames).
  if (decoder_ != nullptr && !need_keyframe_) {
    if (Status s = decoder_->SendEndOfStream(); s.ok()) {
      ReceivePictures();
    } else {
      Fail(s);
    }
  }
  for (const motion::EventUpdate& update : tracker_.Flush(last_time_us_)) {
    if (update.kind != motion::EventUpdate::Kind::kPeak) Emit(update);
  }
}

void StreamAnalyzer::Worker::Fail(const Status& status) {
  UpdateStats([](AnalyzerStats& s) { ++s.decode_errors; });
  if (decoder_ != nullptr) decoder_->Reset();
  sent_.clear();
  need_keyframe_ = true;
  int suppressed = 0;
  if (log_limit_.Allow(std::chrono::steady_clock::now(), &suppressed)) {
    SL_LOG(kWarning) << options_.name << " analysis resumes at the next keyframe: " << status
                     << (suppressed > 0 ? " (" + std::to_string(suppressed) + " suppressed)"
                                        : std::string());
  }
}

Result<std::unique_ptr<StreamAnalyzer>> StreamAnalyzer::Start(AnalyzerOptions options,
                                                              Sink* sink) {
  if (Status s = ValidateAnalyzerOptions(options); !s.ok()) {
    return std::move(s).WithContext("analysis " + options.name);
  }
  if (sink == nullptr) return InvalidArgumentError("analysis " + options.name + ": no sink");
  auto analyzer = std::make_unique<StreamAnalyzer>(Key(), std::move(options), sink);
  analyzer->thread_ = std::thread([a = analyzer.get()] { a->Run(); });
  return analyzer;
}

StreamAnalyzer::StreamAnalyzer(Key, AnalyzerOptions options, Sink* sink)
    : options_(std::move(options)), sink_(sink), worker_(std::make_unique<Worker>(*this)) {}

StreamAnalyzer::~StreamAnalyzer() { Stop(); }

void StreamAnalyzer::OnFrame(media::FramePtr frame) {
  if (frame == nullptr) return;
  const size_t bytes = frame->data.size();
  {
    MutexLock lock(mu_);
    const int64_t index = static_cast<int64_t>(stats_.frames_in++);
    if (options_.offline) {
      while (!stopping_ && QueueFull(bytes)) space_cv_.Wait(mu_);
    } else {
      if (frame->keyframe) skipping_gop_ = false;
      if (!skipping_gop_ && QueueFull(bytes)) {
        skipping_gop_ = true;
        ++stats_.gops_skipped;
      }
    }
    if (stopping_ || skipping_gop_) {
      ++stats_.frames_dropped;
      return;
    }
    queue_.push_back({std::move(frame), index});
    ++stats_.queue_frames;
    stats_.queue_bytes += bytes;
  }
  queue_cv_.NotifyOne();
}

bool StreamAnalyzer::QueueFull(size_t incoming_bytes) const {
  return !queue_.empty() && (queue_.size() >= options_.max_queue_frames ||
                             stats_.queue_bytes + incoming_bytes > options_.max_queue_bytes);
}

void StreamAnalyzer::Run() {
  for (;;) {
    Queued item;
    {
      MutexLock lock(mu_);
      while (!stopping_ && queue_.empty()) queue_cv_.Wait(mu_);
      if (queue_.empty() || (stopping_ && !drain_)) break;
      item = std::move(queue_.front());
      queue_.pop_front();
      --stats_.queue_frames;
      stats_.queue_bytes -= item.frame->data.size();
    }
    space_cv_.NotifyOne();
    worker_->Process(item.frame, item.index);
  }
  worker_->Finish();
}

void StreamAnalyzer::Finish() { Shutdown(/*drain=*/true); }
void StreamAnalyzer::Stop() { Shutdown(/*drain=*/false); }

void StreamAnalyzer::Shutdown(bool drain) {
  {
    MutexLock lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      drain_ = drain;
    }
  }
  queue_cv_.NotifyAll();
  space_cv_.NotifyAll();
  if (thread_.joinable()) thread_.join();
  MutexLock lock(mu_);
  stats_.frames_dropped += queue_.size();
  queue_.clear();
  stats_.queue_frames = 0;
  stats_.queue_bytes = 0;
}

AnalyzerStats StreamAnalyzer::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

}  // namespace sightline::analysis
