#pragma once
// WS-Discovery (OASIS/Microsoft WS-Discovery, April 2005, as ONVIF Core section 7 uses it) for
// camsim's ONVIF devices: each camera is its own target service with a stable urn:uuid
// endpoint reference; it announces itself with Hello, leaves with Bye, and answers a Probe
// (multicast to 239.255.255.250:3702, or unicast) whose Types and Scopes it matches with one
// ProbeMatches message of its own, after a random delay (APP_MAX_DELAY is 500 ms in the spec;
// here --discovery-delay-ms, default 100, since libonvif stops listening 500 ms after the
// last answer).
//
// Pure; discovery_responder.h sends and answers them.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sightline::camsim {

inline constexpr std::string_view kNsDiscovery = "http://schemas.xmlsoap.org/ws/2005/04/discovery";
inline constexpr std::string_view kNsAddressing = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
inline constexpr std::string_view kNsNetwork = "http://www.onvif.org/ver10/network/wsdl";
inline constexpr std::string_view kDiscoveryGroup = "239.255.255.250";
inline constexpr uint16_t kDiscoveryPort = 3702;

// One target service: a camera.
struct DiscoveryTarget {
  std::string address;  // endpoint reference: "urn:uuid:..."
  std::vector<std::string> scopes;
  std::string xaddrs;  // its device service URL
};

struct DiscoveryProbe {
  std::string message_id;
  // Types as (namespace URI, local name); empty: any type.
  std::vector<std::pair<std::string, std::string>> types;
  std::vector<std::string> scopes;  // empty: any scope
};

// Parses a Probe; NotFound if the message is something else (a Hello, a ProbeMatches),
// InvalidArgument if it is not a well-formed SOAP message.
Result<DiscoveryProbe> ParseProbe(std::string_view bytes);
// Whether `target` (a tdn:NetworkVideoTransmitter and tds:Device) matches the probe's types,
// and its scopes the probe's scopes (RFC 3986 prefix rule, WS-Discovery 5.1, by path segment).
bool ProbeMatches(const DiscoveryProbe& probe, const DiscoveryTarget& target);

// The messages. `message_id` is "urn:uuid:..."; `instance_id`/`message_number` fill
// AppSequence (the responder's start time and a counter).
struct AppSequence {
  uint64_t instance_id = 1;
  uint64_t message_number = 1;
};
std::string ProbeMatchesXml(const DiscoveryTarget& target, std::string_view relates_to,
                            std::string_view message_id, AppSequence seq);
std::string HelloXml(const DiscoveryTarget& target, std::string_view message_id, AppSequence seq);
std::string ByeXml(const DiscoveryTarget& target, std::string_view message_id, AppSequence seq);
// Message ids: onvif::NewMessageId, as the client's.

}  // namespace sightline::camsim
