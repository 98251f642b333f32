#include "mqtt/discovery.h"

#include <nlohmann/json.hpp>

namespace sightline::mqtt {
namespace {

struct Entity {
  std::string component;  // binary_sensor, sensor, switch, camera
  std::string object;     // the object id's suffix after the camera: motion, online ...
  nlohmann::json fields;  // the component's own keys
};

// The fields every entity of the camera shares: name, ids, device, availability.
nlohmann::json Common(const Topics& topics, const DiscoveryOptions& o, const std::string& camera,
                      const Entity& e, const std::string& name) {
  nlohmann::json j = e.fields;
  j["name"] = name;
  j["unique_id"] = o.node_id + "_" + camera + "_" + e.object;
  j["availability_topic"] = topics.Available();
  j["payload_available"] = kOnline;
  j["payload_not_available"] = kOffline;
  j["device"] = {{"identifiers", {o.node_id + "_" + camera}},
                 {"name", camera},
                 {"manufacturer", "Sightline"},
                 {"model", "camera"},
                 {"sw_version", o.version}};
  return j;
}

nlohmann::json StatsSensor(const Topics& topics, const std::string& camera, const char* key,
                           const char* unit) {
  return {{"state_topic", topics.Stats()},
          {"value_template", "{{ value_json.cameras['" + camera + "']." + key + " }}"},
          {"unit_of_measurement", unit},
          {"state_class", "measurement"}};
}

nlohmann::json SwitchFields(const Topics& topics, const std::string& camera, Switch s) {
  return {{"command_topic", topics.SwitchCommand(camera, s)},
          {"state_topic", topics.SwitchState(camera, s)},
          {"payload_on", kOn},
          {"payload_off", kOff},
          {"qos", 1},
          {"optimistic", false}};
}

}  // namespace

std::string DiscoveryId(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    out.push_back(ok ? c : '_');
  }
  return out.empty() ? std::string("sightline") : out;
}

std::vector<Message> CameraDiscovery(const Topics& topics, const DiscoveryOptions& o,
                                     const std::string& camera) {
  const std::vector<std::pair<Entity, std::string>> entities = {
      {{"binary_sensor", "motion",
        {{"state_topic", topics.Motion(camera)}, {"payload_on", kOn}, {"payload_off", kOff},
         {"device_class", "motion"}}},
       "Motion"},
      {{"binary_sensor", "online",
        {{"state_topic", topics.Status(camera)}, {"payload_on", kOnline},
         {"payload_off", kOffline}, {"device_class", "connectivity"}}},
       "Online"},
      {{"sensor", "fps", StatsSensor(topics, camera, "fps", "fps")}, "Frame rate"},
      {{"sensor", "bitrate", StatsSensor(topics, camera, "kbit_s", "kbit/s")}, "Bitrate"},
      {{"switch", "recording", SwitchFields(topics, camera, Switch::kRecording)}, "Recording"},
      {{"switch", "motion_detection", SwitchFields(topics, camera, Switch::kMotion)},
       "Motion detection"},
      {{"camera", "snapshot", {{"topic", topics.Snapshot(camera)}}}, "Last event"},
  };
  std::vector<Message> out;
  for (const auto& [e, name] : entities) {
    Message m;
    m.topic = std::string(kDiscoveryPrefix) + "/" + e.component + "/" + o.node_id + "/" +
              DiscoveryId(camera + "_" + e.object) + "/config";
    m.retain = true;
    if (e.component != "switch" || o.commands) m.payload = Common(topics, o, camera, e, name).dump();
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace sightline::mqtt
