#pragma once
// sightline.yaml: the daemon's one config file, parsed once at start into these plain structs.
// The reference for every key, default and rule is docs/ref/config.md. Parsing is pure apart
// from the environment lookup and reports every problem in the file at once.
// The structs are values: copy them freely; nothing refers back to the YAML text.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

struct CameraConfig {
  std::string name;  // [A-Za-z0-9_-]{1,64}; a directory name
  bool enabled = true;
  std::vector<StreamConfig> streams;  // at least one, in file order
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

struct Config {
  StorageConfig storage;
  Retention record_defaults;
  std::vector<CameraConfig> cameras;  // at least one, in file order
};

// Parses the text of a config file. `file_name` prefixes every message; `env` answers ${NAME}.
// On any problem: InvalidArgument listing all of them, one per line, as
// "FILE:LINE:COL: what is wrong" (1-based). Never throws; secrets from the environment never
// appear in messages.
Result<Config> ParseConfig(std::string_view yaml_text, std::string_view file_name,
                           const EnvLookup& env = ProcessEnv);

// Reads and parses the file at `path` with the process environment.
Result<Config> LoadConfig(const std::string& path);

// One line for the start-up log: "2 cameras, 3 streams (2 recorded), storage: 1 dir", with
// "(1 disabled)" after the cameras when some are. Stream counts cover enabled cameras only.
std::string Describe(const Config& config);

}  // namespace sightline::config
