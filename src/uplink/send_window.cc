#include "uplink/send_window.h"

#include <algorithm>

namespace sightline::uplink {

SendWindow::SendWindow(WindowOptions options, const Clock& clock)
    : options_(options), clock_(clock) {}

void SendWindow::ResetLane(Lane lane, int64_t acked) {
  LaneState& l = lanes_[Index(lane)];
  for (const InFlight& f : l.in_flight) in_flight_bytes_ -= f.bytes;
  l = LaneState{acked, acked, {}};
}

bool SendWindow::Fits(Lane lane, size_t bytes) const {
  if (in_flight_bytes_ == 0) return true;
  const size_t reserve = lane == Lane::kAlarm ? 0 : std::min(options_.alarm_reserve_bytes, options_.max_bytes);
  return in_flight_bytes_ + bytes <= options_.max_bytes - reserve;
}

void SendWindow::OnSent(Lane lane, size_t bytes) {
  if (in_flight_bytes_ == 0) last_progress_ = clock_.Now();
  LaneState& l = lanes_[Index(lane)];
  l.in_flight.push_back({++l.sent_through, bytes});
  in_flight_bytes_ += bytes;
}

bool SendWindow::OnAck(Lane lane, int64_t watermark) {
  LaneState& l = lanes_[Index(lane)];
  if (watermark <= l.acked) return false;
  l.acked = watermark;
  // A watermark beyond what this run sent: those ids were committed by the centre before (a
  // restart of the site lost the knowledge), so they need not be sent again.
  l.sent_through = std::max(l.sent_through, watermark);
  while (!l.in_flight.empty() && l.in_flight.front().seq <= watermark) {
    in_flight_bytes_ -= l.in_flight.front().bytes;
    l.in_flight.pop_front();
  }
  last_progress_ = clock_.Now();
  return true;
}

void SendWindow::RewindAll() {
  for (LaneState& l : lanes_) {
    l.sent_through = l.acked;
    l.in_flight.clear();
  }
  in_flight_bytes_ = 0;
}

bool SendWindow::RewindIfStalled() {
  if (in_flight_bytes_ == 0 || clock_.Now() - last_progress_ < options_.ack_timeout) return false;
  RewindAll();
  return true;
}

}  // namespace sightline::uplink
