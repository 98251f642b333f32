// sightline discover: finds ONVIF cameras (WS-Discovery multicast on the LAN, unicast over
// --range for routed subnets, or --host) and asks each what it is and which streams it has.
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/command.h"
#include "app/onvif_discovery.h"
#include "app/subcommands.h"
#include "base/flags.h"
#include "onvif/client.h"
#include "onvif/scanner.h"

namespace sightline::app {
namespace {

constexpr const char* kHelp = R"(usage: sightline discover [--range CIDR ...] [--host HOST ...] [flags]

Finds ONVIF cameras and prints, for each: address, maker, model, firmware, the main (record)
and sub (detect, live) streams Sightline would choose, the camera's clock offset, and whether
it needs credentials. Cameras on this LAN answer a WS-Discovery multicast Probe; routed
subnets need --range (a unicast Probe to every address) or --host.

flags:
  --range CIDR       also probe every address of an IPv4 range, e.g. 10.2.0.0/24 (repeatable, /16 at most)
  --host HOST        also ask this device directly: 10.2.0.7, 10.2.0.7:8000 or an http:// URL (repeatable)
  --no-multicast     do not send the multicast Probe
  --interface ADDR   IPv4 address of the interface for multicast (default: the system's choice)
  --timeout S        seconds to wait for Probe replies (default 3)
  --user U           credentials to ask the cameras with (without them, most cameras only tell
  --password P         their clock and, sometimes, their identity)
  --set-clock        set the clock of each --host camera to this machine's (UTC; its time zone
                     is kept), then measure it again; needs --user with the camera's admin rights
  --set-ntp SERVER   make each --host camera follow NTP server SERVER (address or DNS name)
  --json             one JSON array instead of the table
  --log-level L      debug, info, warning, error (default info)

Each camera is asked on its own thread with its own deadline (5 s a call, 15 s in all), so
one slow or broken camera does not hold up the others.

exit status: 0 done (even if nothing was found); 1 discovery could not run; 2 bad flags
)";

constexpr size_t kMaxParallelCameras = 16;

using Candidate = DiscoveryCandidate;

// A probed camera, and what --set-clock / --set-ntp did to it ("" when not asked).
struct Row : ProbedCandidate {
  std::string clock_action;
};

Result<std::vector<Candidate>> FindCandidates(const Flags& flags, const onvif::ScanOptions& scan) {
  std::map<std::string, onvif::FoundDevice> found;  // by endpoint address
  auto add = [&](std::vector<onvif::FoundDevice> devices) {
    for (onvif::FoundDevice& d : devices) found.try_emplace(d.endpoint.address, std::move(d));
  };
  if (!flags.Has("no-multicast")) {
    Result<std::vector<onvif::FoundDevice>> m = onvif::MulticastProbe(scan);
    if (!m.ok()) return std::move(m).status().WithContext("multicast Probe");
    add(std::move(m).value());
  }
  for (const std::string& range : flags.GetAll("range")) {
    Result<std::vector<onvif::FoundDevice>> u = onvif::UnicastProbe(range, scan);
    if (!u.ok()) return std::move(u).status().WithContext("--range " + range);
    add(std::move(u).value());
  }
  std::vector<Candidate> out = CandidatesOf(found);
  for (const std::string& host : flags.GetAll("host")) out.push_back({host, "", ""});
  return out;
}

// --set-clock, --set-ntp: on the cameras given with --host that answered. A camera's clock is
// set by its own request, one camera at a time (an operator's command, not a scan).
void SetClocks(std::vector<Row>& rows, const Flags& flags, const onvif::ClientOptions& options) {
  for (Row& row : rows) {
    if (!row.candidate.endpoint.empty() || !row.result.ok()) continue;
    onvif::Device device(row.result->device_url, options);
    if (row.result->clock_offset) device.SetClockOffset(*row.result->clock_offset);
    if (flags.Has("set-ntp")) {
      const Status s = device.UseNtp(flags.Get("set-ntp"));
      row.clock_action = s.ok() ? "follows NTP " + flags.Get("set-ntp") : "setting NTP failed: " + s.message();
    } else {
      Result<std::chrono::milliseconds> offset = device.SetClockToOurs();
      if (offset.ok()) row.result->clock_offset = *offset;
      row.clock_action = offset.ok() ? "clock set" : "setting the clock failed: " + offset.status().message();
    }
  }
}

std::string StreamText(const std::optional<onvif::MediaProfile>& p) {
  if (!p) return "-";
  return std::to_string(p->width) + "x" + std::to_string(p->height) + " " +
         std::string(onvif::VideoEncodingName(p->encoding));
}

std::string OffsetText(const std::optional<std::chrono::milliseconds>& offset) {
  if (!offset) return "?";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1fs", static_cast<double>(offset->count()) / 1000.0);
  return buf;
}

std::string Address(const Row& row) {
  if (row.result.ok()) return row.result->device_url.Origin().substr(7);  // "http://" off
  return row.candidate.target.empty() ? row.candidate.endpoint : row.candidate.target;
}

std::string Note(const Row& row) {
  if (!row.result.ok()) return row.result.status().message();
  if (!row.clock_action.empty()) return row.clock_action;
  const onvif::ProbeResult& r = *row.result;
  if (r.needs_credentials) return "credentials needed";
  return r.problems.empty() ? "" : r.problems.front();
}

void PrintTable(const std::vector<Row>& rows) {
  std::printf("%-21s %-12s %-18s %-14s %-16s %-16s %9s  %s\n", "address", "maker", "model", "firmware", "main",
              "sub", "clock", "note");
  for (const Row& row : rows) {
    const onvif::DeviceInformation info = row.result.ok() ? row.result->info : onvif::DeviceInformation{};
    const std::string model = info.model.empty() ? row.candidate.name : info.model;
    std::printf("%-21s %-12s %-18s %-14s %-16s %-16s %9s  %s\n", Address(row).c_str(), info.manufacturer.c_str(),
                model.c_str(), info.firmware_version.c_str(),
                row.result.ok() ? StreamText(row.result->main).c_str() : "-",
                row.result.ok() ? StreamText(row.result->sub).c_str() : "-",
                row.result.ok() ? OffsetText(row.result->clock_offset).c_str() : "?", Note(row).c_str());
  }
  std::printf("%zu camera(s)\n", rows.size());
}

nlohmann::json StreamJson(const std::optional<onvif::MediaProfile>& p, const std::string& uri) {
  if (!p) return nullptr;
  return {{"profile", p->token}, {"codec", onvif::VideoEncodingName(p->encoding)}, {"width", p->width},
          {"height", p->height}, {"fps", p->frame_rate_limit}, {"uri", uri}};
}

void PrintJson(const std::vector<Row>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const Row& row : rows) {
    nlohmann::json j = {{"address", Address(row)}, {"endpoint", row.candidate.endpoint}};
    if (!row.result.ok()) {
      j["error"] = row.result.status().message();
      out.push_back(std::move(j));
      continue;
    }
    const onvif::ProbeResult& r = *row.result;
    j["device_url"] = r.device_url.ToString();
    j["manufacturer"] = r.info.manufacturer;
    j["model"] = r.info.model;
    j["firmware"] = r.info.firmware_version;
    j["serial"] = r.info.serial_number;
    j["main"] = StreamJson(r.main, r.main_uri);
    j["sub"] = StreamJson(r.sub, r.sub_uri);
    j["snapshot_uri"] = r.snapshot_uri;
    j["clock_offset_ms"] = r.clock_offset ? nlohmann::json(r.clock_offset->count()) : nlohmann::json(nullptr);
    j["auth"] = onvif::AuthModeName(r.auth_mode);
    j["needs_credentials"] = r.needs_credentials;
    j["problems"] = r.problems;
    if (!row.clock_action.empty()) j["clock_action"] = row.clock_action;
    out.push_back(std::move(j));
  }
  std::printf("%s\n", out.dump(2).c_str());
}

}  // namespace

