#pragma once
// OnvifServer: the HTTP/1.1 listener (Boost.Beast) in front of an OnvifSite, on camsim's
// io_context. One coroutine per connection, keep-alive, requests capped at
// kMaxOnvifRequestBytes (413 beyond), 30 s to send a request. The addresses it answers with
// (XAddrs, RTSP URIs) are built from the address each client connected to, so a camera on
// 0.0.0.0 gives every client an address it can reach.
//
// Threads: Start() and Stop() on the io thread (or before it runs); the rest runs there.

#include <cstdint>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "tools/camsim/onvif_site.h"

namespace boost::asio {
class io_context;
}

namespace sightline::camsim {

struct OnvifServerState;

class OnvifServer {
 public:
  struct Options {
    std::string listen;     // "HOST:PORT" (port 0: any free one)
    std::string rtsp_host;  // camsim's RTSP listen host; 0.0.0.0 / :: : the client's address
    uint16_t rtsp_port = 0;
    const Clock* clock = nullptr;  // null: the machine's
  };

  static Result<std::unique_ptr<OnvifServer>> Start(boost::asio::io_context& io, Options options,
                                                    std::unique_ptr<OnvifSite> site);
  ~OnvifServer();
  OnvifServer(const OnvifServer&) = delete;
  OnvifServer& operator=(const OnvifServer&) = delete;

  uint16_t port() const { return port_; }
  // The devices; io thread only (the server uses them there).
  OnvifSite& site();
  // Closes the listener and every connection. Idempotent; io thread.
  void Stop();

  explicit OnvifServer(std::shared_ptr<OnvifServerState> state, uint16_t port);

 private:
  std::shared_ptr<OnvifServerState> state_;
  uint16_t port_;
};

}  // namespace sightline::camsim
