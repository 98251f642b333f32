// The JSON bodies receivers parse (docs/ref/webhooks.md "Body").
#include "webhook/payload.h"

#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

namespace sightline::webhook {
namespace {

TEST(PayloadTest, MotionEventEnvelope) {
  const Event e{"motion_event.end", "front", 1'796'650'012'500'000,
                MotionEventData(42, 1'796'650'000'000'000, 1'796'650'012'500'000, {"door", "path"}, "https://nvr.lan")};
  const nlohmann::json j = nlohmann::json::parse(DeliveryBody(e, "00ff"));
  EXPECT_EQ(j["id"], "00ff");
  EXPECT_EQ(j["type"], "motion_event.end");
  EXPECT_EQ(j["camera"], "front");
  EXPECT_DOUBLE_EQ(j["time"].get<double>(), 1'796'650'012.5);
  EXPECT_EQ(j["data"]["id"], 42);
  EXPECT_DOUBLE_EQ(j["data"]["start"].get<double>(), 1'796'650'000.0);
  EXPECT_DOUBLE_EQ(j["data"]["end"].get<double>(), 1'796'650'012.5);
  EXPECT_EQ(j["data"]["zones"], (nlohmann::json{"door", "path"}));
  EXPECT_EQ(j["data"]["thumbnail"], "https://nvr.lan/api/events/42/thumbnail.jpg");
}

TEST(PayloadTest, AnOpenEventHasNoEndAndPathsWithoutABaseUrl) {
  const nlohmann::json d = nlohmann::json::parse(MotionEventData(7, 1'000'000, 0, {}, ""));
  EXPECT_TRUE(d["end"].is_null());
  EXPECT_TRUE(d["zones"].is_array() && d["zones"].empty());
  EXPECT_EQ(d["thumbnail"], "/api/events/7/thumbnail.jpg");
}

TEST(PayloadTest, CameraStatus) {
  EXPECT_TRUE(nlohmann::json::parse(CameraStatusData(0))["last_online"].is_null());
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(CameraStatusData(2'000'000))["last_online"].get<double>(), 2.0);
}

TEST(PayloadTest, BadDataAndBadUtf8StillMakeValidJson) {
  const Event e{"camera.offline", std::string("cam\xff\xfe", 5), 0, "{not json"};
  const nlohmann::json j = nlohmann::json::parse(DeliveryBody(e, "id"));
  EXPECT_TRUE(j["data"].is_object() && j["data"].empty());
  EXPECT_EQ(j["camera"], "cam\xEF\xBF\xBD\xEF\xBF\xBD");  // U+FFFD twice
}

TEST(PayloadTest, DeliveryIdsAre32HexDigitsAndDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewDeliveryId();
    ASSERT_EQ(id.size(), 32u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace sightline::webhook
