#pragma once
// OnvifPtz: api::PtzControl over ONVIF for the config's `onvif:` cameras. Each camera gets
// its own worker thread (started at its first command) holding its onvif::PtzClient, so one
// slow or dead camera holds up only its own commands: a handler waits for its command at most
// kCommandBudget (the client's deadline for the whole command, connecting included) plus a
// margin, and a camera with kMaxQueued commands waiting answers "busy" at once. A stop
// replaces the moves still queued before it (they are answered Unavailable): the camera
// should stop as soon as it can, not after a backlog of moves.
//
// Manual control only: nothing here moves a camera except a command from the API.
//
// Threads: thread-safe; the destructor stops and joins the workers (after the HTTP server,
// whose handlers call in, has stopped).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "api/ptz_control.h"
#include "config/config.h"

namespace sightline::app {

class OnvifPtz final : public api::PtzControl {
 public:
  static constexpr size_t kMaxQueued = 4;
  static constexpr std::chrono::milliseconds kCallTimeout{3000};
  static constexpr std::chrono::milliseconds kCommandBudget{6000};

  explicit OnvifPtz(const config::Config& config);
  ~OnvifPtz() override;
  OnvifPtz(const OnvifPtz&) = delete;
  OnvifPtz& operator=(const OnvifPtz&) = delete;

  Result<api::PtzInfo> Info(std::string_view camera) override;
  Status Move(std::string_view camera, const api::PtzMove& move) override;
  Status Stop(std::string_view camera) override;
  Status GotoPreset(std::string_view camera, const std::string& token) override;
  Result<std::string> SetPreset(std::string_view camera, const std::string& name) override;
  Status RemovePreset(std::string_view camera, const std::string& token) override;

 private:
  class Head;  // one camera: its worker, queue and client
  // The head of `camera`; NotFound (unknown) or FailedPrecondition (not an onvif: camera).
  Result<Head*> Find(std::string_view camera);

  std::map<std::string, std::unique_ptr<Head>, std::less<>> heads_;  // onvif: cameras, fixed
  std::map<std::string, bool, std::less<>> others_;                  // every other camera
};

}  // namespace sightline::app
