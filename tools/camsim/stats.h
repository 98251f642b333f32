#pragma once
// Per-camera counters. The server's thread updates them; any thread may read a snapshot
// (relaxed atomics: the numbers are for humans and tests, not for synchronisation).

#include <atomic>
#include <cstdint>

namespace sightline::camsim {

struct CameraStats {
  uint64_t sessions_started = 0;  // PLAYs
  uint64_t sessions_active = 0;
  uint64_t packets_sent = 0;  // RTP packets (not counting gap-dropped ones)
  uint64_t bytes_sent = 0;    // RTP packet bytes, headers included
  uint64_t frames_sent = 0;
  uint64_t frames_skipped = 0;   // slow readers: frames dropped up to the next keyframe
  uint64_t auth_failures = 0;    // requests with wrong credentials
  uint64_t faults_injected = 0;  // drops, stalls, garbage, gaps, jumps, switches

  CameraStats& operator+=(const CameraStats& o);
};

class CameraCounters {
 public:
  std::atomic<uint64_t> sessions_started{0};
  std::atomic<uint64_t> sessions_active{0};
  std::atomic<uint64_t> packets_sent{0};
  std::atomic<uint64_t> bytes_sent{0};
  std::atomic<uint64_t> frames_sent{0};
  std::atomic<uint64_t> frames_skipped{0};
  std::atomic<uint64_t> auth_failures{0};
  std::atomic<uint64_t> faults_injected{0};

  CameraStats Snapshot() const;
};

// Adds `n` to a counter that only the server's thread writes.
inline void Bump(std::atomic<uint64_t>& counter, uint64_t n = 1) {
  counter.fetch_add(n, std::memory_order_relaxed);
}

}  // namespace sightline::camsim
