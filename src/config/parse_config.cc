// ParseConfig: the schema of sightline.yaml over yaml_reader.h. Each map's allowed keys are in
// one table below; each Parse function fills its struct and reports problems to the Context
// without stopping, so one run lists every error in the file.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/diagnostics.h"
#include "config/yaml_reader.h"

namespace sightline::config {
namespace {

// The keys each map accepts. A later feature (http, motion, mqtt...) adds its key here together
// with its Parse function; until then such keys are rejected, so the daemon never runs with
// settings it would silently ignore.
constexpr std::string_view kTopKeys[] = {"storage", "record", "cameras"};
constexpr std::string_view kStorageKeys[] = {"dirs", "index", "flush_interval", "segment_duration",
                                             "max_pending_per_stream"};
constexpr std::string_view kDirKeys[] = {"path", "min_free"};
constexpr std::string_view kRecordKeys[] = {"max_age", "max_bytes"};
constexpr std::string_view kCameraKeys[] = {"enabled", "record", "streams"};
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
constexpr size_t kMaxNameLength = 64;

template <typename T>
std::string NameList(std::span<const T> values, std::string_view (*name)(T)) {
  std::string out;
  for (T v : values) {
    if (!out.empty()) out += ", ";
    out.append(name(v));
  }
  return out;
}

// A `record:` map: each key set here overrides the level above.
struct RetentionOverride {
  std::optional<int64_t> max_age_s;
  std::optional<int64_t> max_bytes;

  Retention ApplyTo(Retention r) const {
    if (max_age_s) r.max_age_s = *max_age_s;
    if (max_bytes) r.max_bytes = *max_bytes;
    return r;
  }
};

RetentionOverride ParseRecord(Context& ctx, const Field& f) {
  RetentionOverride out;
  const MapReader map(ctx, f, kRecordKeys);
  if (const Field* age = map.Find("max_age")) out.max_age_s = ReadDurationS(ctx, *age);
  if (const Field* bytes = map.Find("max_bytes")) out.max_bytes = ReadSizeBytes(ctx, *bytes);
  return out;
}

// Camera and stream names become directory names.
void CheckName(Context& ctx, const Field& f, std::string_view what) {
  bool ok = !f.key.empty() && f.key.size() <= kMaxNameLength;
  for (char c : f.key) {
    ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                c == '-');
  }
  if (ok) return;
  std::string m(what);
  m.append(" name \"").append(f.key).append("\" is not allowed: use 1 to ");
  m.append(std::to_string(kMaxNameLength)).append(" letters, digits, _ or - (it becomes a directory name)");
  f.KeyError(ctx, m);
}

// An absolute path with ${NAME} expanded. Messages quote the text as written, before expansion.
std::string ReadPath(Context& ctx, const Field& f) {
  std::optional<std::string> path = ReadString(ctx, f);
  if (!path) return {};
  if (path->empty() || path->front() != '/') {
    f.Error(ctx, "\"" + f.value.Scalar() + "\" is not an absolute path");
    return {};
  }
  if (path->find('\0') != std::string::npos) {
    f.Error(ctx, "\"" + f.value.Scalar() + "\" contains a NUL character");
    return {};
  }
  return std::move(*path);
}

// For comparing paths: "/a//b/./" and "/a/b" are the same directory.
std::string NormalPath(const std::string& path) {
  std::string normal = std::filesystem::path(path).lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

// An empty value or an empty list/map: "no X" errors. Entries that were all invalid are not
// "no X" (their own errors say what is wrong), nor is a value of the wrong kind.
bool IsEmptyList(const Field& f) { return f.value.IsNull() || (f.value.IsSequence() && f.value.size() == 0); }
bool IsEmptyMap(const Field& f) { return f.value.IsNull() || (f.value.IsMap() && f.value.size() == 0); }

void CheckRange(Context& ctx, const Field& f, int64_t value, int64_t min, int64_t max,
                std::string_view range, std::string_view why) {
  if (value >= min && value <= max) return;
  std::string m = "\"" + f.value.Scalar() + "\" is out of range: must be ";
  m.append(range);
  if (!why.empty()) m.append(" (").append(why).append(")");
  f.Error(ctx, m);
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

StreamConfig ParseStream(Context& ctx, const Field& f, const Retention& camera_retention) {
  StreamConfig stream;
  stream.name = f.key;
  CheckName(ctx, f, "stream");
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
  if (const Field* transport = map.Find("transport")) {
    if (std::optional<std::string> name = ReadScalar(ctx, *transport, "tcp or udp")) {
      bool found = false;
      for (Transport t : kTransports) {
        if (TransportName(t) == *name) {
          stream.transport = t;
          found = true;
        }
      }
      if (!found) {
        transport->Error(ctx, "unknown transport \"" + *name + "\" (transports: " +
                                  NameList<Transport>(kTransports, TransportName) + ")");
      }
    }
  }
  if (map.is_map()) stream.roles = ParseRoles(ctx, map.Find("roles"), f);
  stream.retention = camera_retention;
  if (const Field* record = map.Find("record")) stream.retention = ParseRecord(ctx, *record).ApplyTo(camera_retention);
  return stream;
}

CameraConfig ParseCamera(Context& ctx, const Field& f, const Retention& global_retention) {
  CameraConfig camera;
  camera.name = f.key;
  CheckName(ctx, f, "camera");
  const MapReader map(ctx, f, kCameraKeys);
  if (const Field* enabled = map.Find("enabled")) camera.enabled = ReadBool(ctx, *enabled).value_or(true);
  Retention retention = global_retention;
  if (const Field* record = map.Find("record")) retention = ParseRecord(ctx, *record).ApplyTo(global_retention);
  if (const Field* streams = map.Require("streams")) {
    const MapReader by_name(ctx, *streams, kAnyName);
    for (const Field& s : by_name.fields()) camera.streams.push_back(ParseStream(ctx, s, retention));
    if (IsEmptyMap(*streams)) streams->Error(ctx, "no streams: give at least one");
  }
  return camera;
}

void ParseDocument(Context& ctx, const YAML::Node& root, Config* config) {
  if (root.IsNull()) {
    ctx.Error(Position{}, "", "the file is empty: expected a map with storage and cameras");
    return;
  }
  const Field doc("", "", Position{}, root);
  const MapReader top(ctx, doc, kTopKeys);
  if (const Field* storage = top.Require("storage")) ParseStorage(ctx, *storage, &config->storage);
  if (const Field* record = top.Find("record")) config->record_defaults = ParseRecord(ctx, *record).ApplyTo({});
  if (const Field* cameras = top.Require("cameras")) {
    const MapReader by_name(ctx, *cameras, kAnyName);
    for (const Field& c : by_name.fields()) config->cameras.push_back(ParseCamera(ctx, c, config->record_defaults));
    if (IsEmptyMap(*cameras)) cameras->Error(ctx, "no cameras: give at least one");
  }
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
