#include "app/camera_setup.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "app/onvif_discovery.h"
#include "base/logging.h"
#include "config/camera_insert.h"
#include "config/config_file.h"
#include "onvif/client.h"
#include "onvif/scanner.h"

namespace sightline::app {
namespace {

using SteadyClock = std::chrono::steady_clock;
using Found = std::map<std::string, onvif::FoundDevice>;  // by endpoint address

// The device URL as the config and the discovery both write it, for comparing.
std::string Normalised(const std::string& host_or_url) {
  Result<onvif::HttpUrl> u = onvif::DeviceServiceUrl(host_or_url);
  return u.ok() ? u->ToString() : host_or_url;
}

std::vector<std::pair<std::string, std::string>> CamerasOf(const config::Config& config) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const config::CameraConfig& c : config.cameras) {
    out.emplace_back(c.name, c.onvif ? Normalised(c.onvif->device_url) : "");
  }
  return out;
}

// Marks the search as running for the life of this object; false `ok` when one already was.
class SearchSlot {
 public:
  explicit SearchSlot(std::atomic<bool>& searching) : searching_(searching), ok_(!searching.exchange(true)) {}
  ~SearchSlot() {
    if (ok_) searching_.store(false);
  }
  SearchSlot(const SearchSlot&) = delete;
  SearchSlot& operator=(const SearchSlot&) = delete;
  bool ok() const { return ok_; }

 private:
  std::atomic<bool>& searching_;
  const bool ok_;
};

Status CheckHosts(const std::vector<std::string>& hosts) {
  for (size_t i = 0; i < hosts.size(); ++i) {
    Result<onvif::HttpUrl> u = onvif::DeviceServiceUrl(hosts[i]);
    if (!u.ok()) return InvalidArgumentError("hosts[" + std::to_string(i) + "]: " + u.status().message());
  }
  return Status::Ok();
}

void AddFound(Found& found, std::vector<onvif::FoundDevice> devices) {
  for (onvif::FoundDevice& d : devices) found.try_emplace(d.endpoint.address, std::move(d));
}

// The multicast and the unicast Probes, at the same time (each listens for scan_timeout).
Result<Found> Probe(const api::DiscoverRequest& request, const onvif::ScanOptions& scan) {
  Result<std::vector<onvif::FoundDevice>> multicast = std::vector<onvif::FoundDevice>{};
  std::thread multicast_thread;
  if (request.multicast) multicast_thread = std::thread([&] { multicast = onvif::MulticastProbe(scan); });
  Result<std::vector<onvif::FoundDevice>> unicast = std::vector<onvif::FoundDevice>{};
  if (!request.range.empty()) unicast = onvif::UnicastProbe(request.range, scan);
  if (multicast_thread.joinable()) multicast_thread.join();
  if (!unicast.ok()) return std::move(unicast).status().WithContext("range " + request.range);
  if (!multicast.ok()) {
    // A host without a multicast route still searches its range and hosts.
    if (request.range.empty() && request.hosts.empty()) {
      return std::move(multicast).status().WithContext("multicast Probe (give a range or hosts instead)");
    }
    SL_LOG(kWarning) << "onvif discover: multicast Probe: " << multicast.status();
  }
  Found found;
  if (multicast.ok()) AddFound(found, std::move(multicast).value());
  AddFound(found, std::move(unicast).value());
  return found;
}

std::optional<api::DiscoveredStream> StreamOf(const std::optional<onvif::MediaProfile>& p) {
  if (!p) return std::nullopt;
  return api::DiscoveredStream{std::string(onvif::VideoEncodingName(p->encoding)), p->width, p->height,
                               p->frame_rate_limit};
}

api::DiscoveredCamera Describe(const ProbedCandidate& row) {
  api::DiscoveredCamera c;
  c.endpoint = row.candidate.endpoint;
  if (!row.result.ok()) {
    c.address = row.candidate.target.empty() ? "" : Normalised(row.candidate.target);
    c.error = row.result.status().message();
    return c;
  }
  const onvif::ProbeResult& r = *row.result;
  c.address = r.device_url.ToString();
  c.manufacturer = r.info.manufacturer;
  c.model = r.info.model;
  c.firmware = r.info.firmware_version;
  c.main = StreamOf(r.main);
  c.sub = StreamOf(r.sub);
  if (r.clock_offset) c.clock_offset_ms = r.clock_offset->count();
  c.needs_credentials = r.needs_credentials;
  c.problems = r.problems;
  return c;
}

// What a suggested name is made from: the device's own name, its model, its address.
std::string NameSource(const ProbedCandidate& row, const api::DiscoveredCamera& c) {
  if (!row.candidate.name.empty()) return row.candidate.name;
  if (!c.model.empty()) return c.model;
  Result<onvif::HttpUrl> u = onvif::ParseHttpUrl(c.address);
  return u.ok() ? "camera-" + u->host : "camera";
}

