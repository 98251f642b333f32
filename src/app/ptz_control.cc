#include "app/ptz_control.h"

#include <algorithm>
#include <deque>
#include <thread>

#include "base/logging.h"
#include "base/mutex.h"
#include "onvif/ptz_client.h"

namespace sightline::app {
namespace {

using Clock = std::chrono::steady_clock;

// A command's result, shared by the waiting handler and the worker.
struct Pending {
  Mutex mu;
  CondVar done_cv;
  bool done SL_GUARDED_BY(mu) = false;
  Status status SL_GUARDED_BY(mu);
  api::PtzInfo info SL_GUARDED_BY(mu);
  std::string token SL_GUARDED_BY(mu);

  void Finish(Status s, api::PtzInfo i = {}, std::string t = {}) {
    MutexLock lock(mu);
    status = std::move(s);
    info = std::move(i);
    token = std::move(t);
    done = true;
    done_cv.NotifyAll();
  }
};

// What a command does with the client: its status, and the info or token it produced.
struct Outcome {
  Status status;
  api::PtzInfo info;
  std::string token;
};
using Command = std::function<Outcome(onvif::PtzClient&)>;

}  // namespace

class OnvifPtz::Head {
 public:
  Head(std::string camera, const config::OnvifSource& source) : camera_(std::move(camera)), source_(source) {}
  ~Head() {
    {
      MutexLock lock(mu_);
      stopping_ = true;
      for (Job& j : queue_) j.pending->Finish(UnavailableError("Sightline is stopping."));
      queue_.clear();
      wake_.NotifyAll();
    }
    if (worker_.joinable()) worker_.join();
  }

  // Queues `command` and waits for its outcome (at most the command budget and a margin).
  Result<Outcome> Run(std::string_view what, Command command, bool is_stop) {
    auto pending = std::make_shared<Pending>();
    {
      MutexLock lock(mu_);
      if (stopping_) return UnavailableError("Sightline is stopping.");
      if (is_stop) {
        // The stop goes before any move still waiting: those would only delay it.
        for (auto it = queue_.begin(); it != queue_.end();) {
          if (it->is_move) {
            it->pending->Finish(UnavailableError("The move was replaced by a stop."));
            it = queue_.erase(it);
          } else {
            ++it;
          }
        }
      }
      if (queue_.size() >= kMaxQueued) {
        return UnavailableError("Camera " + camera_ + " is still busy with earlier PTZ commands; try again.");
      }
      queue_.push_back({std::move(command), pending, what == "move"});
      if (!worker_.joinable()) worker_ = std::thread([this] { Work(); });
      wake_.NotifyAll();
    }
    MutexLock lock(pending->mu);
    const auto deadline = Clock::now() + kCommandBudget + std::chrono::seconds(1);
    while (!pending->done) {
      if (!pending->done_cv.WaitUntil(pending->mu, deadline) && !pending->done) {
        return UnavailableError("Camera " + camera_ + " did not answer the PTZ command in time.");
      }
    }
    if (!pending->status.ok()) return pending->status;
    return Outcome{Status::Ok(), pending->info, pending->token};
  }

 private:
  struct Job {
    Command command;
    std::shared_ptr<Pending> pending;
    bool is_move = false;
  };

