#include "mqtt/command.h"

#include <gtest/gtest.h>

namespace sightline::mqtt {
namespace {

const Topics kTopics("sightline");

TEST(CommandTest, ParsesBothSwitchesAndBothStates) {
  Result<Command> c = ParseCommand(kTopics, "sightline/front_door/motion/set", "OFF");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->camera, "front_door");
  EXPECT_EQ(c->what, Switch::kMotion);
  EXPECT_FALSE(c->on);
  c = ParseCommand(kTopics, "sightline/cam-2/recording/set", "ON");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->camera, "cam-2");
  EXPECT_EQ(c->what, Switch::kRecording);
  EXPECT_TRUE(c->on);
}

TEST(CommandTest, PayloadIsCaseInsensitiveAndTrimmed) {
  for (const char* on : {"on", "On", " ON\n", "\tON "}) {
    Result<Command> c = ParseCommand(kTopics, "sightline/a/motion/set", on);
    ASSERT_TRUE(c.ok()) << on;
    EXPECT_TRUE(c->on);
  }
  EXPECT_FALSE(ParseCommand(kTopics, "sightline/a/motion/set", "off\r\n")->on);
}

TEST(CommandTest, RefusesBadPayloadsNamingTheTopic) {
  for (const char* bad : {"", "1", "true", "ONN", "O N", "{\"state\":\"ON\"}", "ON OFF"}) {
    Result<Command> c = ParseCommand(kTopics, "sightline/a/motion/set", bad);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find("sightline/a/motion/set"), std::string::npos) << c.status();
    EXPECT_NE(c.status().message().find("not ON or OFF"), std::string::npos) << c.status();
  }
  EXPECT_FALSE(ParseCommand(kTopics, "sightline/a/motion/set", std::string(1000, ' ') + "ON").ok());
}

TEST(CommandTest, RefusesTopicsThatAreNotCommands) {
  for (const char* bad : {"sightline/a/motion", "sightline/a/motion/state", "other/a/motion/set",
                          "sightline//motion/set", "sightline/a/b/motion/set", "sightline/a/snapshot/set",
                          "sightline/a b/motion/set", "sightline/a/motion/set/x", "sightline",
                          "sightlinex/a/motion/set", "sightline/+/motion/set"}) {
    EXPECT_FALSE(ParseCommand(kTopics, bad, "ON").ok()) << bad;
  }
  EXPECT_FALSE(ParseCommand(kTopics, "sightline/" + std::string(65, 'a') + "/motion/set", "ON").ok());
  EXPECT_TRUE(ParseCommand(kTopics, "sightline/" + std::string(64, 'a') + "/motion/set", "ON").ok());
}

TEST(CommandTest, PrintableHidesControlBytesAndCutsLongText) {
  EXPECT_EQ(Printable(std::string("a\nb\0c\x80", 6)), "a?b?c?");
  EXPECT_EQ(Printable(std::string(100, 'x')), std::string(64, 'x') + "...");
}

TEST(TopicsTest, NamesEveryTopicUnderThePrefix) {
  const Topics t("home/nvr");
  EXPECT_EQ(t.Available(), "home/nvr/available");
  EXPECT_EQ(t.Events(), "home/nvr/events");
  EXPECT_EQ(t.Stats(), "home/nvr/stats");
  EXPECT_EQ(t.Status("yard"), "home/nvr/yard/status");
  EXPECT_EQ(t.Motion("yard"), "home/nvr/yard/motion");
  EXPECT_EQ(t.Snapshot("yard"), "home/nvr/yard/snapshot");
  EXPECT_EQ(t.SwitchState("yard", Switch::kRecording), "home/nvr/yard/recording/state");
  EXPECT_EQ(t.SwitchCommand("yard", Switch::kMotion), "home/nvr/yard/motion/set");
  EXPECT_EQ(t.SwitchCommandFilter(Switch::kMotion), "home/nvr/+/motion/set");
  // What the subscriptions deliver parses back.
  Result<Command> c = ParseCommand(t, t.SwitchCommand("yard", Switch::kRecording), "ON");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->camera, "yard");
}

}  // namespace
}  // namespace sightline::mqtt