// Each password given, as "***" in `message`: the config parser never quotes one, but an
// error about the new text must not become the place where one leaks.
std::string Scrubbed(std::string message, const std::vector<api::NewCamera>& cameras) {
  for (const api::NewCamera& c : cameras) {
    if (c.password.size() < 3) continue;
    for (size_t at = message.find(c.password); at != std::string::npos; at = message.find(c.password, at + 3)) {
      message.replace(at, c.password.size(), "***");
    }
  }
  return message;
}

// Messages the admin acts on (a file they cannot write, a layout to fix) are 409s with the
// words; only what is our fault stays a 500.
Status ForTheAdmin(const Status& s, const std::vector<api::NewCamera>& cameras) {
  StatusCode code = s.code();
  if (code == StatusCode::kIoError || code == StatusCode::kNotFound || code == StatusCode::kInternal) {
    code = StatusCode::kFailedPrecondition;
  }
  return Status(code, Scrubbed(s.message(), cameras));
}

}  // namespace

std::string SuggestName(const std::string& from, std::vector<std::string>& taken) {
  std::string base;
  for (char ch : from) {
    const char c = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (keep) {
      base += c;
    } else if (!base.empty() && base.back() != '-') {
      base += '-';
    }
    if (base.size() >= 56) break;
  }
  while (!base.empty() && base.back() == '-') base.pop_back();
  if (base.empty()) base = "camera";
  std::string name = base;
  for (int n = 2; std::find(taken.begin(), taken.end(), name) != taken.end(); ++n) name = base + "-" + std::to_string(n);
  taken.push_back(name);
  return name;
}

OnvifCameraSetup::OnvifCameraSetup(std::string config_path, const config::Config& started, const Clock& clock,
                                   Options options)
    : config_path_(std::move(config_path)), started_cameras_(CamerasOf(started)), clock_(clock), options_(options) {}

std::vector<std::pair<std::string, std::string>> OnvifCameraSetup::ConfiguredCameras() const {
  Result<config::Config> now = config::LoadConfig(config_path_);
  return now.ok() ? CamerasOf(*now) : started_cameras_;
}

Result<std::vector<api::DiscoveredCamera>> OnvifCameraSetup::Discover(const api::DiscoverRequest& request) {
  SearchSlot slot(searching_);
  if (!slot.ok()) return ResourceExhaustedError("A search for cameras is already running; try again when it is done.");
  RETURN_IF_ERROR(CheckHosts(request.hosts));
  const auto deadline = SteadyClock::now() + options_.search_budget;
  onvif::ScanOptions scan;
  scan.timeout = options_.scan_timeout;
  scan.port = options_.discovery_port;
  ASSIGN_OR_RETURN(Found found, Probe(request, scan));

  std::vector<DiscoveryCandidate> candidates = CandidatesOf(found);
  for (const std::string& host : request.hosts) candidates.push_back({host, "", ""});
  if (candidates.size() > options_.max_devices) {
    SL_LOG(kWarning) << "onvif discover: " << candidates.size() << " devices, asking the first "
                     << options_.max_devices;
    candidates.resize(options_.max_devices);
  }
  onvif::ClientOptions client;
  client.credentials = {request.user, request.password};
  client.call_timeout = options_.call_timeout;
  client.device_timeout = options_.device_timeout;
  std::vector<ProbedCandidate> rows = ProbeAll(std::move(candidates), client, options_.max_parallel, deadline);

  const auto configured = ConfiguredCameras();
  std::vector<std::string> taken;
  for (const auto& [name, url] : configured) taken.push_back(name);
  std::vector<api::DiscoveredCamera> out;
  for (const ProbedCandidate& row : rows) {
    api::DiscoveredCamera c = Describe(row);
    for (const auto& [name, url] : configured) {
      if (!c.address.empty() && url == c.address) c.configured_as = name;
    }
    c.suggested_name = SuggestName(NameSource(row, c), taken);
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.address < b.address; });
  return out;
}

Result<api::CamerasAdded> OnvifCameraSetup::AddCameras(const std::vector<api::NewCamera>& cameras,
                                                       const std::string& note) {
  std::vector<config::NewOnvifCamera> entries;
  for (const api::NewCamera& c : cameras) entries.push_back({c.name, c.host, c.user, c.password});
  MutexLock lock(write_mu_);
  Result<std::string> text = config::ReadConfigText(config_path_);
  if (!text.ok()) return ForTheAdmin(text.status(), cameras);
  Result<std::string> edited = config::AddOnvifCameras(*text, entries, config_path_, note);
  if (!edited.ok()) return ForTheAdmin(edited.status(), cameras);
  const int64_t now_s = UnixMicros(clock_.WallNow()) / 1'000'000;
  Result<config::ReplacedConfig> written = config::ReplaceConfigFile(config_path_, *text, *edited, now_s);
  if (!written.ok()) return ForTheAdmin(written.status(), cameras);
  api::CamerasAdded added{written->path, written->backup_path, {}};
  for (const api::NewCamera& c : cameras) added.names.push_back(c.name);
  std::string names;
  for (const std::string& n : added.names) names += (names.empty() ? "" : ",") + n;
  SL_LOG(kInfo) << "config: added cameras " << names << " to " << added.config_path << " (previous file kept as "
                << added.backup_path << "); they are recorded after the next start";
  return added;
}

}  // namespace sightline::app
