#include "auth/view_runs.h"

#include <algorithm>

#include "auth/account_store.h"

namespace sightline::auth {

bool ViewRuns::Adjacent(const Run& run, const RecordedView& view, int64_t max_gap_us) {
  // The same or the next segment: byte ranges of one file, then the file after it, whatever
  // gap the recording has between them.
  if (view.seq == run.last_seq || view.seq == run.last_seq + 1) return true;
  // Or a span touching the run's (a player going back a little within what it watched).
  return view.start_us <= run.end_us + max_gap_us && view.end_us + max_gap_us >= run.start_us;
}

AuditRecord ViewRuns::RowOf(const Key& key, const Run& run) {
  const auto& [user, camera, stream, remote, via] = key;
  std::string detail = "stream=" + stream + " segments=" + std::to_string(run.first_seq);
  if (run.last_seq != run.first_seq) detail += "-" + std::to_string(run.last_seq);
  detail += " fetches=" + std::to_string(run.fetches) + " bytes=" + std::to_string(run.bytes);
  if (!via.empty()) detail += " " + via;
  return {.time_us = run.first_fetch_us,
          .user = user,
          .action = std::string(kAuditRecordingView),
          .camera = camera,
          .start_us = run.start_us,
          .end_us = run.end_us,
          .remote = remote,
          .detail = std::move(detail)};
}

std::vector<AuditRecord> ViewRuns::Add(const RecordedView& view, int64_t now_us) {
  std::vector<AuditRecord> done;
  Key key{view.user, view.camera, view.stream, view.remote, view.via};
  auto it = runs_.find(key);
  if (it != runs_.end() && (!Adjacent(it->second, view, options_.max_gap_us) ||
                            now_us - it->second.last_fetch_us >= options_.idle_us ||
                            now_us - it->second.first_fetch_us >= options_.max_run_us)) {
    done.push_back(RowOf(it->first, it->second));
    runs_.erase(it);
    it = runs_.end();
  }
  if (it == runs_.end()) {
    if (runs_.size() >= options_.max_runs) {
      auto oldest = std::min_element(runs_.begin(), runs_.end(), [](const auto& a, const auto& b) {
        return a.second.last_fetch_us < b.second.last_fetch_us;
      });
      done.push_back(RowOf(oldest->first, oldest->second));
      runs_.erase(oldest);
    }
    Run run{.first_fetch_us = now_us,
            .start_us = view.start_us,
            .end_us = view.end_us,
            .first_seq = view.seq,
            .last_seq = view.seq};
    it = runs_.emplace(std::move(key), run).first;
  }
  Run& run = it->second;
  run.last_fetch_us = now_us;
  run.start_us = std::min(run.start_us, view.start_us);
  run.end_us = std::max(run.end_us, view.end_us);
  run.first_seq = std::min(run.first_seq, view.seq);
  run.last_seq = std::max(run.last_seq, view.seq);
  ++run.fetches;
  run.bytes += view.bytes;
  return done;
}

std::vector<AuditRecord> ViewRuns::TakeDue(int64_t now_us) {
  std::vector<AuditRecord> done;
  for (auto it = runs_.begin(); it != runs_.end();) {
    if (now_us - it->second.last_fetch_us >= options_.idle_us ||
        now_us - it->second.first_fetch_us >= options_.max_run_us) {
      done.push_back(RowOf(it->first, it->second));
      it = runs_.erase(it);
    } else {
      ++it;
    }
  }
  return done;
}

std::vector<AuditRecord> ViewRuns::TakeAll() {
  std::vector<AuditRecord> done;
  for (const auto& [key, run] : runs_) done.push_back(RowOf(key, run));
  runs_.clear();
  return done;
}

}  // namespace sightline::auth
