#include "app/run_metrics.h"

#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

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

using StreamKey = std::pair<std::string, std::string>;  // camera, stream
using AnalyserCounts = std::pair<const StreamKey, analysis::AnalyzerStats>;

StreamKey KeyOf(const Site::StreamCounts& c) { return {c.camera, c.stream}; }
StreamKey KeyOf(const AnalyserCounts& a) { return a.first; }
double N(uint64_t v) { return static_cast<double>(v); }

// A family with one series per stream, labelled camera and stream; `value` reads it from what
// the stream's parts count (nullopt: the stream has no such series, e.g. it is not recorded).
template <class T>
struct StreamMetric {
  std::string_view name;
  MetricType type;
  std::string_view help;
  std::optional<double> (*value)(const T&);
};

template <class T, class Items>
void AddStreamFamilies(std::span<const StreamMetric<T>> metrics, const Items& items,
                       std::vector<FamilySnapshot>& out) {
  for (const StreamMetric<T>& m : metrics) {
    FamilySnapshot f = NewFamily(std::string(m.name), std::string(m.help), m.type, {"camera", "stream"});
    for (const T& item : items) {
      if (std::optional<double> v = m.value(item)) f.Add({KeyOf(item).first, KeyOf(item).second}, *v);
    }
    out.push_back(std::move(f));
  }
}

using Stream = Site::StreamCounts;
using Opt = std::optional<double>;
constexpr StreamMetric<Stream> kStreamMetrics[] = {
    {"sightline_camera_up", MetricType::kGauge,
     "1 while the stream is playing (RTSP PLAY answered, frames flowing), else 0.",
     [](const Stream& c) -> Opt { return c.client.state == rtsp::ClientState::kPlaying ? 1 : 0; }},
    {"sightline_camera_frames_total", MetricType::kCounter, "Frames (access units) received from the camera.",
     [](const Stream& c) -> Opt { return N(c.client.receiver.frames); }},
    {"sightline_camera_bytes_total", MetricType::kCounter,
     "Bytes of video received from the camera (frame payloads).",
     [](const Stream& c) -> Opt { return N(c.client.receiver.frame_bytes); }},
    {"sightline_camera_reconnects_total", MetricType::kCounter, "Connection attempts after the first.",
     [](const Stream& c) -> Opt { return N(c.client.reconnects); }},
    {"sightline_camera_packets_lost_total", MetricType::kCounter, "RTP packets missing from the sequence.",
     [](const Stream& c) -> Opt { return N(c.client.receiver.packets_lost); }},
    {"sightline_camera_frames_dropped_total", MetricType::kCounter,
     "Frames discarded by the depacketizer (after loss, malformed).",
     [](const Stream& c) -> Opt { return N(c.client.frames_dropped); }},
    {"sightline_recorder_bytes_written_total", MetricType::kCounter, "Bytes written to segment files.",
     [](const Stream& c) -> Opt { return c.recorder ? Opt(N(c.recorder->bytes_written)) : std::nullopt; }},
    {"sightline_recorder_gops_written_total", MetricType::kCounter, "GOPs written to segment files.",
     [](const Stream& c) -> Opt { return c.recorder ? Opt(N(c.recorder->gops_written)) : std::nullopt; }},
    {"sightline_live_viewers", MetricType::kGauge, "Live viewers watching the stream now.",
     [](const Stream& c) -> Opt { return N(c.hub.viewers); }},
    {"sightline_live_frames_skipped_total", MetricType::kCounter,
     "Frames not sent to a slow live viewer (summed over viewers).",
     [](const Stream& c) -> Opt { return N(c.hub.frames_skipped); }},
};

constexpr StreamMetric<AnalyserCounts> kAnalysisMetrics[] = {
    {"sightline_analysis_gops_skipped_total", MetricType::kCounter,
     "GOPs the motion analysis skipped because it was busy (its queue was full).",
     [](const AnalyserCounts& a) -> Opt { return N(a.second.gops_skipped); }},
    {"sightline_analysis_frames_analysed_total", MetricType::kCounter,
     "Pictures given to the motion detector.",
     [](const AnalyserCounts& a) -> Opt { return N(a.second.frames_analysed); }},
    {"sightline_analysis_decode_errors_total", MetricType::kCounter,
     "Decode errors (each skips to the next keyframe).",
     [](const AnalyserCounts& a) -> Opt { return N(a.second.decode_errors); }},
};

// GOPs not recorded, with the reason as a third label.
FamilySnapshot GopsDropped(const std::vector<Stream>& streams) {
  FamilySnapshot f = NewFamily("sightline_recorder_gops_dropped_total",
                               "GOPs not recorded: reason storage_too_slow (dropped before writing) or "
                               "write_error (the segment was abandoned).",
                               MetricType::kCounter, {"camera", "stream", "reason"});
  for (const Stream& c : streams) {
    if (!c.recorder) continue;
    f.Add({c.camera, c.stream, "storage_too_slow"}, N(c.recorder->gops_dropped_slow));
    f.Add({c.camera, c.stream, "write_error"}, N(c.recorder->gops_lost_write_error));
  }
  return f;
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
    const std::vector<Stream> streams = site.Counts();
    AddStreamFamilies<Stream>(kStreamMetrics, streams, out);
    out.push_back(GopsDropped(streams));
  });
}

