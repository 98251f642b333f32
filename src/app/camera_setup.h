#pragma once
// OnvifCameraSetup: api::CameraSetup over onvif/ and config/, for the web UI's "Add cameras"
// page. Discover runs the WS-Discovery Probes (multicast, unicast over a range) and asks every
// device found, and every host given, what it is (ProbeDevice), in parallel and within one
// budget for the whole search, and marks the devices already in the config file. AddCameras
// inserts `onvif:` entries into the file the server was started with (config/camera_insert.h),
// keeping a backup and writing atomically (config/config_file.h); the running recorder is not
// changed: the cameras are recorded after the next start.
//
// Threads: thread-safe. One search at a time (a second one is ResourceExhausted); edits of
// the file are serialised.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "api/camera_setup.h"
#include "base/clock.h"
#include "base/mutex.h"
#include "config/config.h"
#include "onvif/discovery.h"

namespace sightline::app {

class OnvifCameraSetup final : public api::CameraSetup {
 public:
  struct Options {
    std::chrono::milliseconds scan_timeout{2000};    // listening for Probe replies
    std::chrono::milliseconds call_timeout{3000};    // each HTTP exchange with a device
    std::chrono::milliseconds device_timeout{8000};  // everything asked of one device
    std::chrono::milliseconds search_budget{15000};  // the whole search, Probes included
    size_t max_parallel = 16;
    size_t max_devices = 256;
    uint16_t discovery_port = onvif::kDiscoveryPort;  // for tests
  };

  // `config_path`: the file `sightline run` was started with; `started`: the config read from
  // it then (which cameras exist, when the file no longer parses).
  OnvifCameraSetup(std::string config_path, const config::Config& started, const Clock& clock, Options options);
  OnvifCameraSetup(std::string config_path, const config::Config& started, const Clock& clock)
      : OnvifCameraSetup(std::move(config_path), started, clock, Options{}) {}

  Result<std::vector<api::DiscoveredCamera>> Discover(const api::DiscoverRequest& request) override;
  Result<api::CamerasAdded> AddCameras(const std::vector<api::NewCamera>& cameras, const std::string& note) override;

  // The camera names of the file now, with their normalised onvif device URLs ("" for
  // cameras given by stream URLs). The file as it is now, else the config at start.
  std::vector<std::pair<std::string, std::string>> ConfiguredCameras() const;

 private:
  const std::string config_path_;
  const std::vector<std::pair<std::string, std::string>> started_cameras_;
  const Clock& clock_;
  const Options options_;
  std::atomic<bool> searching_{false};
  Mutex write_mu_;  // held across read, check and write of the file
};

// A camera name made from a device's name, model or address: lower case, [a-z0-9_-], at most
// 56 characters, not in `taken` (a "-2", "-3"... suffix), and added to `taken`.
std::string SuggestName(const std::string& from, std::vector<std::string>& taken);

}  // namespace sightline::app
