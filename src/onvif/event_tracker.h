#pragma once
// EventTracker: turns one camera's stream of CameraSignals into events with a start and an end,
// whatever the camera's habits (docs/design/onvif.md, "Camera events"):
//   - one event per kind (and per input for digital inputs), open while any of the topics
//     reporting it is active: a camera that sends MotionAlarm and CellMotionDetector for the same
//     motion makes one event, not two;
//   - a state that is never set back to false (zoneminder#4195) ends `timeout` after the last
//     "true" heard for it; a camera that repeats "true" while the state lasts keeps it open;
//   - kinds listed as inverted (zoneminder#3802: inputs wired normally closed, firmware that
//     reports motion backwards) are read the other way round;
//   - an "Initialized" state (sent when a subscription starts, also after the camera rebooted)
//     that is active continues an open event instead of starting a second one.
// Times are microseconds on our clock, passed in. Pure and single-threaded.

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "onvif/events.h"

namespace sightline::onvif {

struct EventTrackerOptions {
  std::chrono::milliseconds timeout{60000};
  std::set<CameraEventKind> inverted;
};

// A change of an event: started (end_us 0) or ended.
struct CameraEventChange {
  CameraEventKind kind = CameraEventKind::kMotion;
  std::string input;  // digital inputs: the input's token
  int64_t start_us = 0;
  int64_t end_us = 0;
  bool ended = false;
};

// "onvif:motion", "onvif:tamper", "onvif:input:DI1": how the index names an event's source.
std::string CameraEventSource(CameraEventKind kind, const std::string& input);

class EventTracker {
 public:
  explicit EventTracker(EventTrackerOptions options) : options_(std::move(options)) {}

  // One signal at `time_us`. Returns the start or end it caused, if any.
  std::vector<CameraEventChange> Apply(const CameraSignal& signal, int64_t time_us);
  // Ends the states without a "true" for `timeout`, as of `now_us`; call now and then (after
  // each pull). An event ended so ends at its last "true", or one second after its start,
  // whichever is later: when it really ended is unknown.
  std::vector<CameraEventChange> Expire(int64_t now_us);
  // Ends every open event at `time_us` (the recorder stops).
  std::vector<CameraEventChange> EndAll(int64_t time_us);

  size_t open_events() const { return open_.size(); }

 private:
  struct Key {
    CameraEventKind kind;
    std::string input;
    auto operator<=>(const Key&) const = default;
  };
  struct Open {
    int64_t start_us = 0;
    int64_t last_true_us = 0;
    std::map<std::string, int64_t> members;  // active topic -> its last "true"
  };
  CameraEventChange Ended(const Key& key, const Open& open, int64_t end_us) const;

  EventTrackerOptions options_;
  std::map<Key, Open> open_;
};

}  // namespace sightline::onvif
