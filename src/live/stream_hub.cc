#include "live/stream_hub.h"

#include <algorithm>
#include <string_view>

#include "mp4/fragment.h"

namespace sightline::live {
namespace {

// A pts step outside (0, 10 s] is a new camera session or a timestamp jump: the hub's timeline
// continues one frame later instead of following it.
constexpr int64_t kMaxStep90k = 10 * 90000;

std::shared_ptr<const std::string> Share(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

}  // namespace

StreamHub::StreamHub(const Clock& clock, StreamHubOptions options)
    : clock_(clock), options_(options) {}

void StreamHub::SetParams(const std::shared_ptr<const media::StreamParams>& params) {
  params_ = params;
  init_text_ = Share("{\"type\":\"init\",\"codec\":\"" + params->codec_string +
                     "\",\"width\":" + std::to_string(params->width) +
                     ",\"height\":" + std::to_string(params->height) + "}");
  const Bytes init = mp4::WriteInitSegment(*params);
  init_segment_ = Share(std::string(init.begin(), init.end()));
  gop_.clear();
  gop_bytes_ = 0;
  gop_complete_ = false;
  for (auto& [id, v] : viewers_) {
    v.needs_init = true;
    v.waiting = true;
  }
}

int64_t StreamHub::NextDecodeTime(int64_t pts_90k) {
  if (!have_last_) {
    have_last_ = true;
    last_pts_90k_ = pts_90k;
    return last_decode_90k_ = 0;
  }
  const int64_t step = pts_90k - last_pts_90k_;
  last_pts_90k_ = pts_90k;
  if (step > 0 && step <= kMaxStep90k) {
    last_duration_90k_ = static_cast<uint32_t>(step);
    return last_decode_90k_ += step;
  }
  return last_decode_90k_ += last_duration_90k_;
}

StreamHub::Message StreamHub::Fragment(const GopFrame& f) {
  const mp4::Sample sample{f.frame->data, f.duration_90k, f.frame->keyframe};
  const Bytes bytes = mp4::WriteMediaFragment(f.sequence, f.decode_90k, {&sample, 1});
  return Share(std::string(bytes.begin(), bytes.end()));
}

bool StreamHub::Resume(ViewerState& v, const Message& fragment) {
  if (v.needs_init) {
    if (!v.viewer->Send(init_text_, false) || !v.viewer->Send(init_segment_, true)) return false;
    v.needs_init = false;
  }
  if (v.skipped > 0) {
    if (!v.viewer->Send(Share("{\"type\":\"skipped\",\"frames\":" + std::to_string(v.skipped) + "}"),
                        false)) {
      return false;
    }
    v.skipped = 0;
  }
  if (!v.viewer->Send(fragment, true)) return false;
  v.waiting = false;
  return true;
}

void StreamHub::OnFrame(const media::FramePtr& frame) {
  if (frame->params == nullptr) return;  // nothing a browser could decode yet
  MutexLock lock(mu_);
  if (params_ == nullptr || !(*params_ == *frame->params)) SetParams(frame->params);
  ++stats_.frames;

  // The sample's duration is not known until the next frame arrives; waiting for it would add
  // a frame interval of latency, so the last step stands in (the next tfdt is exact anyway).
  const int64_t decode_90k = NextDecodeTime(frame->pts.ticks());
  const GopFrame current{frame, sequence_++, decode_90k, last_duration_90k_};

  if (frame->keyframe) {
    gop_.clear();
    gop_bytes_ = 0;
    gop_complete_ = true;
  }
  if (gop_complete_) {
    if (gop_bytes_ + frame->data.size() <= options_.max_gop_bytes) {
      gop_bytes_ += frame->data.size();
      gop_.push_back(current);
    } else {
      gop_.clear();
      gop_bytes_ = 0;
      gop_complete_ = false;
    }
  }
  if (viewers_.empty()) return;

  const Message fragment = Fragment(current);
  for (auto& [id, v] : viewers_) {
    if (v.waiting) {
      if (!frame->keyframe || !Resume(v, fragment)) {
        if (!v.needs_init) ++v.skipped;  // counted once the viewer had started
        ++stats_.frames_skipped;
        continue;
      }
    } else if (!v.viewer->Send(fragment, true)) {
      v.waiting = true;
      ++v.skipped;
      ++stats_.frames_skipped;
      continue;
    }
    ++stats_.fragments_sent;
  }
  const int64_t delay_us =
      std::chrono::duration_cast<std::chrono::microseconds>(clock_.Now() - frame->arrival).count();
  stats_.max_send_delay_us = std::max(stats_.max_send_delay_us, delay_us);
}

uint64_t StreamHub::Subscribe(std::shared_ptr<Viewer> viewer) {
  MutexLock lock(mu_);
  const uint64_t id = next_id_++;
  ViewerState& v = viewers_[id];
  v.viewer = std::move(viewer);
  if (!online_) v.viewer->Send(Share("{\"type\":\"status\",\"online\":false}"), false);
  if (params_ != nullptr && gop_complete_ && !gop_.empty() && Resume(v, Fragment(gop_.front()))) {
    ++stats_.fragments_sent;
    for (size_t i = 1; i < gop_.size(); ++i) {
      if (!v.viewer->Send(Fragment(gop_[i]), true)) {
        v.waiting = true;
        break;
      }
      ++stats_.fragments_sent;
    }
  }
  stats_.viewers = viewers_.size();
  return id;
}

void StreamHub::Unsubscribe(uint64_t id) {
  MutexLock lock(mu_);
  viewers_.erase(id);
  stats_.viewers = viewers_.size();
}

void StreamHub::SetOnline(bool online) {
  MutexLock lock(mu_);
  if (online == online_) return;
  online_ = online;
  const Message m = Share(std::string("{\"type\":\"status\",\"online\":") +
                          (online ? "true" : "false") + "}");
  for (auto& [id, v] : viewers_) v.viewer->Send(m, false);
}

StreamHubStats StreamHub::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

std::shared_ptr<const media::StreamParams> StreamHub::params() const {
  MutexLock lock(mu_);
  return params_;
}

media::FramePtr StreamHub::latest_keyframe() const {
  MutexLock lock(mu_);
  return gop_complete_ && !gop_.empty() ? gop_.front().frame : nullptr;
}

}  // namespace sightline::live
