#pragma once
// Server: the RTSP camera simulator. Serves many looping cameras from MP4 or Annex B files over
// RTSP (RFC 2326) with RTP over TCP (interleaved) or UDP, optional Digest auth, and per-camera
// faults and quirks (camera_spec.h). Each distinct file is loaded and packetized once.
//
// Threads: the server runs on one io_context; run it on one thread. Start() is called before
// or on that thread; Stop() and stats() may be called from any thread; clip() returns data
// that is immutable. Destroy the Server before its io_context.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "tools/camsim/camera.h"
#include "tools/camsim/camera_spec.h"
#include "tools/camsim/clip.h"
#include "tools/camsim/stats.h"

namespace boost::asio {
class io_context;
}

namespace sightline::camsim {

struct ServerContext;

struct Options {
  std::string listen = "127.0.0.1:8554";  // host:port, [v6]:port; port 0 picks a free one
  std::vector<CameraSpec> cameras;
  double speed = 1.0;  // playback rate: 8 sends 8 s of video per second
  std::string user;    // Digest credentials for cameras without their own
  std::string password;
  std::chrono::milliseconds session_timeout{60000};  // no request or RTCP: close
  std::chrono::milliseconds rtcp_interval{5000};     // RTCP sender reports
  std::chrono::milliseconds max_lag{1000};           // slow reader: skip to next keyframe
  // SO_SNDBUF of each RTSP connection: bounds what a slow reader leaves queued in the kernel
  // (without it Linux grows the buffer to megabytes). 0: the kernel's default.
  int send_buffer_bytes = 256 * 1024;
  uint64_t seed = 0;  // randomness (SSRCs, faults); 0: from std::random_device
  // The cameras' wall clock (sender reports, SessionClock::start); null: the machine's. Must
  // outlive the server.
  const Clock* clock = nullptr;
  // Called on the io thread as each session starts streaming, with its camera's name and when
  // it sends which frame (tests compare the wall times clients give frames with it).
  std::function<void(const std::string& camera, const SessionClock& clock)> on_session_start;

  // ONVIF (onvif_site.h): "HOST:PORT" of its HTTP server, empty: no ONVIF.
  std::string onvif_listen;
  // WS-Discovery (ws_discovery.h) on the interface of onvif_listen's host (an IPv4 address).
  bool ws_discovery = false;
  uint16_t discovery_port = 3702;
  std::chrono::milliseconds discovery_max_delay{100};
};

// Parses "host:port" or "[v6addr]:port".
Result<std::pair<std::string, uint16_t>> ParseListenAddress(std::string_view text);

class Server {
 public:
  static Result<std::unique_ptr<Server>> Start(boost::asio::io_context& io, Options options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const { return port_; }
  // The ONVIF server's port, 0 without options.onvif_listen.
  uint16_t onvif_port() const;
  std::vector<std::string> camera_names() const;
  Result<CameraStats> stats(std::string_view camera) const;
  CameraStats total_stats() const;
  // The clip a camera plays (its `file`), or null for an unknown camera.
  const Clip* clip(std::string_view camera) const;

  // Closes the listener and every connection. Idempotent.
  void Stop();

  // Use Start().
  Server(std::shared_ptr<ServerContext> ctx, uint16_t port);

 private:
  std::shared_ptr<ServerContext> ctx_;
  uint16_t port_;
};

}  // namespace sightline::camsim
