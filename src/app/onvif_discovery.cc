#include "app/onvif_discovery.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace sightline::app {

std::optional<std::string> TargetFor(const onvif::FoundDevice& d) {
  std::optional<onvif::HttpUrl> fallback;
  for (const std::string& x : d.endpoint.xaddrs) {
    Result<onvif::HttpUrl> u = onvif::ParseHttpUrl(x);
    if (!u.ok()) continue;
    if (u->host == d.from) return u->ToString();
    if (!fallback) fallback = *u;
  }
  if (!fallback) return std::nullopt;
  fallback->host = d.from;
  return fallback->ToString();
}

std::vector<DiscoveryCandidate> CandidatesOf(const std::map<std::string, onvif::FoundDevice>& found) {
  std::vector<DiscoveryCandidate> out;
  for (const auto& [address, d] : found) {
    if (!d.endpoint.IsVideoTransmitter()) continue;
    std::optional<std::string> target = TargetFor(d);
    out.push_back({target.value_or(""), address, d.endpoint.scope_info.name});
  }
  return out;
}

namespace {

using SteadyClock = std::chrono::steady_clock;

Result<onvif::ProbeResult> ProbeOne(const DiscoveryCandidate& c, onvif::ClientOptions options,
                                    std::optional<SteadyClock::time_point> deadline) {
  if (c.target.empty()) return InvalidArgumentError("no usable XAddr in its ProbeMatch");
  if (deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - SteadyClock::now());
    if (left <= std::chrono::milliseconds(0)) {
      return DeadlineExceededError("not asked: the search ran out of time (ask it directly as a host)");
    }
    options.device_timeout = std::min(options.device_timeout, left);
    options.call_timeout = std::min(options.call_timeout, left);
  }
  return onvif::ProbeDevice(c.target, options);
}

}  // namespace

std::vector<ProbedCandidate> ProbeAll(std::vector<DiscoveryCandidate> candidates, const onvif::ClientOptions& options,
                                      size_t max_parallel, std::optional<SteadyClock::time_point> deadline) {
  std::vector<ProbedCandidate> rows(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) rows[i].candidate = std::move(candidates[i]);
  std::atomic<size_t> next{0};
  auto worker = [&rows, &next, &options, deadline] {
    for (size_t i = next++; i < rows.size(); i = next++) rows[i].result = ProbeOne(rows[i].candidate, options, deadline);
  };
  std::vector<std::thread> threads;
  for (size_t t = 0; t < std::min(std::max<size_t>(max_parallel, 1), rows.size()); ++t) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  return rows;
}

}  // namespace sightline::app
