#include "app/onvif_streams.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/logging.h"

namespace sightline::app {

struct OnvifStreams::Camera {
  std::string name;
  config::OnvifSource source;
  // Guarded by OnvifStreams::mu_ (a member's annotation cannot name its owner's mutex).
  MonoTime next_due{};  // max(): not due
  MonoTime probed_at{};
  std::chrono::milliseconds retry_wait{0};  // after the next failure
  bool in_flight = false;
  bool answered = false;
  std::string logged_error;
  std::optional<int64_t> warned_offset_s;
  CameraState state;
};

namespace {

Result<onvif::ProbeResult> RealProbe(const config::OnvifSource& source) {
  onvif::ClientOptions o;
  o.credentials = {source.user, source.password};
  o.device_timeout = std::chrono::seconds(10);  // a probe under way delays `run`'s exit by as much
  return onvif::ProbeDevice(source.device_url, o);
}

std::string Describe(const std::optional<onvif::MediaProfile>& p) {
  if (!p) return "none";
  return std::to_string(p->width) + "x" + std::to_string(p->height) + " (profile " + p->token + ")";
}

// A probe that reached the device but gave no stream to record is a failure too, named.
Status Usable(const onvif::ProbeResult& r) {
  if (!r.main_uri.empty()) return Status::Ok();
  std::string why = r.needs_credentials ? "the device refused the request for want of valid credentials"
                                        : "the device offers no H.264 or H.265 stream";
  for (const std::string& p : r.problems) why += "; " + p;
  return r.needs_credentials ? UnauthenticatedError(why) : NotFoundError(why);
}

}  // namespace

OnvifStreams::OnvifStreams(const config::Config& config, const Clock& clock, Options options)
    : clock_(clock), options_(std::move(options)) {
  if (!options_.probe) options_.probe = RealProbe;
  for (const config::CameraConfig& c : config.cameras) {
    if (!c.enabled || !c.onvif) continue;
    auto cam = std::make_unique<Camera>();
    cam->name = c.name;
    cam->source = *c.onvif;
    cam->state.camera = c.name;
    cam->state.device_url = c.onvif->device_url;
    cam->next_due = MonoTime::max();
    cameras_.push_back(std::move(cam));
  }
}

OnvifStreams::~OnvifStreams() {
  Stop();
  for (std::thread& t : workers_) t.join();
}

void OnvifStreams::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  changed_.NotifyAll();
}

void OnvifStreams::Start() {
  if (cameras_.empty()) return;
  {
    MutexLock lock(mu_);
    const MonoTime now = clock_.Now();
    for (auto& cam : cameras_) {
      cam->next_due = now;
      cam->retry_wait = options_.first_retry;
    }
  }
  const size_t n = std::min(kMaxWorkers, cameras_.size());
  for (size_t i = 0; i < n; ++i) workers_.emplace_back([this] { Work(); });
}

void OnvifStreams::WaitForFirstRound(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(mu_);
  while (!stopping_) {
    bool all_answered = true;
    for (const auto& cam : cameras_) all_answered = all_answered && cam->answered;
    if (all_answered || std::chrono::steady_clock::now() >= deadline) return;
    changed_.WaitUntil(mu_, deadline);
  }
}

std::function<Result<std::string>()> OnvifStreams::UrlSource(const std::string& camera, const std::string& stream) {
  for (auto& cam : cameras_) {
    if (cam->name == camera) {
      Camera* c = cam.get();
      return [this, c, stream] { return Url(*c, stream); };
    }
  }
  return nullptr;
}

Result<std::string> OnvifStreams::Url(Camera& cam, const std::string& stream) {
  bool wake = false;
  Result<std::string> out = UnavailableError("");
  {
    MutexLock lock(mu_);
    const MonoTime now = clock_.Now();
    if (cam.state.resolved) {
      const std::string& uri = stream == "sub" && !cam.state.sub_uri.empty() ? cam.state.sub_uri : cam.state.main_uri;
      out = uri;
      // The client asks because it is about to (re)connect: an old answer may be stale.
      if (!cam.in_flight && now - cam.probed_at >= options_.refresh_after && cam.next_due > now) {
        cam.next_due = now;
        wake = true;
      }
    } else {
      out = UnavailableError("ONVIF device " + cam.source.device_url + ": " +
                             (cam.state.last_error.empty() ? "not asked yet" : cam.state.last_error));
    }
  }
  if (wake) changed_.NotifyAll();
  return out;
}

