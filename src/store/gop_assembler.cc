#include "store/gop_assembler.h"

namespace sightline::store {

int64_t Gop::duration_90k() const {
  int64_t d = 0;
  for (uint32_t x : durations_90k) d += x;
  return d;
}

bool GopAssembler::IsGap(const media::Frame& f) const {
  if (f.after_loss) return true;
  if (current_.frames.empty()) return false;
  const media::Frame& last = *current_.frames.back();
  const int64_t delta = (f.pts - last.pts).ticks();
  if (delta <= 0 || delta > kMaxFrameInterval90k) return true;
  // New parameter sets (a new resolution, say) need a new init segment.
  if (f.params != last.params && (f.params == nullptr || last.params == nullptr ||
                                  !(*f.params == *last.params))) {
    return true;
  }
  return false;
}

std::optional<Gop> GopAssembler::Add(media::FramePtr frame) {
  ++stats_.frames;
  std::optional<Gop> done;
  if (IsGap(*frame)) {
    ++stats_.gaps;
    done = Close(std::nullopt);
    next_after_gap_ = true;
  } else if (frame->keyframe && !current_.frames.empty()) {
    done = Close(frame->pts.ticks());
  }
  if (current_.frames.empty() && (!frame->keyframe || frame->params == nullptr)) {
    ++stats_.frames_before_keyframe;
    next_after_gap_ = true;  // what we discard is a hole in the recording
    return done;
  }
  if (current_.frames.empty()) {
    current_.after_gap = next_after_gap_;
    next_after_gap_ = false;
  } else {
    const int64_t d = (frame->pts - current_.frames.back()->pts).ticks();
    current_.durations_90k.push_back(static_cast<uint32_t>(d));
  }
  current_.bytes += frame->data.size();
  current_.frames.push_back(std::move(frame));
  return done;
}

std::optional<Gop> GopAssembler::Finish() {
  std::optional<Gop> done = Close(std::nullopt);
  next_after_gap_ = true;
  return done;
}

std::optional<Gop> GopAssembler::Close(std::optional<int64_t> next_pts) {
  if (current_.frames.empty()) return std::nullopt;
  uint32_t last;
  if (next_pts) {
    last = static_cast<uint32_t>(*next_pts - current_.frames.back()->pts.ticks());
  } else if (!current_.durations_90k.empty()) {
    last = current_.durations_90k.back();
  } else {
    last = 90000 / 10;  // a lone keyframe: assume 10 fps rather than a zero-length sample
    if (const auto& p = current_.frames.back()->params; p && p->fps && *p->fps > 0) {
      last = static_cast<uint32_t>(90000 / *p->fps);
    }
  }
  current_.durations_90k.push_back(last);
  Gop done = std::move(current_);
  current_ = Gop();
  return done;
}

}  // namespace sightline::store
