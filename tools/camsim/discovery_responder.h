#pragma once
// DiscoveryResponder: camsim's WS-Discovery target services (ws_discovery.h) on the network:
// one UDP socket on port 3702 in the group 239.255.255.250, joined on one interface. Hello for
// every device at start, Bye at Stop, and ProbeMatches (one per matching device, each after
// its own random delay) to whoever sent a Probe, multicast or unicast.
//
// Threads: runs on camsim's io_context; Start() and Stop() on the io thread (or before it
// runs).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "tools/camsim/ws_discovery.h"

namespace boost::asio {
class io_context;
}

namespace sightline::camsim {

struct DiscoveryState;

class DiscoveryResponder {
 public:
  struct Options {
    std::string interface_address;  // IPv4 address of the interface to join the group on
    uint16_t port = kDiscoveryPort;
    std::chrono::milliseconds max_delay{100};  // answers wait a random 0..max_delay
    uint64_t seed = 0;                         // 0: random
  };
  static Result<std::unique_ptr<DiscoveryResponder>> Start(boost::asio::io_context& io,
                                                           Options options,
                                                           std::vector<DiscoveryTarget> targets);
  ~DiscoveryResponder();
  DiscoveryResponder(const DiscoveryResponder&) = delete;
  DiscoveryResponder& operator=(const DiscoveryResponder&) = delete;

  // Sends Bye for every target and closes the socket. Idempotent; io thread.
  void Stop();

  explicit DiscoveryResponder(std::shared_ptr<DiscoveryState> state);

 private:
  std::shared_ptr<DiscoveryState> state_;
};

}  // namespace sightline::camsim