  void Work() {
    // Made here: the client belongs to this thread alone.
    Result<onvif::HttpUrl> url = onvif::DeviceServiceUrl(source_.device_url);
    onvif::ClientOptions options;
    options.credentials = {source_.user, source_.password};
    options.call_timeout = kCallTimeout;
    std::unique_ptr<onvif::PtzClient> client;
    if (url.ok()) client = std::make_unique<onvif::PtzClient>(*url, options);
    for (;;) {
      Job job;
      {
        MutexLock lock(mu_);
        while (!stopping_ && queue_.empty()) wake_.Wait(mu_);
        if (stopping_) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      if (client == nullptr) {
        job.pending->Finish(FailedPreconditionError("camera " + camera_ + ": " + url.status().message()));
        continue;
      }
      client->SetDeadline(Clock::now() + kCommandBudget);
      Outcome out = job.command(*client);
      if (!out.status.ok()) {
        SL_LOG(kWarning) << "camera=" << camera_ << " ptz: " << out.status;
        // The camera's own words, with which camera it was.
        out.status = Status(out.status.code(), "Camera " + camera_ + ": " + out.status.message());
      }
      job.pending->Finish(std::move(out.status), std::move(out.info), std::move(out.token));
    }
  }

  const std::string camera_;
  const config::OnvifSource source_;
  Mutex mu_;
  CondVar wake_;
  std::deque<Job> queue_ SL_GUARDED_BY(mu_);
  bool stopping_ SL_GUARDED_BY(mu_) = false;
  std::thread worker_;  // started under mu_ by the first Run; joined in the destructor
};

OnvifPtz::OnvifPtz(const config::Config& config) {
  for (const config::CameraConfig& c : config.cameras) {
    if (c.enabled && c.onvif.has_value()) {
      heads_.emplace(c.name, std::make_unique<Head>(c.name, *c.onvif));
    } else {
      others_.emplace(c.name, c.enabled);
    }
  }
}

OnvifPtz::~OnvifPtz() = default;

Result<OnvifPtz::Head*> OnvifPtz::Find(std::string_view camera) {
  if (auto it = heads_.find(camera); it != heads_.end()) return it->second.get();
  if (others_.contains(camera)) {
    return FailedPreconditionError("Camera " + std::string(camera) +
                                   " has no PTZ control: only cameras given as onvif: in sightline.yaml have it.");
  }
  return NotFoundError("There is no camera named " + std::string(camera) + ".");
}

Result<api::PtzInfo> OnvifPtz::Info(std::string_view camera) {
  ASSIGN_OR_RETURN(Head * head, Find(camera));
  ASSIGN_OR_RETURN(Outcome out, head->Run("info", [](onvif::PtzClient& c) -> Outcome {
    Result<onvif::PtzStatus> status = c.GetStatus();
    if (!status.ok()) return {status.status()};
    Result<std::vector<onvif::PtzPreset>> presets = c.GetPresets();
    if (!presets.ok()) return {presets.status()};
    api::PtzInfo info;
    info.pan = status->position.pan;
    info.tilt = status->position.tilt;
    info.zoom = status->position.zoom;
    const bool moving = status->pan_tilt == onvif::PtzMoveState::kMoving || status->zoom == onvif::PtzMoveState::kMoving;
    info.move_status = moving ? "moving" : std::string(onvif::PtzMoveStateName(status->pan_tilt));
    for (const onvif::PtzPreset& p : *presets) info.presets.push_back({p.token, p.name});
    info.max_presets = c.max_presets();
    info.home_supported = c.home_supported();
    return {Status::Ok(), std::move(info)};
  }, false));
  return std::move(out.info);
}

Status OnvifPtz::Move(std::string_view camera, const api::PtzMove& move) {
  ASSIGN_OR_RETURN(Head * head, Find(camera));
  const onvif::PtzVelocity v{move.pan, move.tilt, move.zoom};
  const std::chrono::milliseconds timeout(std::clamp<int64_t>(move.timeout_ms, 1, api::kMaxPtzMoveTimeoutMs));
  return head->Run("move", [v, timeout](onvif::PtzClient& c) { return Outcome{c.ContinuousMove(v, timeout)}; }, false)
      .status();
}

Status OnvifPtz::Stop(std::string_view camera) {
  ASSIGN_OR_RETURN(Head * head, Find(camera));
  return head->Run("stop", [](onvif::PtzClient& c) { return Outcome{c.Stop()}; }, true).status();
}

Status OnvifPtz::GotoPreset(std::string_view camera, const std::string& token) {
  ASSIGN_OR_RETURN(Head * head, Find(camera));
  return head->Run("goto", [token](onvif::PtzClient& c) { return Outcome{c.GotoPreset(token)}; }, false).status();
}

Result<std::string> OnvifPtz::SetPreset(std::string_view camera, const std::string& name) {
  ASSIGN_OR_RETURN(Head * head, Find(camera));
  ASSIGN_OR_RETURN(Outcome out, head->Run("set", [name](onvif::PtzClient& c) -> Outcome {
    Result<std::string> token = c.SetPreset(name);
    if (!token.ok()) return {token.status()};
    return {Status::Ok(), {}, *token};
  }, false));
  return std::move(out.token);
}

Status OnvifPtz::RemovePreset(std::string_view camera, const std::string& token) {
  ASSIGN_OR_RETURN(Head * head, Find(camera));
  return head->Run("remove", [token](onvif::PtzClient& c) { return Outcome{c.RemovePreset(token)}; }, false).status();
}

}  // namespace sightline::app
