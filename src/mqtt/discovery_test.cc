#include "mqtt/discovery.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

namespace sightline::mqtt {
namespace {

// The keys Home Assistant's MQTT documentation marks "Required" for each component
// (home-assistant.io/integrations/<component>.mqtt/): binary_sensor and sensor need
// state_topic, switch needs command_topic, camera needs topic. Discovery adds its own
// needs: unique_id (without it HA attaches no entity to a device) and device.identifiers
// (which groups the entities into one device).
const std::map<std::string, std::vector<std::string>> kRequired = {
    {"binary_sensor", {"state_topic"}},
    {"sensor", {"state_topic"}},
    {"switch", {"command_topic"}},
    {"camera", {"topic"}},
};

struct Parsed {
  std::string component;
  std::string node;
  std::string object;
  nlohmann::json config;
};

Parsed Parse(const Message& m) {
  // <discovery_prefix>/<component>/<node_id>/<object_id>/config, ids from [A-Za-z0-9_-].
  static const std::regex kTopic("homeassistant/([a-z_]+)/([A-Za-z0-9_-]+)/([A-Za-z0-9_-]+)/config");
  std::smatch match;
  EXPECT_TRUE(std::regex_match(m.topic, match, kTopic)) << m.topic;
  Parsed p{match[1], match[2], match[3], nlohmann::json()};
  if (!m.payload.empty()) p.config = nlohmann::json::parse(m.payload);
  return p;
}

TEST(DiscoveryTest, EveryEntityHasItsComponentsRequiredKeysAndOneDevicePerCamera) {
  const Topics topics("sightline");
  const std::vector<Message> msgs = CameraDiscovery(topics, {.node_id = "nvr1", .version = "0.1"}, "front");
  std::multiset<std::string> components;
  std::set<std::string> unique_ids;
  for (const Message& m : msgs) {
    EXPECT_TRUE(m.retain) << m.topic << ": discovery configs are retained";
    const Parsed p = Parse(m);
    components.insert(p.component);
    EXPECT_EQ(p.node, "nvr1");
    ASSERT_TRUE(kRequired.contains(p.component)) << p.component;
    for (const std::string& key : kRequired.at(p.component)) {
      ASSERT_TRUE(p.config.contains(key)) << m.topic << " lacks " << key;
      EXPECT_TRUE(p.config[key].get<std::string>().starts_with("sightline/")) << m.topic;
    }
    EXPECT_TRUE(unique_ids.insert(p.config["unique_id"].get<std::string>()).second) << "unique_id repeats";
    EXPECT_EQ(p.config["device"]["identifiers"], nlohmann::json({"nvr1_front"}));
    EXPECT_EQ(p.config["device"]["name"], "front");
    EXPECT_EQ(p.config["availability_topic"], "sightline/available");
    EXPECT_EQ(p.config["payload_available"], "online");
    EXPECT_EQ(p.config["payload_not_available"], "offline");
    EXPECT_TRUE(p.config.contains("name"));
  }
  EXPECT_EQ(components, (std::multiset<std::string>{"binary_sensor", "binary_sensor", "sensor", "sensor",
                                                     "switch", "switch", "camera"}));
}

TEST(DiscoveryTest, EntitiesReadTheTopicsSightlinePublishes) {
  const Topics topics("sl");
  std::map<std::string, nlohmann::json> by_object;
  for (const Message& m : CameraDiscovery(topics, {.node_id = "n"}, "yard")) {
    const Parsed p = Parse(m);
    by_object[p.object] = p.config;
  }
  EXPECT_EQ(by_object["yard_motion"]["state_topic"], topics.Motion("yard"));
  EXPECT_EQ(by_object["yard_motion"]["payload_on"], "ON");
  EXPECT_EQ(by_object["yard_motion"]["device_class"], "motion");
  EXPECT_EQ(by_object["yard_online"]["state_topic"], topics.Status("yard"));
  EXPECT_EQ(by_object["yard_online"]["payload_on"], "online");
  EXPECT_EQ(by_object["yard_fps"]["value_template"], "{{ value_json.cameras['yard'].fps }}");
  EXPECT_EQ(by_object["yard_bitrate"]["value_template"], "{{ value_json.cameras['yard'].kbit_s }}");
  EXPECT_EQ(by_object["yard_recording"]["command_topic"], "sl/yard/recording/set");
  EXPECT_EQ(by_object["yard_recording"]["state_topic"], "sl/yard/recording/state");
  EXPECT_EQ(by_object["yard_motion_detection"]["command_topic"], "sl/yard/motion/set");
  EXPECT_EQ(by_object["yard_snapshot"]["topic"], "sl/yard/snapshot");
}

TEST(DiscoveryTest, WithoutCommandsTheSwitchesAreWithdrawn) {
  int withdrawn = 0;
  for (const Message& m : CameraDiscovery(Topics("sl"), {.node_id = "n", .commands = false}, "a")) {
    const Parsed p = Parse(m);
    if (p.component == "switch") {
      EXPECT_TRUE(m.payload.empty()) << "an empty retained config deletes the entity";
      EXPECT_TRUE(m.retain);
      ++withdrawn;
    } else {
      EXPECT_FALSE(m.payload.empty());
    }
  }
  EXPECT_EQ(withdrawn, 2);
}

TEST(DiscoveryTest, IdsKeepOnlyTheCharactersHomeAssistantAllows) {
  EXPECT_EQ(DiscoveryId("sightline-site.2 a/b"), "sightline-site_2_a_b");
  EXPECT_EQ(DiscoveryId(""), "sightline");
}

}  // namespace
}  // namespace sightline::mqtt
