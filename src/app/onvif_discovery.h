#pragma once
// What `sightline discover` and the "Add cameras" page (camera_setup.h) share: turning
// WS-Discovery replies into devices to ask, and asking them all in parallel, each within its
// own deadline, so one slow or broken camera does not hold up the others
// (docs/design/onvif.md, invariant 5).
//
// Threads: ProbeAll blocks, running up to `max_parallel` threads of its own.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "onvif/client.h"
#include "onvif/scanner.h"

namespace sightline::app {

struct DiscoveryCandidate {
  std::string target;    // what ProbeDevice is given; "" when the reply had no usable XAddr
  std::string endpoint;  // WS-Discovery endpoint address, "" for a host asked directly
  std::string name;      // from the scopes
};

struct ProbedCandidate {
  DiscoveryCandidate candidate;
  Result<onvif::ProbeResult> result = UnavailableError("not probed");
};

// The device service URL to use for a discovered device: an XAddr on the address the reply came
// from; if none is, the first XAddr's port and path on that address (XAddrs may carry an
// internal or unroutable host, like every other XAddr: docs/design/onvif.md, invariant 1).
std::optional<std::string> TargetFor(const onvif::FoundDevice& d);

// The video transmitters among `found` (keyed by endpoint address), in that order.
std::vector<DiscoveryCandidate> CandidatesOf(const std::map<std::string, onvif::FoundDevice>& found);

// Probes every candidate, at most `max_parallel` at a time, each within options.device_timeout
// and, when `deadline` is given, all before it: a candidate whose turn comes too late is
// DeadlineExceeded without being asked. Results in the candidates' order.
std::vector<ProbedCandidate> ProbeAll(std::vector<DiscoveryCandidate> candidates, const onvif::ClientOptions& options,
                                      size_t max_parallel,
                                      std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

}  // namespace sightline::app
