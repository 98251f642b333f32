#pragma once
// SendWindow: which outbox messages may be on the link at once (docs/design/multisite.md,
// "Window, priorities, resends"). Messages sent and not yet covered by the centre's watermark
// are in flight; their bytes, over all lanes, stay within a bound, and all but the alarm lane
// stop short of it by a reserve, so an alarm never waits behind a full window of events.
// Resends are go-back-N: after a reconnect, or when the watermark has not moved for
// ack_timeout while messages are in flight, every lane sends again from its watermark + 1.
// Pure logic on a Clock; one thread.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>

#include "base/clock.h"
#include "uplink/protocol.h"

namespace sightline::uplink {

struct WindowOptions {
  size_t max_bytes = 64 * 1024;
  size_t alarm_reserve_bytes = 8 * 1024;  // of max_bytes, usable only by the alarm lane
  std::chrono::milliseconds ack_timeout{10'000};
};

class SendWindow {
 public:
  SendWindow(WindowOptions options, const Clock& clock);

  // Starts a lane afresh: every id at or below `acked` is acknowledged.
  void ResetLane(Lane lane, int64_t acked);

  int64_t acked(Lane lane) const { return lanes_[Index(lane)].acked; }
  // The next message of the lane to send is sent_through + 1.
  int64_t sent_through(Lane lane) const { return lanes_[Index(lane)].sent_through; }
  size_t in_flight_bytes() const { return in_flight_bytes_; }

  // Whether a message of `bytes` from `lane` may go now. A message always may when nothing is
  // in flight, so one larger than the window still goes (alone).
  bool Fits(Lane lane, size_t bytes) const;
  // Records message sent_through(lane) + 1 as sent.
  void OnSent(Lane lane, size_t bytes);
  // The centre's watermark for the lane. Returns true if it moved forward (the caller may then
  // delete the outbox rows at or below it).
  bool OnAck(Lane lane, int64_t watermark);
  // Go back N: every message not acknowledged will be sent again.
  void RewindAll();
  // RewindAll if messages are in flight and the watermark has not moved (nor a send started
  // from an empty window) for ack_timeout. Returns whether it rewound.
  bool RewindIfStalled();

 private:
  struct InFlight {
    int64_t seq;
    size_t bytes;
  };
  struct LaneState {
    int64_t acked = 0;
    int64_t sent_through = 0;
    std::deque<InFlight> in_flight;  // seq order
  };
  static int Index(Lane lane) { return static_cast<int>(lane); }

  const WindowOptions options_;
  const Clock& clock_;
  std::array<LaneState, kLaneCount> lanes_;
  size_t in_flight_bytes_ = 0;
  MonoTime last_progress_{};
};

}  // namespace sightline::uplink
