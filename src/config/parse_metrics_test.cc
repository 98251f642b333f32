#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace sightline::config {
namespace {

using test_util::Errors;
using test_util::FakeEnv;
using test_util::kMinimal;
using test_util::ParseOk;

constexpr char kToken[] = "0123456789abcdef0123";

std::string WithMetrics(const std::string& section) { return std::string(kMinimal) + "metrics:\n" + section; }

TEST(ParseMetricsTest, OffByDefault) {
  const Config c = ParseOk(kMinimal);
  EXPECT_FALSE(c.metrics.enabled);
  EXPECT_EQ(c.metrics.token, "");
  EXPECT_TRUE(c.metrics.allow.empty());
}

TEST(ParseMetricsTest, TokenFromTheEnvironmentAndAllowList) {
  const Config c = ParseOk(WithMetrics("  enabled: true\n  token: ${SCRAPE_TOKEN}\n"
                                       "  allow: [127.0.0.1, 10.0.0.0/8, \"fd00::/8\"]\n"),
                           FakeEnv({{"SCRAPE_TOKEN", kToken}}));
  EXPECT_TRUE(c.metrics.enabled);
  EXPECT_EQ(c.metrics.token, kToken);
  ASSERT_EQ(c.metrics.allow.size(), 3u);
  EXPECT_EQ(c.metrics.allow[0].ToString(), "127.0.0.1/32");
  EXPECT_TRUE(c.metrics.allow[1].Contains("10.9.8.7"));
  EXPECT_TRUE(c.metrics.allow[2].Contains("fd00::1"));
}

TEST(ParseMetricsTest, EnabledWithoutTokenOrAllowListIsRefused) {
  EXPECT_EQ(
      Errors(WithMetrics("  enabled: true\n")),
      "test.yaml:10:12: metrics.enabled: metrics are enabled without a token or an allow list: GET /metrics "
      "would be open to anyone who can reach http.listen (set metrics.token, metrics.allow, or both)");
  EXPECT_NE(Errors(WithMetrics("  enabled: true\n  allow: []\n")).find("without a token or an allow list"),
            std::string::npos);
  // Either one suffices; without `enabled` nothing is served.
  EXPECT_TRUE(ParseOk(WithMetrics("  enabled: true\n  allow: [127.0.0.1]\n")).metrics.enabled);
  EXPECT_FALSE(ParseOk(WithMetrics(std::string("  token: ") + kToken + "\n")).metrics.enabled);
}

TEST(ParseMetricsTest, BadTokensAreNamedWithoutShowingThem) {
  const std::string short_token =
      Errors(WithMetrics("  enabled: true\n  token: ${T}\n"), FakeEnv({{"T", "hunter2"}}));
  EXPECT_EQ(
      short_token,
      "test.yaml:11:10: metrics.token: the token is 7 characters; it must be at least 16 (for example the "
      "output of `openssl rand -hex 32`)");
  const std::string spaces = Errors(WithMetrics("  enabled: true\n  token: \"0123456789 abcdef\"\n"));
  EXPECT_NE(spaces.find("metrics.token: the token may only hold"), std::string::npos) << spaces;
  EXPECT_EQ(spaces.find("0123456789 abcdef"), std::string::npos) << spaces;
}

TEST(ParseMetricsTest, BadNetworksAreNamedWithTheirPosition) {
  const std::string e = Errors(WithMetrics("  enabled: true\n  allow: [10.0.0.0/8, lan, 10.1.0.0/8]\n"));
  EXPECT_NE(e.find("test.yaml:11:23: metrics.allow[1]: \"lan\" is not an IP address"), std::string::npos)
      << e;
  EXPECT_NE(e.find("metrics.allow[2]: \"10.1.0.0/8\" has address bits set beyond its /8 prefix"),
            std::string::npos)
      << e;
  EXPECT_NE(Errors(WithMetrics("  enabled: yes\n  allow: [127.0.0.1]\n")).find("metrics.enabled"),
            std::string::npos);
  EXPECT_NE(Errors(WithMetrics("  enable: true\n")).find("unknown key \"enable\""), std::string::npos);
}

}  // namespace
}  // namespace sightline::config
