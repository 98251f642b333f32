#pragma once
// Helpers for the config tests: a fake environment, parsing that expects success or failure,
// and a minimal valid file to change one thing in.

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace sightline::config::test_util {

inline constexpr int64_t kGiB = int64_t{1} << 30;
inline constexpr int64_t kDayS = 24 * 60 * 60;

inline EnvLookup FakeEnv(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

inline const EnvLookup kEnv =
    FakeEnv({{"FRONT_DOOR_PASSWORD", "s3cret"}, {"DATA", "/srv/nvr"}, {"MQTT_PASSWORD", "mq"}, {"GATE_PASSWORD", "g4te"}});

inline Config ParseOk(std::string_view yaml, const EnvLookup& env = kEnv) {
  Result<Config> r = ParseConfig(yaml, "test.yaml", env);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : Config();
}

// The whole error message: one "test.yaml:LINE:COL: ..." line per problem.
inline std::string Errors(std::string_view yaml, const EnvLookup& env = kEnv) {
  Result<Config> r = ParseConfig(yaml, "test.yaml", env);
  EXPECT_FALSE(r.ok()) << "parsed:\n" << yaml;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

// A valid file that the error tests change one thing in.
inline constexpr char kMinimal[] = R"yaml(storage:
  dirs: [/data]
cameras:
  cam:
    streams:
      main:
        url: rtsp://cam/main
        roles: [record]
)yaml";

// kMinimal with `from` replaced by `to` (which must occur once).
inline std::string Minimal(std::string_view from, std::string_view to) {
  std::string yaml = kMinimal;
  const size_t at = yaml.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) yaml.replace(at, from.size(), to);
  return yaml;
}

}  // namespace sightline::config::test_util
