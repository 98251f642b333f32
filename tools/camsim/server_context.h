#pragma once
// ServerContext: the state shared by the server's accept loop and its connections. Owned
// jointly (shared_ptr) by the Server and every running coroutine, so that coroutines still
// queued in the io_context stay valid after Server::Stop(). Touched on the io thread only,
// except the cameras' counters (atomics).

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tools/camsim/camera.h"
#include "tools/camsim/onvif_server.h"
#include "tools/camsim/server.h"
#include "tools/camsim/streamer.h"
#include "tools/camsim/discovery_responder.h"

namespace sightline::camsim {

class Connection;

inline constexpr std::string_view kRealm = "sightline-camsim";
inline constexpr std::string_view kServerName = "sightline-camsim";

struct ServerContext {
  explicit ServerContext(boost::asio::io_context& io_context)
      : io(io_context), executor(io_context.get_executor()), acceptor(io_context) {}

  Camera* FindCamera(std::string_view name) {
    auto it = cameras.find(name);
    return it == cameras.end() ? nullptr : it->second.get();
  }
  // Closes the acceptor and every connection. io thread only.
  void StopNow();

  boost::asio::io_context& io;
  boost::asio::any_io_executor executor;
  Options options;
  std::map<std::string, std::unique_ptr<Camera>, std::less<>> cameras;
  SteadyTime start;  // the shared moment all cameras started "recording"
  std::mt19937_64 rng;
  boost::asio::ip::tcp::acceptor acceptor;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections;
  uint64_t next_connection_id = 1;
  bool stopped = false;
  std::unique_ptr<OnvifServer> onvif;            // with options.onvif_listen
  std::unique_ptr<DiscoveryResponder> discovery;  // with options.ws_discovery
};

}  // namespace sightline::camsim
