#pragma once
// OnvifStreams: the stream URLs of the config's `onvif:` cameras, found from each device's
// profiles (onvif::ProbeDevice) on worker threads, and handed to their RTSP clients through
// rtsp::ClientOptions::url_source, which never waits for them:
//
//   - at start every camera is probed (at most kMaxWorkers at once, each within its device
//     deadline, so a slow or dead camera holds up only itself);
//   - a camera that could not be probed is tried again after 2 s, then twice as long each
//     time up to `retry_every` (a site's cameras often boot after its recorder);
//   - when a camera's URLs become known or change, `on_resolved` is told (the app makes its
//     streams' clients try again at once instead of waiting out their backoff);
//   - when a stream's client asks again (it lost or never got its connection) and the last
//     answer is older than `refresh_after`, the camera is probed again: a camera that
//     rebooted may hand out other URLs, and its client uses them at its next attempt.
//
// A camera with one usable profile serves both of its streams from it. The camera's clock
// offset is kept, and a camera more than kClockWarning off is logged once per change (its
// WS-Security tokens and its evidence times depend on it).
//
// Threads: everything may be called from any thread; the workers are joined in the destructor.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"
#include "base/result.h"
#include "config/config.h"
#include "onvif/client.h"

namespace sightline::app {

class OnvifStreams {
 public:
  using ProbeFn = std::function<Result<onvif::ProbeResult>(const config::OnvifSource&)>;
  struct Options {
    std::chrono::milliseconds first_retry{2'000};
    std::chrono::milliseconds retry_every{30'000};
    std::chrono::milliseconds refresh_after{60'000};
    // Called on a worker thread with the camera's name; must not block.
    std::function<void(const std::string& camera)> on_resolved;
    // The real probe when empty; tests give their own.
    ProbeFn probe;
  };
  static constexpr size_t kMaxWorkers = 8;
  static constexpr std::chrono::seconds kClockWarning{5};

  // What is known of one camera now (for the log, the metrics and the API).
  struct CameraState {
    std::string camera;
    std::string device_url;
    bool resolved = false;
    std::string main_uri, sub_uri;  // no credentials
    std::string maker, model, firmware;
    std::optional<std::chrono::milliseconds> clock_offset;  // camera - ours
    std::string last_error;  // of the last probe that failed; "" after a success
    uint64_t probes = 0;
  };

  // The `onvif:` cameras of `config` (enabled ones); none: nothing runs.
  OnvifStreams(const config::Config& config, const Clock& clock, Options options);
  ~OnvifStreams();
  OnvifStreams(const OnvifStreams&) = delete;
  OnvifStreams& operator=(const OnvifStreams&) = delete;

  bool empty() const { return cameras_.empty(); }
  // Starts the workers; the first round of probes begins at once.
  void Start();
  // No probe starts after this and `on_resolved` is not called again; a probe under way ends
  // within its deadline and the destructor waits for it.
  void Stop();
  // Waits until every camera has had its first answer (or failure), or `timeout`.
  void WaitForFirstRound(std::chrono::milliseconds timeout);

  // The url_source of one stream ("main" or "sub") of an `onvif:` camera; null for any other
  // camera. Never blocks: it answers from what is known and, when the answer is old, asks for
  // a new probe.
  std::function<Result<std::string>()> UrlSource(const std::string& camera, const std::string& stream);

  std::vector<CameraState> States() const;

 private:
  struct Camera;
  void Work();
  // The next camera due for a probe, waiting for one; null when stopping.
  Camera* NextDue();
  void Probe(Camera& cam);
  Result<std::string> Url(Camera& cam, const std::string& stream);

  const Clock& clock_;
  Options options_;
  std::vector<std::unique_ptr<Camera>> cameras_;
  mutable Mutex mu_;
  CondVar changed_;
  bool stopping_ SL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace sightline::app
