#include "uplink/protocol.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sightline::uplink {
namespace {

constexpr const char* kEpoch = "0123456789abcdef0123456789abcdef";

Message Sample() {
  return Message{"shop-1", kEpoch, Lane::kEvent, 17, "motion_event", 1'700'000'000'000'000,
                 R"({"id":4,"camera":"front","zones":"door"})", ""};
}

// The envelope of Sample() with `field` replaced by `json` (raw JSON text).
std::string With(const std::string& field, const std::string& json) {
  nlohmann::json j = nlohmann::json::parse(*EncodeMessage(Sample()));
  j[field] = nlohmann::json::parse(json);
  return j.dump();
}

TEST(ProtocolTest, SubjectsCarryTheSiteAndTheLaneSoPermissionsCanBePerSite) {
  EXPECT_EQ(UpSubject("shop-1", Lane::kAlarm), "sl.shop-1.up.alarm");
  EXPECT_EQ(UpSubject("shop-1", Lane::kHealth), "sl.shop-1.up.health");
  EXPECT_EQ(AckSubject("shop-1"), "sl.shop-1.ack");
  EXPECT_TRUE(IsValidSiteName("Shop_1-b"));
  for (const char* bad : {"", "a.b", "a*", "a>", "a b", "é"}) EXPECT_FALSE(IsValidSiteName(bad)) << bad;
  EXPECT_FALSE(IsValidSiteName(std::string(65, 'a')));
}

TEST(ProtocolTest, LanesAreInPriorityOrderAlarmsFirstAndNamedOnTheWire) {
  EXPECT_EQ(kLanesByPriority[0], Lane::kAlarm);
  EXPECT_EQ(kLanesByPriority[1], Lane::kEvent);
  EXPECT_EQ(kLanesByPriority[2], Lane::kAudit);
  EXPECT_EQ(kLanesByPriority[3], Lane::kInventory);
  EXPECT_EQ(kLanesByPriority[4], Lane::kHealth);
  for (Lane lane : kLanesByPriority) EXPECT_EQ(LaneFromName(LaneName(lane)), lane);
  EXPECT_FALSE(LaneFromName("thumbnail"));
}

TEST(ProtocolTest, AMessageRoundTripsAndTakesItsCameraFromTheBody) {
  const Result<std::string> data = EncodeMessage(Sample());
  ASSERT_TRUE(data.ok()) << data.status();
  const Result<Message> m = ParseMessage("sl.shop-1.up.event", *data);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->site, "shop-1");
  EXPECT_EQ(m->epoch, kEpoch);
  EXPECT_EQ(m->lane, Lane::kEvent);
  EXPECT_EQ(m->seq, 17);
  EXPECT_EQ(m->kind, "motion_event");
  EXPECT_EQ(m->time_us, 1'700'000'000'000'000);
  EXPECT_EQ(nlohmann::json::parse(m->body), nlohmann::json::parse(Sample().body));
  EXPECT_EQ(m->camera, "front");
}

TEST(ProtocolTest, EncodingRefusesABodyThatIsNotAnObject) {
  Message m = Sample();
  for (const char* body : {"[1]", "3", "{", ""}) {
    m.body = body;
    EXPECT_FALSE(EncodeMessage(m).ok()) << body;
  }
}

TEST(ProtocolTest, AMessageFromAnotherSiteOrLaneThanItsSubjectIsRefused) {
  const std::string data = *EncodeMessage(Sample());
  const Result<Message> other_site = ParseMessage("sl.shop-2.up.event", data);
  ASSERT_FALSE(other_site.ok());
  EXPECT_NE(other_site.status().message().find("not the subject's site"), std::string::npos)
      << other_site.status();
  EXPECT_FALSE(ParseMessage("sl.shop-1.up.audit", data).ok());
  EXPECT_FALSE(ParseMessage("sl.shop-1.ack", data).ok());
  EXPECT_FALSE(ParseMessage("x.shop-1.up.event", data).ok());
}

TEST(ProtocolTest, BadMessagesAreRefusedNamingTheSubjectAndTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not valid JSON"},
      {"[1,2]", "not a JSON object"},
      {With("v", "2"), "version 2"},
      {With("seq", "0"), "'seq' is out of range"},
      {With("seq", "-5"), "'seq' is out of range"},
      {With("seq", "18446744073709551615"), "'seq' is out of range"},
      {With("seq", "1.5"), "'seq' is not an integer"},
      {With("seq", "\"7\""), "'seq' is not an integer"},
      {With("epoch", "\"ABC\""), "'epoch'"},
      {With("kind", "\"Motion\""), "'kind'"},
      {With("lane", "\"thumbnail\""), "'lane' is not a lane"},
      {With("body", "[1]"), "'body' is not a JSON object"},
      {With("site", "\"a.b\""), "'site' is not a site name"},
      {With("body", R"({"camera":"a\u0000b"})"), "NUL"},
      {"{\"v\":1,\"site\":\"\xff\"}", "not valid JSON"},
  };
  for (const auto& [data, expected] : cases) {
    const Result<Message> m = ParseMessage("sl.shop-1.up.event", data);
    ASSERT_FALSE(m.ok()) << data;
    EXPECT_NE(m.status().message().find(expected), std::string::npos) << data << " -> " << m.status();
    EXPECT_NE(m.status().message().find("sl.shop-1.up.event"), std::string::npos) << m.status();
  }
}

TEST(ProtocolTest, OversizeAndDeeplyNestedMessagesAreRefusedBeforeParsing) {
  const std::string huge = With("body", "{\"pad\":\"" + std::string(kMaxMessageBytes, 'x') + "\"}");
  const Result<Message> big = ParseMessage("sl.shop-1.up.event", huge);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("allowed"), std::string::npos) << big.status();
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  const Result<Message> nested = ParseMessage("sl.shop-1.up.event", deep);
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.status().message().find("nested"), std::string::npos) << nested.status();
  // Brackets inside strings do not count.
  EXPECT_TRUE(ParseMessage("sl.shop-1.up.event", With("body", R"({"t":"[[[[[[[[[[[[[[[[[[[[[[[["})")).ok());
}

TEST(ProtocolTest, AcksRoundTripWithOnlyTheLanesTheCentreHasSeen) {
  Ack ack;
  ack.epoch = kEpoch;
  ack.watermark[static_cast<int>(Lane::kEvent)] = 41;
  ack.watermark[static_cast<int>(Lane::kAudit)] = 0;
  const Result<Ack> back = ParseAck(EncodeAck(ack));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->epoch, kEpoch);
  EXPECT_EQ(back->watermark[static_cast<int>(Lane::kEvent)], 41);
  EXPECT_EQ(back->watermark[static_cast<int>(Lane::kAudit)], 0);
  EXPECT_FALSE(back->watermark[static_cast<int>(Lane::kAlarm)].has_value());
  EXPECT_FALSE(ParseAck(R"({"v":1,"epoch":"x","lanes":{}})").ok());
  EXPECT_FALSE(ParseAck(std::string(R"({"v":1,"epoch":")") + kEpoch + R"(","lanes":{"event":-1}})").ok());
  EXPECT_FALSE(ParseAck("[]").ok());
}

}  // namespace
}  // namespace sightline::uplink
