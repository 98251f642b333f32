// The `mqtt:` section: defaults, every key, and errors with file:line.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace sightline::config {
namespace {

using namespace test_util;

std::string WithMqtt(std::string_view mqtt) { return std::string(kMinimal) + "mqtt:\n" + std::string(mqtt); }

TEST(ParseMqttTest, AbsentMeansNoMqttAndDefaultsAreFrigates) {
  EXPECT_FALSE(ParseOk(kMinimal).mqtt.has_value());
  const Config c = ParseOk(WithMqtt("  host: broker.lan\n"));
  ASSERT_TRUE(c.mqtt.has_value());
  EXPECT_EQ(c.mqtt->host, "broker.lan");
  EXPECT_EQ(c.mqtt->port, 1883);
  EXPECT_EQ(c.mqtt->topic_prefix, "sightline");
  EXPECT_EQ(c.mqtt->client_id, "sightline");
  EXPECT_TRUE(c.mqtt->commands);
  EXPECT_FALSE(c.mqtt->tls);
  EXPECT_EQ(c.mqtt->user, "");
  EXPECT_EQ(c.mqtt->base_url, "");
}

TEST(ParseMqttTest, EveryKey) {
  const Config c = ParseOk(WithMqtt(R"yaml(  host: 10.0.0.2
  port: 8883
  user: nvr
  password: ${FRONT_DOOR_PASSWORD}
  tls: true
  topic_prefix: home/nvr-1
  client_id: site_a
  commands: false
  base_url: https://nvr.lan:8080
)yaml"));
  ASSERT_TRUE(c.mqtt.has_value());
  EXPECT_EQ(c.mqtt->port, 8883);
  EXPECT_EQ(c.mqtt->user, "nvr");
  EXPECT_EQ(c.mqtt->password, "s3cret");
  EXPECT_TRUE(c.mqtt->tls);
  EXPECT_EQ(c.mqtt->topic_prefix, "home/nvr-1");
  EXPECT_EQ(c.mqtt->client_id, "site_a");
  EXPECT_FALSE(c.mqtt->commands);
  EXPECT_EQ(c.mqtt->base_url, "https://nvr.lan:8080");
}

TEST(ParseMqttTest, ErrorsNameTheLineAndTheRule) {
  // kMinimal has 8 lines: "mqtt:" is line 9, its first key line 10.
  EXPECT_NE(Errors(WithMqtt("  port: 1883\n")).find("test.yaml:9:1: mqtt: missing required key \"host\""),
            std::string::npos)
      << Errors(WithMqtt("  port: 1883\n"));
  const std::pair<const char*, const char*> cases[] = {
      {"  host: b\n  port: 0\n", "test.yaml:11:9: mqtt.port"},
      {"  host: b\n  topic_prefix: a/+/b\n", "test.yaml:11:17: mqtt.topic_prefix: \"a/+/b\" is not a topic prefix"},
      {"  host: b\n  topic_prefix: /a\n", "is not a topic prefix"},
      {"  host: b\n  topic_prefix: a//b\n", "is not a topic prefix"},
      {"  host: b\n  client_id: a.b\n", "test.yaml:11:14: mqtt.client_id: \"a.b\" is not a client id"},
      {"  host: b\n  client_id: abcdefghijklmnopqrstuvwx\n", "is not a client id"},
      {"  host: b\n  user: u\n", "test.yaml:11:3: mqtt.user: give both mqtt.user and mqtt.password"},
      {"  host: b\n  base_url: nvr.lan\n", "mqtt.base_url: \"nvr.lan\" is not a base URL"},
      {"  host: b\n  base_url: http://nvr/\n", "is not a base URL"},
      {"  host: b:1883\n", "test.yaml:10:9: mqtt.host: \"b:1883\" is not a host"},
      {"  host: b\n  qos: 1\n", "test.yaml:11:3: mqtt: unknown key \"qos\""},
  };
  for (const auto& [yaml, want] : cases) {
    const std::string errors = Errors(WithMqtt(yaml));
    EXPECT_NE(errors.find(want), std::string::npos) << yaml << "gave:\n" << errors;
  }
}

}  // namespace
}  // namespace sightline::config
