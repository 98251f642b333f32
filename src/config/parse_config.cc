// ParseConfig: the schema of sightline.yaml over yaml_reader.h. Each map's allowed keys are in
// one table below; each Parse function fills its struct and reports problems to the Context
// without stopping, so one run lists every error in the file.

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/diagnostics.h"
#include "config/parse_sections.h"
#include "config/yaml_reader.h"

namespace sightline::config {
namespace {

// The keys each map accepts. A later feature (objects...) adds its key here together with its
// Parse function; until then such keys are rejected, so the daemon never runs with settings it
// would silently ignore.
constexpr std::string_view kTopKeys[] = {"storage", "record", "motion", "http", "auth", "metrics", "mqtt", "webhooks", "cameras", "site"};
constexpr std::string_view kStorageKeys[] = {"dirs", "index", "flush_interval", "segment_duration",
                                             "max_pending_per_stream"};
constexpr std::string_view kDirKeys[] = {"path", "min_free"};
constexpr std::string_view kRecordKeys[] = {"max_age", "max_bytes", "continuous", "motion"};
constexpr std::string_view kTierKeys[] = {"days"};
constexpr std::string_view kHttpKeys[] = {"listen", "tls", "ui_dir", "max_connections",
                                          "max_connections_per_ip", "allowed_hosts", "secure_cookies",
                                          "max_exports"};
constexpr std::string_view kTlsKeys[] = {"cert", "key"};
constexpr std::string_view kAuthKeys[] = {"session_idle", "session_max", "audit_retention"};
constexpr std::string_view kCameraKeys[] = {"enabled", "record", "motion", "streams", "onvif"};
constexpr std::string_view kStreamKeys[] = {"url", "user", "password", "transport", "roles", "record"};
// Maps keyed by camera and stream names take any key that passes CheckName.
constexpr std::span<const std::string_view> kAnyName;

constexpr Role kRoles[] = {Role::kRecord, Role::kDetect, Role::kLive};
constexpr Transport kTransports[] = {Transport::kTcp, Transport::kUdp};

// The durability promise is "a power cut loses at most one flush interval plus one GOP": below
// 100 ms the fsyncs cost too much, above 2 s the promise gets too weak.
constexpr int64_t kMinFlushIntervalMs = 100;
constexpr int64_t kMaxFlushIntervalMs = 2000;
constexpr int64_t kMinSegmentDurationS = 10;
constexpr int64_t kMaxSegmentDurationS = 600;
// Must hold at least one GOP of a high-bitrate main stream (8 Mbit/s x 1 s).
constexpr int64_t kMinPendingBytes = int64_t{1} << 20;
constexpr int64_t kMaxRetentionDays = 36500;
constexpr int64_t kDayS = 24 * 3600;
// Each connection holds a file descriptor and buffers.
constexpr int64_t kMaxConnections = 100000;
constexpr int64_t kMinSessionS = 60;
constexpr int64_t kMaxSessionS = 365 * kDayS;
constexpr int64_t kMinAuditRetentionS = kDayS;
constexpr int64_t kMaxAuditRetentionS = 36500 * kDayS;
constexpr std::string_view kDirectoryName = "it becomes a directory name";

template <typename T>
std::string NameList(std::span<const T> values, std::string_view (*name)(T)) {
  std::string out;
  for (T v : values) {
    if (!out.empty()) out += ", ";
    out.append(name(v));
  }
  return out;
}

// Seconds in the largest unit that divides them exactly, as the file would write them: "14d".
std::string DurationText(int64_t s) {
  for (auto [unit, seconds] : {std::pair{"d", kDayS}, std::pair{"h", int64_t{3600}}, std::pair{"m", int64_t{60}}}) {
    if (s != 0 && s % seconds == 0) return std::to_string(s / seconds) + unit;
  }
  return std::to_string(s) + "s";
}

// Where a key was set, for messages about how it combines with keys set elsewhere.
struct KeyPlace {
  Position pos;
  std::string path;
};

// A `record:` map: each key set here overrides the level above.
struct RetentionOverride {
  std::optional<int64_t> max_age_s;
  std::optional<int64_t> max_bytes;
  std::optional<int64_t> continuous_days;
  std::optional<int64_t> motion_days;
  std::optional<KeyPlace> max_age_at, continuous_at, motion_at;

