#include "tools/camsim/stats.h"

namespace sightline::camsim {

CameraStats& CameraStats::operator+=(const CameraStats& o) {
  sessions_started += o.sessions_started;
  sessions_active += o.sessions_active;
  packets_sent += o.packets_sent;
  bytes_sent += o.bytes_sent;
  frames_sent += o.frames_sent;
  frames_skipped += o.frames_skipped;
  auth_failures += o.auth_failures;
  faults_injected += o.faults_injected;
  return *this;
}

CameraStats CameraCounters::Snapshot() const {
  constexpr auto r = std::memory_order_relaxed;
  CameraStats s;
  s.sessions_started = sessions_started.load(r);
  s.sessions_active = sessions_active.load(r);
  s.packets_sent = packets_sent.load(r);
  s.bytes_sent = bytes_sent.load(r);
  s.frames_sent = frames_sent.load(r);
  s.frames_skipped = frames_skipped.load(r);
  s.auth_failures = auth_failures.load(r);
  s.faults_injected = faults_injected.load(r);
  return s;
}

}  // namespace sightline::camsim
