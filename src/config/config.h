#pragma once
// sightline.yaml: the daemon's one config file, parsed once at start into these plain structs.
// The reference for every key, default and rule is docs/ref/config.md. Parsing is pure apart
// from the environment lookup and checking that the TLS files and the UI directory it names
// exist, and reports every problem in the file at once.
// The structs are values: copy them freely; nothing refers back to the YAML text.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/cidr.h"
#include "base/result.h"
#include "config/env.h"

namespace sightline::config {

enum class Transport { kTcp, kUdp };  // RTP over the RTSP connection, or over UDP
enum class Role { kRecord, kDetect, kLive };

// The names used in the file: "tcp"/"udp", "record"/"detect"/"live".
std::string_view TransportName(Transport t);
std::string_view RoleName(Role r);

struct Retention {
  int64_t max_age_s = 0;  // 0 = unlimited
  int64_t max_bytes = 0;  // 0 = unlimited
  // Retention tiers (`continuous: {days}`, `motion: {days}`): segments that overlap a motion
  // event of their camera are kept motion_days, the others continuous_days. Unset
  // continuous_days: no tiers. Unset motion_days: as continuous_days. When both are set,
  // motion_days >= continuous_days; max_age, max_bytes and min_free still apply on top.
  std::optional<int64_t> continuous_days;
  std::optional<int64_t> motion_days;
};

struct StreamConfig {
  std::string name;  // [A-Za-z0-9_-]{1,64}; a directory name
  std::string url;   // rtsp://...; carries user:password@ only when `user` and `password` are empty
  std::string user, password;
  Transport transport = Transport::kTcp;
  std::vector<Role> roles;  // at least one, no repeats, in file order
  // Effective: the global record defaults, overridden per key by the camera's `record`, then by
  // the stream's.
  Retention retention;

  bool HasRole(Role role) const;
};

// A point in 0..1 picture coordinates: x to the right, y down from the top-left corner.
struct Point {
  double x = 0;
  double y = 0;
  friend bool operator==(const Point&, const Point&) = default;
};
// A closed polygon of at least 3 points, each within 0..1.
using Polygon = std::vector<Point>;

struct MotionZone {
  std::string name;  // [A-Za-z0-9_-]{1,64}: stored comma-separated with motion events
  Polygon coordinates;
  // The fraction of the zone that must move for the zone to report motion; unset: the
  // detector's default.
  std::optional<double> min_area;
};

struct MotionEventsConfig {
  int64_t pre_capture_ms = 5000;
  int64_t post_capture_ms = 5000;
  int64_t min_duration_ms = 1000;
  int64_t merge_gap_ms = 10000;
};

// Effective motion settings of one camera: the top-level `motion` section overridden key by
// key by the camera's. The app maps them onto the detector's and the event tracker's options.
struct MotionConfig {
  // Default: true when the camera has a stream with role detect; false without one.
  bool enabled = false;
  std::optional<int> threshold;    // grey levels 1..255; unset: the detector's default
  std::optional<double> min_area;  // fraction 0..1 of the picture; unset: the detector's
  double max_fps = 5;              // analysed frames per second at most; 0 = every frame
  bool keyframes_only = false;
  std::vector<Polygon> mask;       // areas never analysed
  std::vector<MotionZone> zones;   // in file order
  MotionEventsConfig events;
};

// A camera given by its ONVIF device instead of stream URLs (`onvif:`). Its streams are
// "main" (role record) and "sub" (roles detect and live), with empty URLs that the app fills
// from the device's media profiles at start and again after the camera reboots (src/onvif).
struct OnvifSource {
  std::string device_url;  // http(s)://HOST[:PORT]/PATH of the device service
  std::string user, password;  // both or neither
  // The camera's own events (motion, tamper, digital inputs) as Sightline events
  // (app/camera_events.h): subscribed to unless `events: false`.
  bool events = true;
  // A state the camera never reports as over ends this long after its last report.
  int64_t event_timeout_ms = 60'000;
  std::vector<std::string> inverted_events;  // kinds reported backwards: motion, tamper, input
};

struct CameraConfig {
  std::string name;  // [A-Za-z0-9_-]{1,64}; a directory name
  bool enabled = true;
  std::vector<StreamConfig> streams;  // at least one, in file order
  std::optional<OnvifSource> onvif;   // set: `streams` are "main" and "sub", URLs not yet known
  MotionConfig motion;