  Retention ApplyTo(Retention r) const {
    if (max_age_s) r.max_age_s = *max_age_s;
    if (max_bytes) r.max_bytes = *max_bytes;
    if (continuous_days) r.continuous_days = continuous_days;
    if (motion_days) r.motion_days = motion_days;
    return r;
  }
};

// `continuous: {days: N}` or `motion: {days: N}`.
std::optional<int64_t> ParseTier(Context& ctx, const Field& f, std::optional<KeyPlace>* place) {
  const MapReader map(ctx, f, kTierKeys);
  const Field* days = map.Require("days");
  if (days == nullptr) return std::nullopt;
  std::optional<int64_t> n = ReadInt(ctx, *days);
  if (!n || !CheckRange(ctx, *days, *n, 0, kMaxRetentionDays, "between 0 and 36500", "")) return std::nullopt;
  *place = KeyPlace{days->pos, days->path};
  return n;
}

RetentionOverride ParseRecord(Context& ctx, const Field& f) {
  RetentionOverride out;
  const MapReader map(ctx, f, kRecordKeys);
  if (const Field* age = map.Find("max_age")) {
    out.max_age_s = ReadDurationS(ctx, *age);
    out.max_age_at = KeyPlace{age->pos, age->path};
  }
  if (const Field* bytes = map.Find("max_bytes")) out.max_bytes = ReadSizeBytes(ctx, *bytes);
  if (const Field* continuous = map.Find("continuous")) {
    out.continuous_days = ParseTier(ctx, *continuous, &out.continuous_at);
  }
  if (const Field* motion = map.Find("motion")) out.motion_days = ParseTier(ctx, *motion, &out.motion_at);
  return out;
}

// Checks how the tiers combine with each other and with max_age once `here` (one level's
// `record` map) is applied, giving `effective`. Reported at the key of this level that made
// the combination wrong, so that a problem is reported once, where it was written.
void CheckTiers(Context& ctx, const RetentionOverride& here, const Retention& effective) {
  const std::optional<KeyPlace>& tier_at = here.motion_at ? here.motion_at : here.continuous_at;
  if (here.motion_at && !effective.continuous_days) {
    ctx.Error(here.motion_at->pos, here.motion_at->path,
              "motion days without continuous days: recordings without motion would be kept without limit, "
              "longer than those with motion; set continuous: {days: N} too");
    return;
  }
  if (tier_at && effective.motion_days && effective.continuous_days &&
      *effective.motion_days < *effective.continuous_days) {
    ctx.Error(tier_at->pos, tier_at->path,
              "motion days (" + std::to_string(*effective.motion_days) + ") are fewer than continuous days (" +
                  std::to_string(*effective.continuous_days) +
                  "): recordings with motion would be deleted before those without; make motion days at least "
                  "continuous days");
    return;
  }
  const std::optional<KeyPlace>& age_or_tier_at = here.max_age_at ? here.max_age_at : tier_at;
  if (!age_or_tier_at || effective.max_age_s == 0 || !effective.continuous_days) return;
  const int64_t longest_days = std::max(*effective.continuous_days, effective.motion_days.value_or(0));
  if (longest_days * kDayS > effective.max_age_s) {
    ctx.Error(age_or_tier_at->pos, age_or_tier_at->path,
              "retention tiers keep recordings " + std::to_string(longest_days) + " days, longer than max_age (" +
                  DurationText(effective.max_age_s) +
                  "): max_age deletes every recording older than it, with motion or not");
  }
}

// The retention of one level: `above` overridden by the level's `record` map, checked.
Retention ApplyRecord(Context& ctx, const Field* record, const Retention& above) {
  if (record == nullptr) return above;
  const RetentionOverride here = ParseRecord(ctx, *record);
  const Retention effective = here.ApplyTo(above);
  CheckTiers(ctx, here, effective);
  return effective;
}

// For comparing paths: "/a//b/./" and "/a/b" are the same directory.
std::string NormalPath(const std::string& path) {
  std::string normal = std::filesystem::path(path).lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

StorageDir ParseDir(Context& ctx, const Field& item) {
  StorageDir dir;
  if (item.value.IsScalar()) {
    dir.path = ReadPath(ctx, item);
    return dir;
  }
  if (!item.value.IsMap()) {
    item.Error(ctx, "expected a path or a map with path and min_free");
    return dir;
  }
  const MapReader map(ctx, item, kDirKeys);
  if (const Field* path = map.Require("path")) dir.path = ReadPath(ctx, *path);
  if (const Field* min_free = map.Find("min_free")) {
    dir.min_free_bytes = ReadSizeBytes(ctx, *min_free).value_or(dir.min_free_bytes);
  }
  return dir;
}

void ParseStorage(Context& ctx, const Field& f, StorageConfig* out) {
  const MapReader map(ctx, f, kStorageKeys);
  if (const Field* dirs = map.Require("dirs")) {
    std::map<std::string, const Field*> seen;  // normal path -> first dir with it
    const std::vector<Field> items = ListItems(ctx, *dirs);
    for (const Field& item : items) {
      StorageDir dir = ParseDir(ctx, item);
      if (!dir.path.empty()) {
        const auto [it, inserted] = seen.emplace(NormalPath(dir.path), &item);
        if (!inserted) {
          const Field& first = *it->second;
          item.Error(ctx, "same directory as " + first.path + " (line " + std::to_string(first.pos.line) + ")");
        }
      }
      out->dirs.push_back(std::move(dir));
    }
    if (IsEmptyList(*dirs)) dirs->Error(ctx, "no storage dirs: give at least one");
  }
  if (const Field* index = map.Find("index")) {
    out->index_path = ReadPath(ctx, *index);
  } else if (!out->dirs.empty() && !out->dirs.front().path.empty()) {
    out->index_path = (std::filesystem::path(out->dirs.front().path) / "index.db").string();
  }
  if (const Field* flush = map.Find("flush_interval")) {
    if (std::optional<int64_t> ms = ReadDurationMs(ctx, *flush)) {
      out->flush_interval_ms = *ms;
      CheckRange(ctx, *flush, *ms, kMinFlushIntervalMs, kMaxFlushIntervalMs, "between 100ms and 2s",
                 "a power cut loses at most one flush interval plus one GOP");
    }
  }
  if (const Field* segment = map.Find("segment_duration")) {
    if (std::optional<int64_t> s = ReadDurationS(ctx, *segment)) {
      out->segment_duration_s = *s;
      CheckRange(ctx, *segment, *s, kMinSegmentDurationS, kMaxSegmentDurationS, "between 10s and 600s", "");
    }
  }
  if (const Field* pending = map.Find("max_pending_per_stream")) {
    if (std::optional<int64_t> bytes = ReadSizeBytes(ctx, *pending)) {
      out->max_pending_bytes_per_stream = *bytes;
      CheckRange(ctx, *pending, *bytes, kMinPendingBytes, INT64_MAX, "at least 1MiB",
                 "at least one GOP of a main stream");
    }
  }
}

// Checks the scheme and host; returns whether the URL carries user:password@.
bool CheckUrl(Context& ctx, const Field& f, std::string_view url) {
  constexpr std::string_view kScheme = "rtsp://";
  bool scheme_ok = url.size() >= kScheme.size();
  for (size_t i = 0; scheme_ok && i < kScheme.size(); ++i) {
    // Schemes are case-insensitive (RFC 3986 section 3.1).
    const char c = url[i];
    scheme_ok = (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) == kScheme[i];
  }
  // The URL itself is never quoted: it may hold credentials.
  if (!scheme_ok) {
    f.Error(ctx, "url must start with rtsp://");
    return false;
  }
  std::string_view authority = url.substr(kScheme.size());
  authority = authority.substr(0, authority.find('/'));
  const size_t at = authority.rfind('@');
  const std::string_view host = at == std::string_view::npos ? authority : authority.substr(at + 1);
  if (host.empty() || host.front() == ':') f.Error(ctx, "url has no host");
  return at != std::string_view::npos;
}

std::vector<Role> ParseRoles(Context& ctx, const Field* f, const Field& stream) {
  std::vector<Role> roles;
  const std::string no_roles = "no roles: give at least one of " + NameList<Role>(kRoles, RoleName);
  if (f == nullptr) {
    stream.KeyError(ctx, no_roles);
    return roles;
  }
  for (const Field& item : ListItems(ctx, *f)) {
    const std::optional<std::string> name = ReadScalar(ctx, item, "a role");
    if (!name) continue;
    std::optional<Role> role;
    for (Role r : kRoles) {
      if (RoleName(r) == *name) role = r;
    }
    if (!role) {
      item.Error(ctx, "unknown role \"" + *name + "\" (roles: " + NameList<Role>(kRoles, RoleName) + ")");
    } else if (std::find(roles.begin(), roles.end(), *role) != roles.end()) {
      item.Error(ctx, "role \"" + *name + "\" is listed twice");
    } else {
      roles.push_back(*role);
    }
  }
  if (IsEmptyList(*f)) f->Error(ctx, no_roles);
  return roles;
}

}  // namespace

Transport ReadTransport(Context& ctx, const Field& f) {
  if (std::optional<std::string> name = ReadScalar(ctx, f, "tcp or udp")) {
    for (Transport t : kTransports) {
      if (TransportName(t) == *name) return t;
    }
    f.Error(ctx, "unknown transport \"" + *name + "\" (transports: " +
                     NameList<Transport>(kTransports, TransportName) + ")");
  }
  return Transport::kTcp;
}

namespace {

StreamConfig ParseStream(Context& ctx, const Field& f, const Retention& camera_retention) {
  StreamConfig stream;
  stream.name = f.key;
  CheckName(ctx, f, "stream", kDirectoryName);
  const MapReader map(ctx, f, kStreamKeys);
  const Field* url = map.Require("url");
  const Field* user = map.Find("user");
  const Field* password = map.Find("password");
  if (user) stream.user = ReadString(ctx, *user).value_or("");
  if (password) stream.password = ReadString(ctx, *password).value_or("");
  if (url) {
    if (std::optional<std::string> text = ReadString(ctx, *url)) {
      stream.url = std::move(*text);
      if (CheckUrl(ctx, *url, stream.url) && (user || password)) {
        url->Error(ctx, "credentials are given both in the url and in user/password: use one place");
      }
    }
  }
  if (password && !user) password->KeyError(ctx, "password without user");
  if (const Field* transport = map.Find("transport")) stream.transport = ReadTransport(ctx, *transport);
  if (map.is_map()) stream.roles = ParseRoles(ctx, map.Find("roles"), f);
  stream.retention = ApplyRecord(ctx, map.Find("record"), camera_retention);
  return stream;
}

CameraConfig ParseCamera(Context& ctx, const Field& f, const Retention& global_retention,
                         const MotionOverride& global_motion) {
  CameraConfig camera;
  camera.name = f.key;
  CheckName(ctx, f, "camera", kDirectoryName);
  const MapReader map(ctx, f, kCameraKeys);
  if (const Field* enabled = map.Find("enabled")) camera.enabled = ReadBool(ctx, *enabled).value_or(true);
  const Retention retention = ApplyRecord(ctx, map.Find("record"), global_retention);
  const Field* onvif = map.Find("onvif");
  const Field* streams = onvif != nullptr ? map.Find("streams") : map.Require("streams");
  if (onvif && streams) {
    streams->KeyError(ctx, "a camera has either streams or onvif, not both");
  } else if (onvif) {
    camera.onvif = ParseOnvif(ctx, *onvif, retention, &camera.streams);
  } else if (streams) {
    const MapReader by_name(ctx, *streams, kAnyName);
    for (const Field& s : by_name.fields()) camera.streams.push_back(ParseStream(ctx, s, retention));
    if (IsEmptyMap(*streams)) streams->Error(ctx, "no streams: give at least one");
  }
  const Field* motion = map.Find("motion");
  const MotionOverride camera_motion =
      motion != nullptr ? ParseMotion(ctx, *motion, "camera " + camera.name) : MotionOverride{};
  camera.motion = ResolveMotion(ctx, global_motion, camera_motion, motion, camera);
  return camera;
}

// HOST:PORT or [IPV6]:PORT, port 0 to 65535.
bool IsListenAddress(std::string_view listen) {
  size_t colon;
  if (!listen.empty() && listen.front() == '[') {
    const size_t close = listen.find(']');
    if (close == std::string_view::npos || close == 1 || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return false;
    }
    colon = close + 1;
  } else {
    colon = listen.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    if (listen.substr(0, colon).find_first_of(":[] ") != std::string_view::npos) return false;
  }
  const std::string_view port = listen.substr(colon + 1);
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return !port.empty() && ec == std::errc() && ptr == port.data() + port.size() && value <= 65535;
}

void ParseHttp(Context& ctx, const Field& f, HttpConfig* out) {
  const MapReader map(ctx, f, kHttpKeys);
  if (const Field* listen = map.Find("listen")) {
    if (std::optional<std::string> text = ReadString(ctx, *listen)) {
      if (IsListenAddress(*text)) {
        out->listen = std::move(*text);
      } else {
        listen->Error(ctx, "\"" + listen->value.Scalar() +
                               "\" is not HOST:PORT (for example 127.0.0.1:8080, 0.0.0.0:443 or [::1]:8080)");
      }
    }
  }
  if (const Field* tls = map.Find("tls")) {
    const MapReader tls_map(ctx, *tls, kTlsKeys);
    const Field* cert = tls_map.Require("cert");
    const Field* key = tls_map.Require("key");
    if (cert && key) {
      TlsConfig t{ReadExistingPath(ctx, *cert, false), ReadExistingPath(ctx, *key, false)};
      if (!t.cert_path.empty() && !t.key_path.empty()) out->tls = std::move(t);
    }
  }
  if (const Field* ui_dir = map.Find("ui_dir")) out->ui_dir = ReadExistingPath(ctx, *ui_dir, true);
  if (const Field* max = map.Find("max_connections")) {
    if (std::optional<int64_t> n = ReadInt(ctx, *max)) {
      if (CheckRange(ctx, *max, *n, 1, kMaxConnections, "between 1 and 100000", "each holds a file descriptor")) {
        out->max_connections = static_cast<int>(*n);
      }
    }
  }
  if (const Field* max = map.Find("max_connections_per_ip")) {
    if (std::optional<int64_t> n = ReadInt(ctx, *max)) {
      if (CheckRange(ctx, *max, *n, 1, kMaxConnections, "between 1 and 100000", "counted per /24 or /64")) {
        out->max_connections_per_ip = static_cast<int>(*n);
      }
    }
  }
  if (const Field* hosts = map.Find("allowed_hosts")) {
    for (const Field& item : ListItems(ctx, *hosts)) {
      std::optional<std::string> host = ReadScalar(ctx, item, "a host name");
      if (!host) continue;
      // Compared with the Host field's host without port or brackets: "nvr.lan", "::1".
      const bool host_and_port = std::count(host->begin(), host->end(), ':') == 1;
      if (host->empty() || host->find_first_of("/ \t[]") != std::string::npos || host_and_port) {
        item.Error(ctx, "\"" + *host + "\" is not a host name or address (give it without port or brackets)");
        continue;
      }
      out->allowed_hosts.push_back(std::move(*host));
    }
  }
  if (const Field* secure = map.Find("secure_cookies")) {
    out->secure_cookies = ReadBool(ctx, *secure).value_or(false);
  }
  if (const Field* max = map.Find("max_exports")) {
    if (std::optional<int64_t> n = ReadInt(ctx, *max)) {
      if (CheckRange(ctx, *max, *n, 1, 16, "between 1 and 16", "each reads the recording disks at full speed")) {
        out->max_exports = static_cast<int>(*n);
      }
    }
  }
}

void ParseAuth(Context& ctx, const Field& f, AuthConfig* out) {
  const MapReader map(ctx, f, kAuthKeys);
  const Field* idle = map.Find("session_idle");
  const Field* max = map.Find("session_max");
  for (auto [field, value] : {std::pair{idle, &out->session_idle_s}, std::pair{max, &out->session_max_s}}) {
    if (field == nullptr) continue;
    if (std::optional<int64_t> s = ReadDurationS(ctx, *field)) {
      if (CheckRange(ctx, *field, *s, kMinSessionS, kMaxSessionS, "between 1m and 365d", "")) *value = *s;
    }
  }
  if (const Field* audit = map.Find("audit_retention")) {
    if (std::optional<int64_t> s = ReadDurationS(ctx, *audit)) {
      if (CheckRange(ctx, *audit, *s, kMinAuditRetentionS, kMaxAuditRetentionS, "between 1d and 36500d",
                     "")) {
        out->audit_retention_s = *s;
      }
    }
  }
  if (out->session_idle_s > out->session_max_s) {
    (idle ? idle : max)->Error(ctx, "session_idle (" + DurationText(out->session_idle_s) +
                                        ") is longer than session_max (" + DurationText(out->session_max_s) +
                                        "): a session ends at session_max however often it is used");
  }
}

void ParseDocument(Context& ctx, const YAML::Node& root, Config* config) {
  if (root.IsNull()) {
    ctx.Error(Position{}, "", "the file is empty: expected a map with storage and cameras");
    return;
  }
  const Field doc("", "", Position{}, root);
  const MapReader top(ctx, doc, kTopKeys);
  if (const Field* storage = top.Require("storage")) ParseStorage(ctx, *storage, &config->storage);
  config->record_defaults = ApplyRecord(ctx, top.Find("record"), Retention{});
  const Field* motion = top.Find("motion");
  const MotionOverride motion_defaults =
      motion != nullptr ? ParseMotion(ctx, *motion, "the top-level motion section") : MotionOverride{};
  if (const Field* http = top.Find("http")) ParseHttp(ctx, *http, &config->http);
  if (const Field* auth = top.Find("auth")) ParseAuth(ctx, *auth, &config->auth);
  if (const Field* metrics = top.Find("metrics")) ParseMetrics(ctx, *metrics, &config->metrics);
  if (const Field* site = top.Find("site")) config->site = ParseSite(ctx, *site);
  if (const Field* mqtt = top.Find("mqtt")) config->mqtt = ParseMqtt(ctx, *mqtt);
  if (const Field* cameras = top.Require("cameras")) {
    const MapReader by_name(ctx, *cameras, kAnyName);
    for (const Field& c : by_name.fields()) {
      config->cameras.push_back(ParseCamera(ctx, c, config->record_defaults, motion_defaults));
    }
    if (IsEmptyMap(*cameras)) cameras->Error(ctx, "no cameras: give at least one");
  }
  if (const Field* webhooks = top.Find("webhooks")) config->webhooks = ParseWebhooks(ctx, *webhooks, config->cameras);
}

}  // namespace

Result<Config> ParseConfig(std::string_view yaml_text, std::string_view file_name, const EnvLookup& env) {
  Diagnostics diag(file_name);
  const std::optional<YAML::Node> document = LoadDocument(std::string(yaml_text), diag);
  if (!document) return diag.ToStatus();
  Config config;
  Context ctx(diag, env);
  try {
    ParseDocument(ctx, *document, &config);
  } catch (const std::exception& e) {
    // yaml-cpp's node accessors throw only on misuse; keep even a bug from escaping.
    diag.Add(Position{}, std::string("internal error while checking the config: ") + e.what());
  }
  RETURN_IF_ERROR(diag.ToStatus());
  return config;
}

}  // namespace sightline::config
