// The `webhooks:` list: defaults, every key, and errors with file:line that never show a secret.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace sightline::config {
namespace {

using namespace test_util;

std::string WithWebhooks(std::string_view items) { return std::string(kMinimal) + "webhooks:\n" + std::string(items); }

TEST(ParseWebhooksTest, AbsentMeansNoneAndDefaults) {
  EXPECT_TRUE(ParseOk(kMinimal).webhooks.empty());
  const Config c = ParseOk(WithWebhooks("  - url: https://hooks.example.com/in\n    secret: 0123456789abcdef\n"));
  ASSERT_EQ(c.webhooks.size(), 1u);
  const WebhookConfig& w = c.webhooks[0];
  EXPECT_EQ(w.url, "https://hooks.example.com/in");
  EXPECT_EQ(w.secret, "0123456789abcdef");
  EXPECT_TRUE(w.events.empty());
  EXPECT_TRUE(w.cameras.empty());
  EXPECT_EQ(w.timeout_ms, 10000);
  EXPECT_EQ(w.max_queue, 1000);
  EXPECT_EQ(w.base_url, "");
}

TEST(ParseWebhooksTest, EveryKeyAndSeveralHooks) {
  const Config c = ParseOk(WithWebhooks(R"yaml(  - url: http://10.0.0.9:8080/sightline?source=nvr
    secret: ${FRONT_DOOR_PASSWORD}-and-more-text
    events: [motion_event.end, camera]
    cameras: [cam]
    timeout: 5s
    max_queue: 50
    base_url: https://nvr.lan
  - url: https://b.example.com/x
    secret: abcdefghijklmnopqrstuvwxyz
)yaml"));
  ASSERT_EQ(c.webhooks.size(), 2u);
  const WebhookConfig& w = c.webhooks[0];
  EXPECT_EQ(w.url, "http://10.0.0.9:8080/sightline?source=nvr");
  EXPECT_EQ(w.secret, "s3cret-and-more-text");
  EXPECT_EQ(w.events, (std::vector<std::string>{"motion_event.end", "camera"}));
  EXPECT_EQ(w.cameras, (std::vector<std::string>{"cam"}));
  EXPECT_EQ(w.timeout_ms, 5000);
  EXPECT_EQ(w.max_queue, 50);
  EXPECT_EQ(w.base_url, "https://nvr.lan");
  EXPECT_EQ(c.webhooks[1].url, "https://b.example.com/x");
}

TEST(ParseWebhooksTest, ErrorsNameTheLineAndTheRule) {
  // kMinimal has 8 lines: "webhooks:" is line 9, the first item line 10.
  const std::string secret = "    secret: 0123456789abcdef\n";
  const std::pair<std::string, std::string> cases[] = {
      {"  - secret: 0123456789abcdef\n", "test.yaml:10:5: webhooks[0]: missing required key \"url\""},
      {"  - url: https://a/x\n", "missing required key \"secret\""},
      {"  - url: ftp://a/x\n" + secret, "test.yaml:10:10: webhooks[0].url: is not an http:// or https:// URL"},
      {"  - url: https://a/x y\n" + secret, "is not an http:// or https:// URL"},
      {"  - url: https://a/x\n    secret: short\n", "test.yaml:11:13: webhooks[0].secret: is 5 characters; give at least 16"},
      {"  - url: https://a/x\n" + secret + "    events: [motion]\n", "unknown event \"motion\" (events: motion_event, camera"},
      {"  - url: https://a/x\n" + secret + "    events: [camera, camera]\n", "\"camera\" is listed twice"},
      {"  - url: https://a/x\n" + secret + "    events: []\n", "an empty list lets nothing through"},
      {"  - url: https://a/x\n" + secret + "    cameras: [nope]\n", "no camera named \"nope\" in cameras"},
      {"  - url: https://a/x\n" + secret + "    timeout: 2m\n", "between 1s and 60s"},
      {"  - url: https://a/x\n" + secret + "    max_queue: 0\n", "between 1 and 100000"},
      {"  - url: https://a/x\n" + secret + "    base_url: https://a/\n", "is not a base URL"},
      {"  - url: https://a/x\n" + secret + "    colour: red\n", "colour"},
  };
  for (const auto& [yaml, want] : cases) {
    const std::string errors = Errors(WithWebhooks(yaml));
    EXPECT_NE(errors.find(want), std::string::npos) << yaml << "\n" << errors;
  }
}

TEST(ParseWebhooksTest, AShortSecretIsNotRepeatedInTheError) {
  const std::string errors = Errors(WithWebhooks("  - url: https://a/x\n    secret: hunter2hunter\n"));
  EXPECT_EQ(errors.find("hunter2"), std::string::npos) << errors;
}

}  // namespace
}  // namespace sightline::config
