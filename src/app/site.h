#pragma once
// Site: the running cameras of `sightline run`. For every enabled stream of the config it owns
// the RTSP client and fans each frame out to the stream's consumers: the recorder (role
// record), the live hub (every stream: live view works for streams that are not recorded) and,
// through the sink `detect_sink_for` gives, the motion analysis (role detect). It is also what the HTTP API
// asks about camera health (api::CameraDirectory).
//
// Threads: construct, Start and Stop on one thread; frames arrive on the io_context's
// threads; Supervise from the io_context; the CameraDirectory methods from any thread.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "api/api.h"
#include "base/clock.h"
#include "config/config.h"
#include "live/stream_hub.h"
#include "rtsp/client.h"
#include "store/store.h"

namespace sightline::app {

// A camera is online when it has streams and every one of them plays (MQTT status, webhooks).
inline bool CameraOnline(const api::CameraStatus& cam) {
  bool online = !cam.streams.empty();
  for (const api::StreamStatus& s : cam.streams) online = online && s.online;
  return online;
}

class Site : public api::CameraDirectory {
 public:
  using FrameSink = std::function<void(media::FramePtr)>;
  // Asked once per stream with role detect for where its frames go (the motion analysis); an
  // empty sink means nowhere. The sink is called from the network thread and must not block.
  using DetectSinkFor = std::function<FrameSink(const std::string& camera, const std::string& stream)>;

  // Asked once per stream for where its URL comes from (rtsp::ClientOptions::url_source: an
  // `onvif:` camera's); null: the stream's configured URL.
  using UrlSourceFor =
      std::function<std::function<Result<std::string>()>(const std::string& camera, const std::string& stream)>;
  // `store` may be null (nothing recorded); it and `clock` must outlive the Site.
  Site(const config::Config& config, store::Store* store, boost::asio::any_io_executor executor,
       const Clock& clock, const DetectSinkFor& detect_sink_for = {}, const UrlSourceFor& url_source_for = {});
  ~Site() override;

  void Start();
  // Asks every client to stop; frames may still arrive until the io_context has run down.
  void Stop();
  // Makes the clients of `camera`'s streams end their wait between attempts (its URLs are
  // known now). Any thread.
  void RetryNow(const std::string& camera);
  // Once a second: closes the segment of a stream that is not playing (so the timeline shows
  // the gap as it happens), tells live viewers whether their camera is online, and samples
  // the frame and byte rates.
  void Supervise();

  size_t stream_count() const { return streams_.size(); }

  // What each stream's parts count, read now (for the metrics; any thread).
  struct StreamCounts {
    std::string camera;
    std::string stream;
    rtsp::ClientStats client;
    std::optional<store::StreamRecorderStats> recorder;  // role record only
    live::StreamHubStats hub;
  };
  std::vector<StreamCounts> Counts() const;
  // One line per stream for the log.
  void LogStatus() const;
  // Totals for `run`'s summary line.
  std::string Summary() const;

  std::vector<api::CameraStatus> Cameras() const override;
  live::StreamHub* Hub(std::string_view camera, std::string_view stream) const override;
  api::RecorderStatus Recorder() const override;

 private:
  struct Stream;
  const Clock& clock_;
  store::Store* store_;
  const int64_t started_us_;
  std::vector<std::string> camera_order_;
  std::vector<std::unique_ptr<Stream>> streams_;
  std::vector<api::RetentionStatus> retention_;
};

}  // namespace sightline::app
