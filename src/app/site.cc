#include "app/site.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "app/store_options.h"
#include "base/logging.h"
#include "base/mutex.h"

namespace sightline::app {

struct Site::Stream {
  std::string camera;
  std::string stream;
  std::vector<std::string> roles;
  store::StreamRecorder* recorder = nullptr;  // null unless role record
  std::unique_ptr<live::StreamHub> hub;
  std::unique_ptr<rtsp::Client> client;

  // Rates over the last Supervise interval.
  mutable Mutex mu;
  MonoTime sampled_at SL_GUARDED_BY(mu){};
  uint64_t sampled_frames SL_GUARDED_BY(mu) = 0;
  uint64_t sampled_bytes SL_GUARDED_BY(mu) = 0;
  double fps SL_GUARDED_BY(mu) = 0;
  int64_t bitrate_bps SL_GUARDED_BY(mu) = 0;
};

namespace {

std::vector<std::string> RoleNames(const config::StreamConfig& s) {
  std::vector<std::string> out;
  for (config::Role r : {config::Role::kRecord, config::Role::kDetect, config::Role::kLive}) {
    if (s.HasRole(r)) out.emplace_back(config::RoleName(r));
  }
  return out;
}

// The stream the grid shows: the first with role live, else the smallest known, else the last.
std::string LiveStream(const std::vector<api::StreamStatus>& streams) {
  const api::StreamStatus* best = nullptr;
  for (const api::StreamStatus& s : streams) {
    if (std::find(s.roles.begin(), s.roles.end(), "live") != s.roles.end()) return s.name;
    if (s.width * s.height > 0 &&
        (best == nullptr || s.width * s.height < best->width * best->height)) {
      best = &s;
    }
  }
  if (best != nullptr) return best->name;
  return streams.empty() ? std::string() : streams.back().name;
}

}  // namespace

Site::Site(const config::Config& config, store::Store* store,
           boost::asio::any_io_executor executor, const Clock& clock,
           const DetectSinkFor& detect_sink_for, const UrlSourceFor& url_source_for)
    : clock_(clock), store_(store), started_us_(UnixMicros(clock.WallNow())) {
  for (const store::StreamSpec& spec : RecordedStreams(config)) {
    api::RetentionStatus r{spec.camera, spec.stream, spec.retention.max_age_s,
                           spec.retention.max_bytes, spec.retention.continuous_days.value_or(0),
                           spec.retention.motion_days.value_or(0)};
    retention_.push_back(r);
  }
  for (const config::CameraConfig& cam : config.cameras) {
    if (!cam.enabled) continue;
    camera_order_.push_back(cam.name);
    for (const config::StreamConfig& s : cam.streams) {
      auto st = std::make_unique<Stream>();
      st->camera = cam.name;
      st->stream = s.name;
      st->roles = RoleNames(s);
      if (store != nullptr && s.HasRole(config::Role::kRecord)) {
        st->recorder = store->recorder(cam.name, s.name);
      }
      st->hub = std::make_unique<live::StreamHub>(clock);
      rtsp::ClientOptions o;
      o.url = s.url;
      if (url_source_for != nullptr) o.url_source = url_source_for(cam.name, s.name);
      o.credentials = {s.user, s.password};
      o.transport = s.transport == config::Transport::kUdp ? rtsp::TransportMode::kUdp
                                                            : rtsp::TransportMode::kTcp;
      o.log_name = "camera=" + cam.name + " stream=" + s.name;
      FrameSink detect = s.HasRole(config::Role::kDetect) && detect_sink_for != nullptr
                             ? detect_sink_for(cam.name, s.name)
                             : FrameSink();
      Stream* raw = st.get();
      st->client = std::make_unique<rtsp::Client>(
          executor, o,
          [raw, detect = std::move(detect)](media::FramePtr f) {
            if (raw->recorder != nullptr) raw->recorder->OnFrame(f);
            raw->hub->OnFrame(f);
            if (detect) detect(std::move(f));
          },
          clock);
      streams_.push_back(std::move(st));
    }
  }
}

Site::~Site() = default;

void Site::RetryNow(const std::string& camera) {
  for (const auto& st : streams_) {
    if (st->camera == camera) st->client->RetryNow();
  }
}

void Site::Start() {
  for (auto& s : streams_) s->client->Start();
}

void Site::Stop() {
  for (auto& s : streams_) s->client->Stop();
}

void Site::Supervise() {
  const MonoTime now = clock_.Now();
  for (auto& s : streams_) {
    const rtsp::ClientStats c = s->client->stats();
    const bool playing = c.state == rtsp::ClientState::kPlaying;
    if (!playing && s->recorder != nullptr) s->recorder->EndOfStream();
    s->hub->SetOnline(playing);
    MutexLock lock(s->mu);
    const double dt = std::chrono::duration<double>(now - s->sampled_at).count();
    if (s->sampled_at != MonoTime{} && dt > 0) {
      s->fps = static_cast<double>(c.receiver.frames - s->sampled_frames) / dt;
      s->bitrate_bps = static_cast<int64_t>(
          static_cast<double>(c.receiver.frame_bytes - s->sampled_bytes) * 8 / dt);
    }
    s->sampled_at = now;
    s->sampled_frames = c.receiver.frames;
    s->sampled_bytes = c.receiver.frame_bytes;
  }
}

void Site::LogStatus() const {
  for (const auto& s : streams_) {
    const rtsp::ClientStats c = s->client->stats();
    std::ostringstream line;
    line << "camera=" << s->camera << " stream=" << s->stream
         << " state=" << rtsp::ClientStateName(c.state) << " frames=" << c.receiver.frames
         << " reconnects=" << c.reconnects << " viewers=" << s->hub->stats().viewers;
    if (s->recorder != nullptr) {
      const store::StreamRecorderStats r = s->recorder->stats();
      line << " gops_written=" << r.gops_written << " gops_dropped_slow=" << r.gops_dropped_slow
           << " gops_lost_write_error=" << r.gops_lost_write_error << " bytes=" << r.bytes_written
           << " segments=" << r.segments_started;
    }
    SL_LOG(kInfo) << line.str();
  }
}

std::vector<Site::StreamCounts> Site::Counts() const {
  std::vector<StreamCounts> out;
  for (const auto& s : streams_) {
    StreamCounts c{s->camera, s->stream, s->client->stats(), std::nullopt, s->hub->stats()};
    if (s->recorder != nullptr) c.recorder = s->recorder->stats();
    out.push_back(std::move(c));
  }
  return out;
}

std::string Site::Summary() const {
  uint64_t frames = 0, written = 0, slow = 0, write_errors = 0, lost = 0, dropped = 0;
  for (const auto& s : streams_) {
    const rtsp::ClientStats c = s->client->stats();
    lost += c.receiver.packets_lost;
    dropped += c.frames_dropped;
    if (s->recorder == nullptr) continue;
    const store::StreamRecorderStats r = s->recorder->stats();
    frames += r.frames;
    written += r.gops_written;
    slow += r.gops_dropped_slow;
    write_errors += r.gops_lost_write_error;
  }
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "streams=%zu frames=%llu gops_written=%llu gops_dropped_slow=%llu "
                "gops_lost_write_error=%llu packets_lost=%llu frames_dropped=%llu",
                streams_.size(), static_cast<unsigned long long>(frames),
                static_cast<unsigned long long>(written), static_cast<unsigned long long>(slow),
                static_cast<unsigned long long>(write_errors),
                static_cast<unsigned long long>(lost), static_cast<unsigned long long>(dropped));
  return buf;
}

