#include "mqtt/payloads.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sightline::mqtt {
namespace {

TEST(PayloadsTest, EventCarriesIdCameraZonesTimesAndThumbnail) {
  EventMessage e;
  e.type = EventType::kNew;
  e.id = 7;
  e.camera = "front";
  e.zones = {"porch", "gate"};
  e.start_us = 1'700'000'000'500'000;
  e.base_url = "https://nvr.lan:8080";
  const nlohmann::json j = nlohmann::json::parse(EventJson(e));
  EXPECT_EQ(j["type"], "new");
  EXPECT_EQ(j["id"], 7);
  EXPECT_EQ(j["camera"], "front");
  EXPECT_EQ(j["zones"], nlohmann::json({"porch", "gate"}));
  EXPECT_DOUBLE_EQ(j["start"].get<double>(), 1'700'000'000.5);
  EXPECT_TRUE(j["end"].is_null()) << "an open event has no end yet";
  EXPECT_EQ(j["thumbnail"], "https://nvr.lan:8080/api/events/7/thumbnail.jpg");
  EXPECT_EQ(j.size(), 7u) << "nothing else: no person is described (invariant 6)";

  e.type = EventType::kEnd;
  e.end_us = 1'700'000'012'000'000;
  e.base_url.clear();
  const nlohmann::json end = nlohmann::json::parse(EventJson(e));
  EXPECT_EQ(end["type"], "end");
  EXPECT_DOUBLE_EQ(end["end"].get<double>(), 1'700'000'012.0);
  EXPECT_EQ(end["thumbnail"], "/api/events/7/thumbnail.jpg");
  EXPECT_EQ(nlohmann::json::parse(EventJson({.type = EventType::kUpdate}))["type"], "update");
}

TEST(PayloadsTest, StatsAreKeyedByCameraAndDisk) {
  StatsMessage s;
  s.uptime_s = 60;
  s.cameras.push_back({.name = "front", .online = true, .fps = 9.996, .kbit_s = 4000, .reconnects = 2,
                       .dropped = 1, .recording = true, .motion_detection = false});
  s.cameras.push_back({.name = "yard"});
  s.disks.push_back({.path = "/var/lib/sightline", .free_bytes = 5});
  s.mqtt_dropped = 3;
  const nlohmann::json j = nlohmann::json::parse(StatsJson(s));
  EXPECT_EQ(j["uptime_s"], 60);
  EXPECT_EQ(j["cameras"]["front"]["online"], true);
  EXPECT_DOUBLE_EQ(j["cameras"]["front"]["fps"].get<double>(), 10.0);
  EXPECT_EQ(j["cameras"]["front"]["kbit_s"], 4000);
  EXPECT_EQ(j["cameras"]["front"]["reconnects"], 2);
  EXPECT_EQ(j["cameras"]["front"]["dropped"], 1);
  EXPECT_EQ(j["cameras"]["front"]["motion_detection"], false);
  EXPECT_EQ(j["cameras"]["yard"]["online"], false);
  EXPECT_EQ(j["disks"]["/var/lib/sightline"]["free_bytes"], 5);
  EXPECT_EQ(j["mqtt"]["dropped"], 3);
}

}  // namespace
}  // namespace sightline::mqtt
