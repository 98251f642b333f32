#pragma once
// Message: one MQTT publication as the pure builders make it and the Client sends it, always
// at QoS 1 (docs/design/mqtt.md, invariant 3).

#include <string>

namespace sightline::mqtt {

struct Message {
  std::string topic;
  std::string payload;  // bytes: JSON, "ON", or a JPEG
  bool retain = false;
};

}  // namespace sightline::mqtt
