#pragma once
// Client: one RTSP stream from one camera, kept alive for as long as it runs. It connects,
// negotiates (OPTIONS, DESCRIBE, SETUP, PLAY, with Basic or Digest auth), receives RTP over
// TCP interleaved or UDP, delivers frames, sends keepalives, declares the camera stalled when
// no frame arrives for `stall_timeout`, and reconnects with exponential backoff and jitter.
// The session protocol and its failure handling are in docs/design/rtsp.md.
//
// Threads: all work runs on a strand of the executor given; the frame callback is called on
// that strand, never concurrently with itself. Start(), Stop() and stats() may be called from
// any thread. After Stop(), the callback is not called again once `on_stopped` has run; the
// callback's captures must stay valid until then (or until the io_context has stopped).
// No error ever escapes: a misbehaving camera costs only its own client.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "base/clock.h"
#include "media/frame.h"
#include "rtsp/auth.h"
#include "rtsp/depacketizer.h"
#include "rtsp/stream_receiver.h"

namespace sightline::rtsp {

enum class TransportMode { kTcp, kUdp };

struct ClientOptions {
  std::string url;            // rtsp://[user:pass@]host[:port]/path
  // When set, asked for the URL before every connection attempt instead of `url` (an ONVIF
  // camera's streams, which the device may move after a reboot). An error is reported like a
  // failed connection and retried after the backoff. Called on the client's strand: it must
  // not block.
  std::function<Result<std::string>()> url_source;
  Credentials credentials;    // overrides credentials in the URL when user is non-empty
  TransportMode transport = TransportMode::kTcp;
  std::string log_name;       // prefix for logs, e.g. "camera=front stream=main"
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds stall_timeout{10000};
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{30000};
  // Only when the connection delivered frames for this long is the backoff reset.
  std::chrono::milliseconds backoff_reset_after{10000};
};

enum class ClientState { kStopped, kConnecting, kPlaying, kBackoff };
const char* ClientStateName(ClientState s);

struct ClientStats {
  ClientState state = ClientState::kStopped;
  ReceiverStats receiver;            // summed over all connections
  uint64_t frames_dropped = 0;       // units the depacketizers discarded (after loss, malformed)
  uint64_t connections = 0;          // successful PLAYs
  uint64_t reconnects = 0;           // connection attempts after the first
  uint64_t stalls = 0;
  uint64_t skipped_bytes = 0;        // garbage on the TCP connection
  uint64_t stray_packets = 0;        // interleaved data on channels we did not set up
  std::string last_error;
  MonoTime last_frame_time{};
  std::shared_ptr<const media::StreamParams> params;
};

using FrameCallback = std::function<void(media::FramePtr)>;

class Client {
 public:
  // `clock` must outlive the client. The callback is invoked on the client's strand.
  Client(boost::asio::any_io_executor executor, ClientOptions options, FrameCallback on_frame,
         const Clock& clock);
  ~Client();  // calls Stop()
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void Start();
  // Stops asynchronously; `on_stopped` runs (on the strand) once no more frames will be
  // delivered. Safe to call more than once.
  void Stop(std::function<void()> on_stopped = {});
  // Ends a wait between attempts now and starts the backoff afresh (the URL source learnt a
  // URL); an attempt under way finishes first. Safe from any thread.
  void RetryNow();
  ClientStats stats() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sightline::rtsp
