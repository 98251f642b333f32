#pragma once
// Finding ONVIF devices on the network with WS-Discovery (discovery.h): a multicast Probe on
// the site's LAN, a unicast Probe to every address of a range (for routed subnets, which
// multicast does not cross), and listening for the Hello and Bye devices announce.
//
// Blocking calls, each on its own io_context and UDP socket, that return after their timeout;
// replies are de-duplicated by endpoint address (a device answering twice, or on two
// interfaces, is one device whose XAddrs are merged). Datagrams that do not parse, or answer
// someone else's Probe, are ignored. Threads: any; calls are independent.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "onvif/discovery.h"

namespace sightline::onvif {

struct ScanOptions {
  // How long to listen for replies after the last Probe went out.
  std::chrono::milliseconds timeout{3000};
  // IPv4 address of the interface to send multicast from and listen on; "" for the system's
  // default.
  std::string interface_address;
  // Unicast: Probes sent at once before a 10 ms pause (bounds the burst on the network).
  size_t burst = 256;
  // For tests: where devices listen.
  uint16_t port = kDiscoveryPort;
  std::string multicast_address = std::string(kDiscoveryAddress);
};

struct FoundDevice {
  DiscoveredEndpoint endpoint;
  std::string from;  // source IP of the first reply
};

// Multicast Probe (sent twice, 100 ms apart: UDP may drop one, SOAP-over-UDP section 3.4).
Result<std::vector<FoundDevice>> MulticastProbe(const ScanOptions& options);

// A Probe to each host address of an IPv4 range ("192.168.7.0/24"; /16 at most). The error
// quotes a range that does not parse or is too large.
Result<std::vector<FoundDevice>> UnicastProbe(std::string_view cidr, const ScanOptions& options);

struct Announcement {
  DiscoveryKind kind = DiscoveryKind::kHello;  // kHello or kBye
  DiscoveredEndpoint endpoint;
  std::string from;
};

// Listens on the discovery port (joined to the multicast group) for `duration` and returns the
// Hello and Bye messages heard, in order.
Result<std::vector<Announcement>> ListenForAnnouncements(std::chrono::milliseconds duration,
                                                         const ScanOptions& options);

}  // namespace sightline::onvif
