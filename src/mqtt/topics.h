#pragma once
// Topics: the names of every topic Sightline publishes to or listens on, under one prefix
// (docs/ref/mqtt.md). Modelled on Frigate's so that automations written for it translate.
// Pure; a value, safe to share between threads.

#include <string>
#include <string_view>

namespace sightline::mqtt {

// The two things a command may turn on and off per camera.
enum class Switch { kRecording, kMotion };
std::string_view SwitchName(Switch s);  // "recording", "motion"

inline constexpr std::string_view kOn = "ON";
inline constexpr std::string_view kOff = "OFF";
inline constexpr std::string_view kOnline = "online";
inline constexpr std::string_view kOffline = "offline";

class Topics {
 public:
  // `prefix` is checked by the config (no wildcards, no leading or trailing '/').
  explicit Topics(std::string prefix) : prefix_(std::move(prefix)) {}

  const std::string& prefix() const { return prefix_; }
  std::string Available() const;                          // <prefix>/available
  std::string Events() const;                             // <prefix>/events
  std::string Stats() const;                              // <prefix>/stats
  std::string Status(std::string_view camera) const;      // <prefix>/<camera>/status
  std::string Motion(std::string_view camera) const;      // <prefix>/<camera>/motion
  std::string Snapshot(std::string_view camera) const;    // <prefix>/<camera>/snapshot
  // <prefix>/<camera>/recording/state, <prefix>/<camera>/motion/state: the echoed state.
  std::string SwitchState(std::string_view camera, Switch s) const;
  // <prefix>/<camera>/recording/set, <prefix>/<camera>/motion/set.
  std::string SwitchCommand(std::string_view camera, Switch s) const;
  // The subscription for every camera's commands of one switch: <prefix>/+/motion/set.
  std::string SwitchCommandFilter(Switch s) const;

 private:
  std::string Join(std::string_view camera, std::string_view leaf) const;
  std::string prefix_;
};

}  // namespace sightline::mqtt
