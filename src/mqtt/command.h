#pragma once
// ParseCommand: a message received on a command topic (<prefix>/<camera>/recording/set or
// <prefix>/<camera>/motion/set) into what it asks for. Pure, and fuzzed
// (fuzz/mqtt_command_fuzzer.cc): topic and payload come from anyone who may publish to the
// broker. Whether the camera exists is the caller's question (it knows the cameras).

#include <string>
#include <string_view>

#include "base/result.h"
#include "mqtt/topics.h"

namespace sightline::mqtt {

struct Command {
  std::string camera;
  Switch what = Switch::kMotion;
  bool on = false;
};

// The longest payload looked at; anything longer is refused unread (an ON is two bytes).
inline constexpr size_t kMaxCommandPayloadBytes = 16;

// InvalidArgument, naming the topic, when the topic is not <prefix>/<camera>/<switch>/set with
// a camera name of 1 to 64 characters from A-Z a-z 0-9 _ - (the config's rule), or when the
// payload is not ON or OFF (case-insensitive, surrounding whitespace ignored, as Home
// Assistant and people typing into mosquitto_pub send).
Result<Command> ParseCommand(const Topics& topics, std::string_view topic, std::string_view payload);

// Text safe to put in a log line: at most 64 bytes, bytes outside printable ASCII as '?'.
std::string Printable(std::string_view bytes);

}  // namespace sightline::mqtt