int DiscoverMain(int argc, char** argv) {
  Command cmd("discover", kHelp);
  if (std::optional<int> done = cmd.Parse({{"range", true, true}, {"host", true, true}, {"no-multicast", false},
                                           {"interface"}, {"timeout"}, {"user"}, {"password"}, {"json", false},
                                           {"set-clock", false}, {"set-ntp"},
                                           {"log-level"}},
                                          argc, argv)) {
    return *done;
  }
  const Flags& flags = cmd.flags();
  Result<double> timeout = flags.GetDouble("timeout", 3);
  if (!timeout.ok()) return cmd.Fail(timeout.status(), 2);
  if (*timeout <= 0 || *timeout > 60) return cmd.Fail(InvalidArgumentError("--timeout must be in (0, 60] seconds"), 2);
  if (flags.Has("password") && !flags.Has("user")) return cmd.Fail(InvalidArgumentError("--password needs --user"), 2);
  const bool set_clock = flags.Has("set-clock") || flags.Has("set-ntp");
  if (flags.Has("set-clock") && flags.Has("set-ntp")) {
    return cmd.Fail(InvalidArgumentError("--set-clock and --set-ntp: one or the other"), 2);
  }
  if (set_clock && (!flags.Has("user") || flags.GetAll("host").empty())) {
    return cmd.Fail(InvalidArgumentError("--set-clock and --set-ntp need --host and --user"), 2);
  }
  onvif::ScanOptions scan;
  scan.timeout = std::chrono::milliseconds(static_cast<int64_t>(*timeout * 1000));
  scan.interface_address = flags.Get("interface");
  onvif::ClientOptions client;
  client.credentials = {flags.Get("user"), flags.Get("password")};
  client.call_timeout = std::chrono::seconds(5);
  client.device_timeout = std::chrono::seconds(15);

  Result<std::vector<Candidate>> candidates = FindCandidates(flags, scan);
  if (!candidates.ok()) return cmd.Fail(candidates.status(), 1);
  std::vector<Row> rows;
  for (ProbedCandidate& probed : ProbeAll(std::move(candidates).value(), client, kMaxParallelCameras)) {
    rows.push_back({std::move(probed), ""});
  }
  if (set_clock) SetClocks(rows, flags, client);
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return Address(a) < Address(b); });
  if (flags.Has("json")) {
    PrintJson(rows);
  } else {
    PrintTable(rows);
  }
  return 0;
}

}  // namespace sightline::app
