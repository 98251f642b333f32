#pragma once
// WS-Discovery (2005/04, SOAP-over-UDP on 239.255.255.250:3702, WS-Addressing 2004/08), as
// ONVIF Core section 7 uses it: the Probe we send for NetworkVideoTransmitters, and one parser
// for what devices send back or announce (ProbeMatches, Hello, Bye). Pure; the sockets are in
// scanner.h.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sightline::onvif {

inline constexpr std::string_view kWsAddressingNs = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
inline constexpr std::string_view kWsDiscoveryNs = "http://schemas.xmlsoap.org/ws/2005/04/discovery";
inline constexpr std::string_view kDiscoveryAddress = "239.255.255.250";
inline constexpr uint16_t kDiscoveryPort = 3702;
// The largest datagram read; a ProbeMatch is 1-3 kB.
inline constexpr size_t kMaxDatagramBytes = 64 * 1024;

// "urn:uuid:" and a random (version 4) UUID.
std::string NewMessageId();

// A Probe for `dn:NetworkVideoTransmitter` with `message_id` as its MessageID.
std::string BuildProbe(std::string_view message_id);

// What a device's scopes say about it (ONVIF Core 7.3.2.2), percent-decoded.
struct ScopeInfo {
  std::string name;      // onvif://www.onvif.org/name/...
  std::string hardware;  // onvif://www.onvif.org/hardware/...
  std::string location;  // onvif://www.onvif.org/location/... (the rest of the path, '/' kept)
  std::vector<std::string> profiles;  // onvif://www.onvif.org/Profile/Streaming -> "Streaming"
};
ScopeInfo DecodeScopes(const std::vector<std::string>& scopes);

struct DiscoveredEndpoint {
  std::string address;                // EndpointReference/Address, usually "urn:uuid:..."
  std::vector<std::string> types;     // QNames as sent, e.g. "dn:NetworkVideoTransmitter"
  std::vector<std::string> scopes;    // URIs as sent
  std::vector<std::string> xaddrs;    // device service URLs, as sent (may be unroutable)
  uint64_t metadata_version = 0;
  ScopeInfo scope_info;

  // Whether a type's local name is NetworkVideoTransmitter (or the device advertises no types,
  // as some Bye messages do not).
  bool IsVideoTransmitter() const;
};

enum class DiscoveryKind { kProbeMatches, kHello, kBye };

struct DiscoveryMessage {
  DiscoveryKind kind = DiscoveryKind::kProbeMatches;
  std::string relates_to;  // ProbeMatches: the MessageID of the Probe answered
  std::vector<DiscoveredEndpoint> endpoints;  // one for Hello and Bye; at most 16 ProbeMatch
};

// Parses a datagram. A ProbeMatches must relate to `probe_message_id` when that is not empty
// (a reply to someone else's Probe, or forged, is refused with the ids named); Hello and Bye
// never relate to a Probe. An endpoint without an Address is skipped; a message left with none
// is an error. Lists are bounded (64 entries, 1 kB an entry).
Result<DiscoveryMessage> ParseDiscoveryMessage(std::string_view datagram, std::string_view probe_message_id = "");

}  // namespace sightline::onvif
