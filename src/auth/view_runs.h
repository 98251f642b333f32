#pragma once
// ViewRuns: groups the fetches of recorded video (segment files and byte ranges of them, as an
// HLS player makes them) into one audit row per run: one user watching one stream from one
// address, fetch after fetch of adjacent pieces. A row names the real span served, the first
// and last segment and how many fetches and bytes it covers.
//
// A run ends, and its row is due, when a fetch of the same user and stream is not adjacent
// (a seek), when it has been idle for `idle_us`, or when it has lasted `max_run_us` (so that a
// crash loses at most that much of a long viewing). Pure: the caller passes the time and
// writes the returned rows; AccountStore does, under its own mutex, and writes every pending
// run at its destruction. Thread-compatible.

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "auth/audit_log.h"

namespace sightline::auth {

// One fetch of recorded video: what was actually sent.
struct RecordedView {
  std::string user{};
  std::string camera{};
  std::string stream{};
  std::string remote{};
  std::string via{};     // how the user authenticated, e.g. "token=backup"; empty: a session
  int64_t seq = 0;       // the segment's per-stream sequence number
  int64_t start_us = 0;  // the span of the fragments sent
  int64_t end_us = 0;
  uint64_t bytes = 0;
};

struct ViewRunOptions {
  int64_t idle_us = 60'000'000;     // hls.js idles while its buffer (about 30 s) drains
  int64_t max_run_us = 600'000'000;
  // Fetches whose spans are at most this far apart are adjacent (segments of one stream meet
  // within a frame interval; a camera's short dropout should not split a viewing).
  int64_t max_gap_us = 2'000'000;
  size_t max_runs = 4096;  // more at once: the oldest run is written early
};

class ViewRuns {
 public:
  explicit ViewRuns(ViewRunOptions options = {}) : options_(options) {}

  // Adds a fetch made at `now_us`; returns the rows of the runs it ended.
  std::vector<AuditRecord> Add(const RecordedView& view, int64_t now_us);
  // The rows of runs idle or long enough to end at `now_us`.
  std::vector<AuditRecord> TakeDue(int64_t now_us);
  // Every pending run's row (at shutdown).
  std::vector<AuditRecord> TakeAll();
  size_t pending() const { return runs_.size(); }

 private:
  // user, camera, stream, remote, via
  using Key = std::tuple<std::string, std::string, std::string, std::string, std::string>;
  struct Run {
    int64_t first_fetch_us = 0;
    int64_t last_fetch_us = 0;
    int64_t start_us = 0;
    int64_t end_us = 0;
    int64_t first_seq = 0;
    int64_t last_seq = 0;
    int64_t fetches = 0;
    uint64_t bytes = 0;
  };
  static bool Adjacent(const Run& run, const RecordedView& view, int64_t max_gap_us);
  static AuditRecord RowOf(const Key& key, const Run& run);

  ViewRunOptions options_;
  std::map<Key, Run> runs_;
};

}  // namespace sightline::auth
