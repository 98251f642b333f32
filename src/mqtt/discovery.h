#pragma once
// Home Assistant MQTT discovery: the retained config messages that make each camera one Home
// Assistant device with its entities (docs/ref/mqtt.md, "Home Assistant"). Topics follow
// homeassistant/<component>/<node_id>/<object_id>/config; every entity has a unique_id (HA
// attaches an entity to a device only then), the device's identifiers, and availability on
// <prefix>/available. The required key of each component (HA's MQTT docs) is checked by
// discovery_test.cc. Pure.

#include <string>
#include <vector>

#include "mqtt/message.h"
#include "mqtt/topics.h"

namespace sightline::mqtt {

inline constexpr std::string_view kDiscoveryPrefix = "homeassistant";

struct DiscoveryOptions {
  // The node id: the client id with every character outside [A-Za-z0-9_-] as '_' (HA's rule
  // for node and object ids). Distinguishes two Sightline servers on one broker.
  std::string node_id{};
  // With false the switches are withdrawn (an empty retained config deletes an entity), so
  // Home Assistant offers no control that would be refused.
  bool commands = true;
  std::string version{};  // the device's sw_version
};

// HA's node and object ids allow [A-Za-z0-9_-] only.
std::string DiscoveryId(std::string_view s);

// The seven retained config messages of one camera: binary_sensor motion and online, sensor
// fps and bitrate, switch recording and motion, camera snapshot.
std::vector<Message> CameraDiscovery(const Topics& topics, const DiscoveryOptions& options,
                                     const std::string& camera);

}  // namespace sightline::mqtt
