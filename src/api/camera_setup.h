#pragma once
// CameraSetup: the API's seam to finding ONVIF cameras and adding them to sightline.yaml, for
// the web UI's "Add cameras" page (docs/ref/api.md "Camera set-up"). The app implements it
// over onvif/ and config/ (src/app/camera_setup.h); the API checks who may do it, validates
// the request's shape, audits, and only then calls it.
//
// Passwords go to the cameras and into the file, never into a log line, an audit row or an
// error message.
//
// Threads: thread-safe. Discover returns within a bounded time (about 15 s) whatever the
// network does.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace sightline::api {

struct DiscoverRequest {
  bool multicast = true;            // a WS-Discovery Probe on the LAN
  std::string range;                // "" or an IPv4 CIDR to probe address by address
  std::vector<std::string> hosts;   // devices to ask directly: HOST[:PORT] or a device service URL
  std::string user, password;       // to ask the devices with; empty: none
};

struct DiscoveredStream {
  std::string codec;  // "H264", "H265"
  int width = 0;
  int height = 0;
  int fps = 0;  // the profile's frame-rate limit; 0: not said
};

struct DiscoveredCamera {
  std::string address;   // the device service URL to put in onvif.host; "" when unknown
  std::string endpoint;  // WS-Discovery endpoint reference; "" for a host asked directly
  std::string manufacturer, model, firmware;
  std::optional<DiscoveredStream> main, sub;
  std::optional<int64_t> clock_offset_ms;  // camera − ours
  bool needs_credentials = false;          // refused for want of (right) credentials
  std::string error;                       // the device could not be asked at all
  std::vector<std::string> problems;       // steps that failed without ending the probe
  std::string configured_as;   // the name of the camera in sightline.yaml with this address
  std::string suggested_name;  // a free camera name made from the device's name or model
};

struct NewCamera {
  std::string name;
  std::string host;
  std::string user, password;
};

struct CamerasAdded {
  std::string config_path;
  std::string backup_path;
  std::vector<std::string> names;
};

class CameraSetup {
 public:
  virtual ~CameraSetup() = default;
  // Errors: InvalidArgument for a range or host that does not parse, ResourceExhausted when
  // another discovery is running.
  virtual Result<std::vector<DiscoveredCamera>> Discover(const DiscoverRequest& request) = 0;
  // Adds the cameras to the config file the server was started with (effective at the next
  // start). `note`: a comment written before the new entries (who, when). Errors:
  // InvalidArgument naming the camera and what is wrong, FailedPrecondition when the file
  // cannot be edited (its layout, a concurrent edit, a write that failed: the message says).
  virtual Result<CamerasAdded> AddCameras(const std::vector<NewCamera>& cameras, const std::string& note) = 0;
};

}  // namespace sightline::api
