#pragma once
// The HTTP API of docs/ref/api.md: MakeRouter returns every route, ready for http::Server.
// Each handler authenticates (auth/), checks the role and the camera permission, answers from
// the index (read-only connections), the segment files, the live hubs and the decoder, and
// appends to the audit log what people watched and exported.
//
// Threads: handlers run on the HTTP server's blocking pool; everything in ApiDeps must be
// thread-safe and outlive the server.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/camera_setup.h"
#include "api/metrics_route.h"
#include "api/ptz_control.h"
#include "auth/account_store.h"
#include "base/clock.h"
#include "http/router.h"
#include "http/server.h"
#include "live/stream_hub.h"
#include "store/env.h"

namespace sightline::api {

// One stream's health, as GET /api/cameras reports it.
struct StreamStatus {
  std::string name;
  std::vector<std::string> roles;  // "record", "detect", "live"
  bool recorded = false;
  bool online = false;
  std::string state;  // the RTSP client's state: "connecting", "playing", ...
  std::string codec;  // RFC 6381; empty until the parameter sets are known
  int width = 0;
  int height = 0;
  double fps = 0;  // over the last few seconds
  int64_t bitrate_bps = 0;
  int64_t last_frame_us = 0;  // wall time; 0: never
  uint64_t reconnects = 0;
  uint64_t frames_dropped = 0;
  uint64_t gops_dropped = 0;  // by the recorder: storage too slow or write errors
};

// What the device of an `onvif:` camera says, beside its streams.
struct OnvifStatus {
  bool resolved = false;                   // its stream URLs are known
  std::optional<int64_t> clock_offset_ms;  // camera − ours, when measured
  std::string events;                      // "off", "subscribed" or "failing"
  std::string problem;                     // why streams or events fail; "" when they do not
};

struct CameraStatus {
  std::string name;
  std::string live_stream;
  std::vector<StreamStatus> streams;
  std::optional<OnvifStatus> onvif;  // `onvif:` cameras only
};

struct RetentionStatus {
  std::string camera;
  std::string stream;
  int64_t max_age_s = 0;  // 0: none
  int64_t max_bytes = 0;  // 0: none
  int64_t continuous_days = 0;
  int64_t motion_days = 0;
};

// What the recorder itself knows for GET /api/system; the API adds disks and the index.
struct RecorderStatus {
  int64_t started_us = 0;
  std::vector<RetentionStatus> retention;
  uint64_t index_commits = 0;
  uint64_t index_commit_errors = 0;
  uint64_t segments_deleted = 0;
};

// The running cameras and recorder, as the app wires them. Thread-safe.
class CameraDirectory {
 public:
  virtual ~CameraDirectory() = default;
  virtual std::vector<CameraStatus> Cameras() const = 0;  // in config order
  // The live hub of a stream, or null for an unknown camera or stream.
  virtual live::StreamHub* Hub(std::string_view camera, std::string_view stream) const = 0;
  virtual RecorderStatus Recorder() const = 0;
};

class LiveSockets;  // live_sockets.h

struct ApiDeps {
  auth::AccountStore* accounts = nullptr;
  // The open live views, closed when their access ends; required for the live route (it
  // answers 500 without). Created by the app over `accounts`.
  LiveSockets* live_sockets = nullptr;
  const CameraDirectory* cameras = nullptr;
  // PTZ of the cameras that have it (onvif: cameras); null: the PTZ routes answer 409.
  PtzControl* ptz = nullptr;
  // Finding ONVIF cameras and adding them to the config file; null: those routes answer 409.
  CameraSetup* camera_setup = nullptr;
  const Clock* clock = nullptr;
  store::Env* env = nullptr;
  std::string index_path;
  std::vector<std::string> storage_paths;   // the configured storage directories
  std::vector<uint64_t> storage_min_free_bytes;  // parallel to storage_paths
  std::string ui_dir;      // the built web UI (web/dist); empty: none
  size_t max_exports = 2;  // running at once, over all users (config http.max_exports)
  std::string version;
  // The session cookie is Secure and named __Host-sl_session even over plain HTTP: for a
  // server behind a proxy that terminates TLS (http.secure_cookies).
  bool secure_cookies = false;
  // GET /metrics (metrics_route.h) when set: the config's metrics.enabled. Must outlive the
  // server.
  const metrics::Registry* metrics = nullptr;
  MetricsAccess metrics_access;
};

// The API's own limits for the HTTP server: a small body limit for the login, which anyone
// may call (security-review-1 H1).
inline constexpr size_t kLoginBodyLimitBytes = 4096;
void SetRouteLimits(http::ServerOptions& options);

http::Router MakeRouter(const ApiDeps& deps);

}  // namespace sightline::api