void RunMetrics::WatchAnalysis(const MotionAnalysis& analysis) {
  registry_.AddCollector([&analysis](std::vector<FamilySnapshot>& out) {
    AddStreamFamilies<AnalyserCounts>(kAnalysisMetrics, analysis.Counts(), out);
  });
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

void RunMetrics::WatchWebhooks(const WebhookLink* webhooks) {
  registry_.AddCollector([webhooks](std::vector<FamilySnapshot>& out) {
    FamilySnapshot events =
        NewFamily("sightline_webhook_events_total",
                  "Events by what became of them: delivered (2xx), refused (3xx, 4xx), dropped (queue full "
                  "or still queued at stop), expired (undelivered for 24 h).",
                  MetricType::kCounter, {"webhook", "outcome"});
    FamilySnapshot attempts = NewFamily("sightline_webhook_attempts_total", "POSTs made, retries included.",
                                        MetricType::kCounter, {"webhook"});
    FamilySnapshot queued = NewFamily("sightline_webhook_queued_events", "Events waiting for delivery now.",
                                      MetricType::kGauge, {"webhook"});
    FamilySnapshot failing = NewFamily("sightline_webhook_failing",
                                       "1 while the receiver fails and the head of the queue is being retried.",
                                       MetricType::kGauge, {"webhook"});
    const std::vector<webhook::EndpointStats> all =
        webhooks != nullptr ? webhooks->stats() : std::vector<webhook::EndpointStats>{};
    for (size_t i = 0; i < all.size(); ++i) {
      const webhook::EndpointStats& s = all[i];
      const std::string w = std::to_string(i);  // the index in `webhooks:`; URLs may hold tokens
      events.Add({w, "delivered"}, N(s.delivered));
      events.Add({w, "refused"}, N(s.refused));
      events.Add({w, "dropped"}, N(s.dropped));
      events.Add({w, "expired"}, N(s.expired));
      attempts.Add({w}, N(s.attempts));
      queued.Add({w}, N(s.queue));
      failing.Add({w}, s.failing ? 1 : 0);
    }
    out.push_back(std::move(events));
    out.push_back(std::move(attempts));
    out.push_back(std::move(queued));
    out.push_back(std::move(failing));
  });
}

void RunMetrics::WatchOnvif(const OnvifStreams& onvif, const CameraEvents& events) {
  // Always: the families are listed (empty) without onvif: cameras, as the reference says.
  registry_.AddCollector([&events](std::vector<FamilySnapshot>& out) {
    FamilySnapshot subscribed = NewFamily("sightline_camera_events_subscribed",
                                          "1 while the camera's ONVIF event subscription runs, else 0.",
                                          MetricType::kGauge, {"camera"});
    FamilySnapshot started = NewFamily("sightline_camera_events_total",
                                       "Events the camera reported itself over ONVIF (motion, tamper, inputs).",
                                       MetricType::kCounter, {"camera"});
    FamilySnapshot failures = NewFamily("sightline_camera_event_subscription_failures_total",
                                        "ONVIF event subscriptions that could not start or were lost.",
                                        MetricType::kCounter, {"camera"});
    for (const CameraEvents::CameraState& c : events.States()) {
      subscribed.Add({c.camera}, c.subscribed ? 1 : 0);
      started.Add({c.camera}, static_cast<double>(c.events));
      failures.Add({c.camera}, static_cast<double>(c.stats.failures));
    }
    out.push_back(std::move(subscribed));
    out.push_back(std::move(started));
    out.push_back(std::move(failures));
  });
  registry_.AddCollector([&onvif](std::vector<FamilySnapshot>& out) {
    FamilySnapshot resolved = NewFamily("sightline_onvif_resolved",
                                        "1 once the ONVIF device told the camera's stream URLs, else 0.",
                                        MetricType::kGauge, {"camera"});
    FamilySnapshot offset = NewFamily("sightline_camera_clock_offset_seconds",
                                      "The camera's clock minus ours, measured over ONVIF.", MetricType::kGauge,
                                      {"camera"});
    for (const OnvifStreams::CameraState& c : onvif.States()) {
      resolved.Add({c.camera}, c.resolved ? 1 : 0);
      if (c.clock_offset) offset.Add({c.camera}, static_cast<double>(c.clock_offset->count()) / 1000.0);
    }
    out.push_back(std::move(resolved));
    out.push_back(std::move(offset));
  });
}

}  // namespace sightline::app
