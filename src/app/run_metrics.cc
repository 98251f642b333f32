#include "app/run_metrics.h"

#include <chrono>
#include <map>

#include "base/disk_space.h"
#include "base/logging.h"

namespace sightline::app {
namespace {

using metrics::FamilySnapshot;
using metrics::MetricType;

// Commit-time buckets from 1 ms, doubling, to about 4 s: a healthy commit takes a few ms;
// above a second the flush interval (the durability promise) is at risk.
constexpr double kFirstCommitBucketS = 0.001;
constexpr int kCommitBuckets = 13;

FamilySnapshot NewFamily(std::string name, std::string help, MetricType type,
                         std::vector<std::string> labels) {
  return FamilySnapshot{std::move(name), std::move(help), type, std::move(labels), {}};
}

// The per-stream families, in the order they are rendered.
struct StreamFamilies {
  FamilySnapshot up = NewFamily("sightline_camera_up",
                                "1 while the stream is playing (RTSP PLAY answered, frames flowing), else 0.",
                                MetricType::kGauge, {"camera", "stream"});
  FamilySnapshot frames =
      NewFamily("sightline_camera_frames_total", "Frames (access units) received from the camera.",
                MetricType::kCounter, {"camera", "stream"});
  FamilySnapshot bytes =
      NewFamily("sightline_camera_bytes_total", "Bytes of video received from the camera (frame payloads).",
                MetricType::kCounter, {"camera", "stream"});
  FamilySnapshot reconnects =
      NewFamily("sightline_camera_reconnects_total", "Connection attempts after the first.",
                MetricType::kCounter, {"camera", "stream"});
  FamilySnapshot packets_lost =
      NewFamily("sightline_camera_packets_lost_total", "RTP packets missing from the sequence.",
                MetricType::kCounter, {"camera", "stream"});
  FamilySnapshot frames_dropped = NewFamily("sightline_camera_frames_dropped_total",
                                            "Frames discarded by the depacketizer (after loss, malformed).",
                                            MetricType::kCounter, {"camera", "stream"});
  FamilySnapshot recorded_bytes =
      NewFamily("sightline_recorder_bytes_written_total", "Bytes written to segment files.",
                MetricType::kCounter, {"camera", "stream"});
  FamilySnapshot gops_written =
      NewFamily("sightline_recorder_gops_written_total", "GOPs written to segment files.",
                MetricType::kCounter, {"camera", "stream"});
  FamilySnapshot gops_dropped =
      NewFamily("sightline_recorder_gops_dropped_total",
                "GOPs not recorded: reason storage_too_slow (dropped before writing) or "
                "write_error (the segment was abandoned).",
                MetricType::kCounter, {"camera", "stream", "reason"});
  FamilySnapshot viewers = NewFamily("sightline_live_viewers", "Live viewers watching the stream now.",
                                     MetricType::kGauge, {"camera", "stream"});
  FamilySnapshot skipped = NewFamily("sightline_live_frames_skipped_total",
                                     "Frames not sent to a slow live viewer (summed over viewers).",
                                     MetricType::kCounter, {"camera", "stream"});

  void Add(const Site::StreamCounts& c) {
    const std::vector<std::string> l = {c.camera, c.stream};
    const auto n = [](uint64_t v) { return static_cast<double>(v); };
    up.Add(l, c.client.state == rtsp::ClientState::kPlaying ? 1 : 0);
    frames.Add(l, n(c.client.receiver.frames));
    bytes.Add(l, n(c.client.receiver.frame_bytes));
    reconnects.Add(l, n(c.client.reconnects));
    packets_lost.Add(l, n(c.client.receiver.packets_lost));
    frames_dropped.Add(l, n(c.client.frames_dropped));
    viewers.Add(l, n(c.hub.viewers));
    skipped.Add(l, n(c.hub.frames_skipped));
    if (!c.recorder) return;
    recorded_bytes.Add(l, n(c.recorder->bytes_written));
    gops_written.Add(l, n(c.recorder->gops_written));
    gops_dropped.Add({c.camera, c.stream, "storage_too_slow"}, n(c.recorder->gops_dropped_slow));
    gops_dropped.Add({c.camera, c.stream, "write_error"}, n(c.recorder->gops_lost_write_error));
  }

