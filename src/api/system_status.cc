// Context::SystemJson: GET /api/system (docs/ref/api.md "Administration").

#include "api/context.h"
#include "base/disk_space.h"

namespace sightline::api {

nlohmann::json Context::SystemJson() {
  const RecorderStatus rec = deps_.cameras->Recorder();
  nlohmann::json disks = nlohmann::json::array();
  for (size_t i = 0; i < deps_.storage_paths.size(); ++i) {
    const std::string& path = deps_.storage_paths[i];
    nlohmann::json d = {{"path", path},
                        {"min_free_bytes", i < deps_.storage_min_free_bytes.size()
                                               ? deps_.storage_min_free_bytes[i]
                                               : 0}};
    if (Result<DiskSpace> space = StatDiskSpace(path); space.ok()) {
      d["total_bytes"] = space->total_bytes;
      d["free_bytes"] = space->free_bytes;
    } else {
      d["error"] = "not mounted or not readable";
    }
    disks.push_back(std::move(d));
  }
  nlohmann::json streams = nlohmann::json::array();
  nlohmann::json events = nlohmann::json::array();
  if (Result<IndexLease> index = ReadIndex(); index.ok()) {
    if (Result<std::vector<store::StreamRow>> rows = (*index)->Streams(); rows.ok()) {
      for (const store::StreamRow& row : *rows) {
        nlohmann::json j = {{"camera", row.camera}, {"stream", row.stream},
                            {"recorded_bytes", row.bytes}};
        Result<std::optional<int64_t>> oldest = (*index)->OldestStart(row.id);
        j["oldest_us"] = oldest.ok() && oldest->has_value() ? **oldest : 0;
        for (const RetentionStatus& r : rec.retention) {
          if (r.camera == row.camera && r.stream == row.stream) {
            j["retention"] = {{"max_age_s", r.max_age_s},
                              {"max_bytes", r.max_bytes},
                              {"continuous_days", r.continuous_days},
                              {"motion_days", r.motion_days}};
          }
        }
        streams.push_back(std::move(j));
      }
    }
    // The last 50 of the past week, newest first.
    constexpr int64_t kWeekUs = 7LL * 24 * 3600 * 1'000'000;
    if (Result<std::vector<store::EventRow>> rows = (*index)->Events(NowUs() - kWeekUs, 10000);
        rows.ok()) {
      for (auto it = rows->rbegin(); it != rows->rend() && events.size() < 50; ++it) {
        const store::EventRow& e = *it;
        events.push_back({{"time_us", e.time_us}, {"kind", e.kind}, {"camera", e.camera},
                          {"stream", e.stream}, {"message", e.message}});
      }
    }
  }
  return {{"version", deps_.version},
          {"started_us", rec.started_us},
          {"disks", disks},
          {"streams", streams},
          {"index",
           {{"commits", rec.index_commits},
            {"commit_errors", rec.index_commit_errors},
            {"segments_deleted", rec.segments_deleted}}},
          {"events", events}};
}

}  // namespace sightline::api
