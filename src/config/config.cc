#include "config/config.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>

namespace sightline::config {

std::string_view TransportName(Transport t) {
  switch (t) {
    case Transport::kTcp: return "tcp";
    case Transport::kUdp: return "udp";
  }
  return "?";
}

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kRecord: return "record";
    case Role::kDetect: return "detect";
    case Role::kLive: return "live";
  }
  return "?";
}

bool StreamConfig::HasRole(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

const StreamConfig* CameraConfig::DetectStream() const {
  for (const StreamConfig& s : streams) {
    if (s.HasRole(Role::kDetect)) return &s;
  }
  return nullptr;
}

namespace {

Result<std::string> ReadConfigFile(const std::string& path) {
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    if (errno == ENOENT) return NotFoundError("config file " + path + " does not exist");
    return ErrnoError("opening config file " + path, errno);
  }
  std::string text;
  char buffer[64 * 1024];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0) text.append(buffer, n);
  if (std::ferror(file.get())) return ErrnoError("reading config file " + path, errno);
  return text;
}

}  // namespace

Result<Config> LoadConfig(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadConfigFile(path));
  return ParseConfig(text, path, ProcessEnv);
}

Result<CentralConfig> LoadCentralConfig(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadConfigFile(path));
  return ParseCentralConfig(text, path, ProcessEnv);
}

std::string Describe(const Config& config) {
  size_t disabled = 0, streams = 0, recorded = 0;
  for (const CameraConfig& camera : config.cameras) {
    if (!camera.enabled) {
      ++disabled;
      continue;
    }
    for (const StreamConfig& stream : camera.streams) {
      ++streams;
      if (stream.HasRole(Role::kRecord)) ++recorded;
    }
  }
  auto count = [](size_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
  };
  std::string out = count(config.cameras.size(), "camera", "cameras");
  if (disabled > 0) out += " (" + std::to_string(disabled) + " disabled)";
  out += ", " + count(streams, "stream", "streams") + " (" + std::to_string(recorded) + " recorded)";
  out += ", storage: " + count(config.storage.dirs.size(), "dir", "dirs");
  if (config.site) out += ", site " + config.site->name + " reporting to " + config.site->nats.url;
  return out;
}

}  // namespace sightline::config
