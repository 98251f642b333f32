#include "motion/event_tracker.h"

#include <algorithm>

namespace sightline::motion {

Status ValidateEventOptions(const EventOptions& options) {
  for (const auto& [name, v] : {std::pair{"pre_capture", options.pre_capture_us},
                                std::pair{"post_capture", options.post_capture_us},
                                std::pair{"min_duration", options.min_duration_us},
                                std::pair{"merge_gap", options.merge_gap_us}}) {
    if (v < 0) {
      return InvalidArgumentError(std::string("event options: ") + name + " " + std::to_string(v) +
                                  " us is negative");
    }
  }
  if (options.min_frames < 1) {
    return InvalidArgumentError("event options: min_frames " + std::to_string(options.min_frames) +
                                " is below 1");
  }
  return Status::Ok();
}

EventTracker::EventTracker(EventOptions options) : options_(options) {}

void EventTracker::Open(int64_t time_us) {
  state_ = State::kCandidate;
  event_ = Event{};
  event_.start_us = time_us - options_.pre_capture_us;
  first_motion_us_ = time_us;
  motion_frames_ = 0;
}

std::vector<EventUpdate> EventTracker::Feed(int64_t time_us, const FrameResult& frame) {
  time_us = std::max(time_us, latest_time_us_);
  latest_time_us_ = time_us;
  std::vector<EventUpdate> updates;
  const int64_t quiet_us = time_us - last_motion_us_;
  if (state_ == State::kEvent && quiet_us > options_.merge_gap_us) {
    updates.push_back({EventUpdate::Kind::kEnd, event_});
    state_ = State::kIdle;
  } else if (state_ == State::kCandidate &&
             (quiet_us > options_.min_duration_us || frame.global_change)) {
    state_ = State::kIdle;
  }
  if (!frame.motion) return updates;

  if (state_ == State::kIdle) Open(time_us);
  last_motion_us_ = time_us;
  ++motion_frames_;
  event_.end_us = time_us + options_.post_capture_us;
  event_.zones.insert(frame.zones.begin(), frame.zones.end());
  if (motion_frames_ == 1 || frame.fraction > event_.peak_fraction) {
    event_.peak_fraction = frame.fraction;
    event_.peak_time_us = time_us;
    updates.push_back({EventUpdate::Kind::kPeak, event_});
  }
  if (state_ == State::kCandidate && time_us - first_motion_us_ >= options_.min_duration_us &&
      motion_frames_ >= options_.min_frames) {
    state_ = State::kEvent;
    updates.push_back({EventUpdate::Kind::kStart, event_});
  }
  return updates;
}

std::vector<EventUpdate> EventTracker::Flush(int64_t time_us) {
  time_us = std::max(time_us, latest_time_us_);
  latest_time_us_ = time_us;
  std::vector<EventUpdate> updates;
  if (state_ == State::kEvent) {
    event_.end_us = std::min(event_.end_us, time_us);
    updates.push_back({EventUpdate::Kind::kEnd, event_});
  }
  state_ = State::kIdle;
  return updates;
}

}  // namespace sightline::motion