  // The first stream with role detect, or null.
  const StreamConfig* DetectStream() const;
};

struct StorageDir {
  std::string path;  // absolute
  int64_t min_free_bytes = int64_t{1} << 30;
};

struct StorageConfig {
  std::vector<StorageDir> dirs;  // at least one, distinct paths, in file order
  std::string index_path;        // absolute; default <first dir>/index.db
  int64_t flush_interval_ms = 1000;   // 100 ms to 2 s
  int64_t segment_duration_s = 60;    // 10 s to 600 s
  int64_t max_pending_bytes_per_stream = int64_t{32} << 20;  // at least 1 MiB
};

struct TlsConfig {
  std::string cert_path;  // absolute; an existing file (PEM)
  std::string key_path;   // absolute; an existing file (PEM)
};

struct HttpConfig {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT, [IPv6]:PORT; port 0 picks a free one
  std::optional<TlsConfig> tls;           // unset: plain HTTP
  std::string ui_dir;  // absolute, an existing directory; empty: the app finds the built UI
  int max_connections = 256;
  // Per client address group (an IPv4 /24, an IPv6 /64): one client cannot hold every slot.
  int max_connections_per_ip = 32;
  // Host names (or addresses) the server answers to; any other Host gets 421 (DNS
  // rebinding). Empty: any.
  std::vector<std::string> allowed_hosts;
  // Session cookies Secure (and __Host-) over plain HTTP too: behind a TLS proxy.
  bool secure_cookies = false;
  // Exports running at once, over all users (each user runs one at a time); 1 to 16.
  int max_exports = 2;
};

struct AuthConfig {
  int64_t session_idle_s = 7 * 24 * 3600;  // a session unused this long ends
  int64_t session_max_s = 30 * 24 * 3600;  // a session ends this long after login, used or not
  // Audit rows older than this are dropped, unless they describe a recording still kept.
  int64_t audit_retention_s = 400 * 24 * 3600;
};

// GET /metrics, the Prometheus scrape (docs/ref/metrics.md). Off unless enabled; when on, a
// scrape needs the bearer token or a client address in `allow` (at least one of the two is
// configured).
struct MetricsConfig {
  bool enabled = false;
  std::string token;        // empty: none; else at least kMinMetricsTokenLength characters
  std::vector<Cidr> allow;  // client networks that may scrape without the token
};
// A bearer token is the scrape's only secret: long enough not to be guessed over HTTP.
inline constexpr size_t kMinMetricsTokenLength = 16;

// Where a NATS client connects (docs/design/multisite.md).
struct NatsConfig {
  std::string url;               // nats://HOST:PORT or tls://HOST:PORT
  std::string credentials_path;  // absolute, an existing file (.creds); empty: none
};

// `site:`: this box reports to a centre over NATS. Absent: a single site, no NATS needed.
struct SiteConfig {
  std::string name;  // [A-Za-z0-9_-]{1,64}: one NATS subject token
  NatsConfig nats;   // keys nats_url and credentials
  int64_t link_kbit_s = 256;  // the uplink's budget: the forwarder sends at most this much
};

// `mqtt:` (docs/ref/mqtt.md). Absent: no MQTT at all.
struct MqttConfig {
  std::string host;                    // required
  int port = 1883;                     // 1 to 65535; 8883 is usual with tls
  std::string user, password;          // both or neither
  bool tls = false;                    // server certificate checked against the system's CAs
  std::string topic_prefix = "sightline";  // topic levels of [A-Za-z0-9_-], joined by '/'
  std::string client_id = "sightline";     // 1 to 23 of [A-Za-z0-9_-] (MQTT 3.1.1 3.1.3.1)
  bool commands = true;                // accept <prefix>/<camera>/{recording,motion}/set
  std::string base_url;                // http(s)://host[:port] of thumbnail links; empty: paths
};

// One item of `webhooks:` (docs/ref/webhooks.md).
struct WebhookConfig {
  std::string url;                   // http:// or https://
  std::string secret;                // HMAC-SHA256 key, at least 16 characters
  std::vector<std::string> events;   // event types or families; empty: every event
  std::vector<std::string> cameras;  // configured camera names; empty: every camera
  int64_t timeout_ms = 10'000;       // one attempt, 1s to 60s
  int64_t max_queue = 1000;          // events waiting, 1 to 100000
  std::string base_url;              // http(s)://host[:port] of thumbnail links; empty: paths
};

struct Config {
  StorageConfig storage;
  Retention record_defaults;
  HttpConfig http;
  AuthConfig auth;
  MetricsConfig metrics;
  std::optional<MqttConfig> mqtt;
  std::vector<WebhookConfig> webhooks;
  std::vector<CameraConfig> cameras;  // at least one, in file order
  std::optional<SiteConfig> site;
};

// Parses the text of a config file. `file_name` prefixes every message; `env` answers ${NAME}.
// On any problem: InvalidArgument listing all of them, one per line, as
// "FILE:LINE:COL: what is wrong" (1-based). Never throws; secrets from the environment never
// appear in messages.
Result<Config> ParseConfig(std::string_view yaml_text, std::string_view file_name,
                           const EnvLookup& env = ProcessEnv);

// Reads and parses the file at `path` with the process environment.
Result<Config> LoadConfig(const std::string& path);

// central.yaml, the config of `sightline central` (docs/ref/config.md, "central.yaml").
struct CentralConfig {
  NatsConfig nats;
  std::string postgres;  // a libpq connection string, e.g. "host=/run/postgresql dbname=sightline"
};
// As ParseConfig and LoadConfig, for central.yaml.
Result<CentralConfig> ParseCentralConfig(std::string_view yaml_text, std::string_view file_name,
                                         const EnvLookup& env = ProcessEnv);
Result<CentralConfig> LoadCentralConfig(const std::string& path);

// One line for the start-up log: "2 cameras, 3 streams (2 recorded), storage: 1 dir", with
// "(1 disabled)" after the cameras when some are. Stream counts cover enabled cameras only.
std::string Describe(const Config& config);

}  // namespace sightline::config