  void MoveTo(std::vector<FamilySnapshot>& out) {
    for (FamilySnapshot* f : {&up, &frames, &bytes, &reconnects, &packets_lost, &frames_dropped,
                              &recorded_bytes, &gops_written, &gops_dropped, &viewers, &skipped}) {
      out.push_back(std::move(*f));
    }
  }
};

void CollectAnalysis(const MotionAnalysis& analysis, std::vector<FamilySnapshot>& out) {
  FamilySnapshot skipped =
      NewFamily("sightline_analysis_gops_skipped_total",
                "GOPs the motion analysis skipped because it was busy (its queue was full).",
                MetricType::kCounter, {"camera", "stream"});
  FamilySnapshot analysed =
      NewFamily("sightline_analysis_frames_analysed_total", "Pictures given to the motion detector.",
                MetricType::kCounter, {"camera", "stream"});
  FamilySnapshot errors =
      NewFamily("sightline_analysis_decode_errors_total", "Decode errors (each skips to the next keyframe).",
                MetricType::kCounter, {"camera", "stream"});
  for (const auto& [key, s] : analysis.Counts()) {
    const std::vector<std::string> l = {key.first, key.second};
    skipped.Add(l, static_cast<double>(s.gops_skipped));
    analysed.Add(l, static_cast<double>(s.frames_analysed));
    errors.Add(l, static_cast<double>(s.decode_errors));
  }
  out.push_back(std::move(skipped));
  out.push_back(std::move(analysed));
  out.push_back(std::move(errors));
}

void CollectDirs(const std::vector<config::StorageDir>& dirs, std::vector<FamilySnapshot>& out) {
  FamilySnapshot free = NewFamily("sightline_storage_free_bytes",
                                  "Bytes available to Sightline on the storage directory's file system.",
                                  MetricType::kGauge, {"dir"});
  FamilySnapshot size =
      NewFamily("sightline_storage_size_bytes", "Size of the storage directory's file system.",
                MetricType::kGauge, {"dir"});
  FamilySnapshot min_free =
      NewFamily("sightline_storage_min_free_bytes",
                "Free space retention keeps on the file system (storage.dirs[].min_free).",
                MetricType::kGauge, {"dir"});
  for (const config::StorageDir& d : dirs) {
    min_free.Add({d.path}, static_cast<double>(d.min_free_bytes));
    Result<DiskSpace> space = StatDiskSpace(d.path);
    if (!space.ok()) continue;  // not mounted: no series, which alerts see (absent())
    free.Add({d.path}, static_cast<double>(space->free_bytes));
    size.Add({d.path}, static_cast<double>(space->total_bytes));
  }
  out.push_back(std::move(free));
  out.push_back(std::move(size));
  out.push_back(std::move(min_free));
}

void CollectIndex(const store::IndexWriterStats& s, std::vector<FamilySnapshot>& out) {
  const auto counter = [&out](std::string name, std::string help, uint64_t value) {
    FamilySnapshot f = NewFamily(std::move(name), std::move(help), MetricType::kCounter, {});
    f.Add({}, static_cast<double>(value));
    out.push_back(std::move(f));
  };
  counter("sightline_index_commit_errors_total",
          "Index transactions that failed (retried with the next one).", s.commit_errors);
  counter("sightline_retention_segments_deleted_total", "Segment files deleted by retention.",
          s.segments_deleted);
  counter("sightline_retention_bytes_deleted_total", "Bytes of segment files deleted by retention.",
          s.bytes_deleted);
  counter("sightline_retention_disk_full_total",
          "Times a storage directory was below min_free with no recording left to delete.",
          s.disk_full_nothing_to_delete);
}

}  // namespace

Result<std::unique_ptr<RunMetrics>> RunMetrics::Create(std::string_view version) {
  std::unique_ptr<RunMetrics> m(new RunMetrics());
  RETURN_IF_ERROR(m->Register(version));
  return m;
}

Status RunMetrics::Register(std::string_view version) {
  ASSIGN_OR_RETURN(auto* info, (registry_.AddFamily<metrics::Gauge, 1>(
                                   "sightline_build_info", "Always 1; the label names the running version.",
                                   {"version"})));
  info->With({version}).Set(1);
  ASSIGN_OR_RETURN(metrics::Gauge * started, registry_.AddGauge("sightline_start_time_seconds",
                                                                "When this process started (Unix time)."));
  started->Set(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  ASSIGN_OR_RETURN(
      http_requests_,
      (registry_.AddFamily<metrics::Counter, 2>(
          "sightline_http_requests_total",
          "HTTP responses by route pattern (\"unmatched\": no route) and status code.", {"route", "code"})));
  ASSIGN_OR_RETURN(commit_seconds_, registry_.AddHistogram(
                                        "sightline_index_commit_seconds",
                                        "Time to commit one index transaction (group commit).",
                                        metrics::ExponentialBuckets(kFirstCommitBucketS, 2, kCommitBuckets)));
  return Status();
}

std::function<void(std::string_view, int)> RunMetrics::ResponseObserver() {
  return [family = http_requests_](std::string_view route, int status) {
    family->With({route.empty() ? std::string_view("unmatched") : route, std::to_string(status)}).Increment();
  };
}

std::function<void(std::chrono::microseconds)> RunMetrics::CommitObserver() {
  return [histogram = commit_seconds_](std::chrono::microseconds d) {
    histogram->Observe(std::chrono::duration<double>(d).count());
  };
}

void RunMetrics::WatchSite(const Site& site) {
  registry_.AddCollector([&site](std::vector<FamilySnapshot>& out) {
    StreamFamilies families;
    for (const Site::StreamCounts& c : site.Counts()) families.Add(c);
    families.MoveTo(out);
  });
}

void RunMetrics::WatchAnalysis(const MotionAnalysis& analysis) {
  registry_.AddCollector([&analysis](std::vector<FamilySnapshot>& out) { CollectAnalysis(analysis, out); });
}

void RunMetrics::WatchStore(const store::Store& store, const std::vector<config::StorageDir>& dirs) {
  registry_.AddCollector([&store, dirs](std::vector<FamilySnapshot>& out) {
    CollectDirs(dirs, out);
    CollectIndex(store.index_stats(), out);
  });
}

void RunMetrics::WatchAudit(auth::AccountStore& accounts) {
  registry_.AddCollector([&accounts](std::vector<FamilySnapshot>& out) {
    Result<auth::AuditTotals> totals = accounts.AuditRowTotals();
    if (!totals.ok()) {
      SL_LOG(kWarning) << "metrics: audit log totals: " << totals.status();
      return;
    }
    FamilySnapshot appended = NewFamily("sightline_audit_rows_total", "Rows ever appended to the audit log.",
                                        MetricType::kCounter, {});
    appended.Add({}, static_cast<double>(totals->appended));
    FamilySnapshot dropped =
        NewFamily("sightline_audit_rows_dropped_total",
                  "Audit rows dropped by retention (auth.audit_retention).", MetricType::kCounter, {});
    dropped.Add({}, static_cast<double>(totals->dropped));
    out.push_back(std::move(appended));
    out.push_back(std::move(dropped));
  });
}

}  // namespace sightline::app