std::vector<api::CameraStatus> Site::Cameras() const {
  const MonoTime now = clock_.Now();
  const int64_t wall_now_us = UnixMicros(clock_.WallNow());
  std::vector<api::CameraStatus> out;
  for (const std::string& name : camera_order_) {
    api::CameraStatus cam;
    cam.name = name;
    for (const auto& s : streams_) {
      if (s->camera != name) continue;
      const rtsp::ClientStats c = s->client->stats();
      api::StreamStatus st;
      st.name = s->stream;
      st.roles = s->roles;
      st.recorded = s->recorder != nullptr;
      st.online = c.state == rtsp::ClientState::kPlaying;
      st.state = rtsp::ClientStateName(c.state);
      if (c.params != nullptr) {
        st.codec = c.params->codec_string;
        st.width = c.params->width;
        st.height = c.params->height;
      }
      {
        MutexLock lock(s->mu);
        st.fps = s->fps;
        st.bitrate_bps = s->bitrate_bps;
      }
      if (c.last_frame_time != MonoTime{}) {
        st.last_frame_us =
            wall_now_us - std::chrono::duration_cast<std::chrono::microseconds>(
                              now - c.last_frame_time).count();
      }
      st.reconnects = c.reconnects;
      st.frames_dropped = c.frames_dropped;
      if (s->recorder != nullptr) {
        const store::StreamRecorderStats r = s->recorder->stats();
        st.gops_dropped = r.gops_dropped_slow + r.gops_lost_write_error;
      }
      cam.streams.push_back(std::move(st));
    }
    cam.live_stream = LiveStream(cam.streams);
    out.push_back(std::move(cam));
  }
  return out;
}

live::StreamHub* Site::Hub(std::string_view camera, std::string_view stream) const {
  for (const auto& s : streams_) {
    if (s->camera == camera && s->stream == stream) return s->hub.get();
  }
  return nullptr;
}

api::RecorderStatus Site::Recorder() const {
  api::RecorderStatus r;
  r.started_us = started_us_;
  r.retention = retention_;
  if (store_ != nullptr) {
    const store::IndexWriterStats i = store_->index_stats();
    r.index_commits = i.commits;
    r.index_commit_errors = i.commit_errors;
    r.segments_deleted = i.segments_deleted;
  }
  return r;
}

}  // namespace sightline::app