void OnvifStreams::Work() {
  while (Camera* cam = NextDue()) Probe(*cam);
}

OnvifStreams::Camera* OnvifStreams::NextDue() {
  MutexLock lock(mu_);
  while (!stopping_) {
    const MonoTime now = clock_.Now();
    Camera* due = nullptr;
    MonoTime earliest = MonoTime::max();
    for (auto& cam : cameras_) {
      if (cam->in_flight) continue;
      if (cam->next_due <= now && (due == nullptr || cam->next_due < due->next_due)) due = cam.get();
      earliest = std::min(earliest, cam->next_due);
    }
    if (due != nullptr) {
      due->in_flight = true;
      return due;
    }
    if (earliest == MonoTime::max()) {
      changed_.Wait(mu_);
    } else {
      // The clock may be simulated: wait in real time for at most the time it says is left.
      changed_.WaitFor(mu_, std::min<MonoTime::duration>(earliest - now, std::chrono::seconds(1)));
    }
  }
  return nullptr;
}

void OnvifStreams::Probe(Camera& cam) {
  Result<onvif::ProbeResult> r = options_.probe(cam.source);
  Status usable = r.ok() ? Usable(*r) : r.status();
  bool changed = false;
  {
    MutexLock lock(mu_);
    const MonoTime now = clock_.Now();
    cam.in_flight = false;
    cam.answered = true;
    cam.probed_at = now;
    ++cam.state.probes;
    if (r.ok()) {
      cam.state.maker = r->info.manufacturer;
      cam.state.model = r->info.model;
      cam.state.firmware = r->info.firmware_version;
      cam.state.clock_offset = r->clock_offset;
    }
    if (usable.ok()) {
      changed = !cam.state.resolved || cam.state.main_uri != r->main_uri || cam.state.sub_uri != r->sub_uri;
      cam.retry_wait = options_.first_retry;
      cam.state.resolved = true;
      cam.state.main_uri = r->main_uri;
      cam.state.sub_uri = r->sub_uri;
      cam.state.last_error.clear();
      cam.logged_error.clear();
      cam.next_due = MonoTime::max();
      if (changed) {
        SL_LOG(kInfo) << "camera=" << cam.name << " ONVIF " << r->info.manufacturer << " " << r->info.model
                      << ": main " << Describe(r->main) << ", sub "
                      << (r->sub_uri.empty() ? std::string("none (main serves both)") : Describe(r->sub));
      }
    } else {
      cam.state.last_error = usable.ToString();
      cam.next_due = now + cam.retry_wait;
      cam.retry_wait = std::min(cam.retry_wait * 2, options_.retry_every);
      if (cam.state.last_error != cam.logged_error) {  // one line per distinct problem
        cam.logged_error = cam.state.last_error;
        SL_LOG(kWarning) << "camera=" << cam.name << " ONVIF device " << cam.source.device_url << ": "
                         << cam.state.last_error << " (trying again, every "
                         << options_.retry_every.count() / 1000 << " s at most)";
      }
    }
    if (cam.state.clock_offset) {
      const int64_t off_s = cam.state.clock_offset->count() / 1000;
      if (std::chrono::abs(*cam.state.clock_offset) > kClockWarning && cam.warned_offset_s != off_s) {
        cam.warned_offset_s = off_s;
        char buf[32];
        std::snprintf(buf, sizeof buf, "%+.1f", cam.state.clock_offset->count() / 1000.0);
        SL_LOG(kWarning) << "camera=" << cam.name << " its clock is " << buf
                         << " s off ours: set its time or NTP server (evidence times and its "
                            "authentication depend on it)";
      }
    }
  }
  changed_.NotifyAll();
  if (changed && options_.on_resolved) {
    // Under the lock, so that nothing is told after Stop returned.
    MutexLock lock(mu_);
    if (!stopping_) options_.on_resolved(cam.name);
  }
}

std::vector<OnvifStreams::CameraState> OnvifStreams::States() const {
  MutexLock lock(mu_);
  std::vector<CameraState> out;
  for (const auto& cam : cameras_) out.push_back(cam->state);
  return out;
}

}  // namespace sightline::app
