#include "onvif/event_tracker.h"

#include <algorithm>

namespace sightline::onvif {

std::string CameraEventSource(CameraEventKind kind, const std::string& input) {
  std::string out = "onvif:" + std::string(CameraEventKindName(kind));
  if (kind == CameraEventKind::kInput) out += ":" + (input.empty() ? std::string("0") : input);
  return out;
}

CameraEventChange EventTracker::Ended(const Key& key, const Open& open, int64_t end_us) const {
  return {key.kind, key.input, open.start_us, std::max(end_us, open.start_us), true};
}

std::vector<CameraEventChange> EventTracker::Apply(const CameraSignal& signal, int64_t time_us) {
  const bool active = signal.state != options_.inverted.contains(signal.kind);
  const Key key{signal.kind, signal.input};
  auto it = open_.find(key);
  if (active) {
    if (it != open_.end()) {
      it->second.members[signal.member] = time_us;
      it->second.last_true_us = std::max(it->second.last_true_us, time_us);
      return {};
    }
    Open& open = open_[key];
    open.start_us = time_us;
    open.last_true_us = time_us;
    open.members[signal.member] = time_us;
    return {{key.kind, key.input, time_us, 0, false}};
  }
  if (it == open_.end()) return {};
  it->second.members.erase(signal.member);
  // An "Initialized" false from a new subscription speaks for the camera as a whole: whatever
  // the old subscription left open is over.
  if (!it->second.members.empty() && !signal.initialized) return {};
  CameraEventChange ended = Ended(key, it->second, time_us);
  open_.erase(it);
  return {ended};
}

std::vector<CameraEventChange> EventTracker::Expire(int64_t now_us) {
  const int64_t timeout_us = options_.timeout.count() * 1000;
  std::vector<CameraEventChange> out;
  for (auto it = open_.begin(); it != open_.end();) {
    Open& open = it->second;
    std::erase_if(open.members, [&](const auto& m) { return now_us - m.second >= timeout_us; });
    if (!open.members.empty()) {
      ++it;
      continue;
    }
    out.push_back(Ended(it->first, open, std::max(open.last_true_us, open.start_us + 1'000'000)));
    it = open_.erase(it);
  }
  return out;
}

std::vector<CameraEventChange> EventTracker::EndAll(int64_t time_us) {
  std::vector<CameraEventChange> out;
  for (const auto& [key, open] : open_) out.push_back(Ended(key, open, time_us));
  open_.clear();
  return out;
}

}  // namespace sightline::onvif
