// Fuzzes ParseConfig (yaml-cpp plus the sightline.yaml schema) with a fixed environment.
// Checks that nothing escapes as an exception, that every error line has the FILE:LINE:COL
// form, that a secret from the environment never appears in a message unless the input holds
// it, and the invariants of an accepted config.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace {

using sightline::config::Config;
using sightline::config::Role;

constexpr std::string_view kSecret = "Hunter2-SECRET";

void Check(bool ok) {
  if (!ok) std::abort();
}

std::optional<std::string> Env(std::string_view name) {
  if (name == "PASSWORD") return std::string(kSecret);
  if (name == "DIR") return std::string("/srv");
  if (name == "EMPTY") return std::string();
  return std::nullopt;
}

bool IsName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

void CheckConfig(const Config& c) {
  Check(!c.storage.dirs.empty());
  for (const auto& dir : c.storage.dirs) {
    Check(!dir.path.empty() && dir.path.front() == '/');
    Check(dir.min_free_bytes >= 0);
  }
  Check(!c.storage.index_path.empty() && c.storage.index_path.front() == '/');
  Check(c.storage.flush_interval_ms >= 100 && c.storage.flush_interval_ms <= 2000);
  Check(c.storage.segment_duration_s >= 10 && c.storage.segment_duration_s <= 600);
  Check(c.storage.max_pending_bytes_per_stream >= (1 << 20));
  Check(c.record_defaults.max_age_s >= 0 && c.record_defaults.max_bytes >= 0);
  Check(!c.cameras.empty());
  for (const auto& camera : c.cameras) {
    Check(IsName(camera.name));
    Check(!camera.streams.empty());
    for (const auto& s : camera.streams) {
      Check(IsName(s.name));
      Check(s.url.size() > 7);
      Check(!s.roles.empty() && s.roles.size() <= 3);
      for (size_t i = 0; i < s.roles.size(); ++i) {
        for (size_t j = i + 1; j < s.roles.size(); ++j) Check(s.roles[i] != s.roles[j]);
      }
      Check(s.HasRole(s.roles.front()));
      Check(s.retention.max_age_s >= 0 && s.retention.max_bytes >= 0);
      Check(s.password.empty() || !s.user.empty());
    }
  }
  Check(!sightline::config::Describe(c).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = sightline::config::ParseConfig(text, "f.yaml", Env);
  if (config.ok()) {
    CheckConfig(*config);
    return 0;
  }
  Check(config.status().code() == sightline::StatusCode::kInvalidArgument);
  const std::string message = config.status().message();
  Check(!message.empty());
  if (text.find(kSecret) == std::string_view::npos) Check(message.find(kSecret) == std::string::npos);
  size_t line_start = 0;
  while (line_start < message.size()) {
    Check(message.compare(line_start, 7, "f.yaml:") == 0);
    const size_t end = message.find('\n', line_start);
    if (end == std::string::npos) break;
    line_start = end + 1;
  }
  return 0;
}
