// The `site:` section of sightline.yaml and the central.yaml of `sightline central`.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace sightline::config {
namespace {

using namespace test_util;

std::string WithSite(std::string_view site) { return std::string(kMinimal) + "site:\n" + std::string(site); }

TEST(ParseSiteTest, WithoutASiteSectionThereIsNoUplink) {
  EXPECT_FALSE(ParseOk(kMinimal).site.has_value());
}

TEST(ParseSiteTest, ASiteNamesItsNatsServerAndBudget) {
  const Config c = ParseOk(WithSite("  name: shop-1\n  nats_url: nats://127.0.0.1:7422\n  link_kbit_s: 512\n"));
  ASSERT_TRUE(c.site.has_value());
  EXPECT_EQ(c.site->name, "shop-1");
  EXPECT_EQ(c.site->nats.url, "nats://127.0.0.1:7422");
  EXPECT_TRUE(c.site->nats.credentials_path.empty());
  EXPECT_EQ(c.site->link_kbit_s, 512);
  EXPECT_EQ(ParseOk(WithSite("  name: b\n  nats_url: tls://hub.example:7422\n")).site->link_kbit_s, 256);
  EXPECT_NE(Describe(c).find("site shop-1 reporting to nats://127.0.0.1:7422"), std::string::npos);
}

TEST(ParseSiteTest, ProblemsAreReportedWithTheirLineAndWhatIsAllowed) {
  EXPECT_NE(Errors(WithSite("  nats_url: nats://h:1\n")).find("site: missing required key \"name\""),
            std::string::npos)
      << Errors(WithSite("  nats_url: nats://h:1\n"));
  const std::string bad_name = Errors(WithSite("  name: shop.1\n  nats_url: nats://h:1\n"));
  EXPECT_NE(bad_name.find("test.yaml:10:9: site.name: \"shop.1\" is not a site name"), std::string::npos) << bad_name;
  const std::string bad_url = Errors(WithSite("  name: s\n  nats_url: http://h:1\n"));
  EXPECT_NE(bad_url.find("test.yaml:11:13: site.nats_url: \"http://h:1\" is not a NATS server URL"),
            std::string::npos)
      << bad_url;
  const std::string no_port = Errors(WithSite("  name: s\n  nats_url: nats://h\n"));
  EXPECT_NE(no_port.find("is not a NATS server URL"), std::string::npos) << no_port;
  const std::string slow = Errors(WithSite("  name: s\n  nats_url: nats://h:1\n  link_kbit_s: 4\n"));
  EXPECT_NE(slow.find("test.yaml:12:16: site.link_kbit_s: \"4\" is out of range: must be between 8 and 10000000"),
            std::string::npos)
      << slow;
  const std::string creds = Errors(WithSite("  name: s\n  nats_url: nats://h:1\n  credentials: /nonexistent.creds\n"));
  EXPECT_NE(creds.find("site.credentials: \"/nonexistent.creds\" does not exist"), std::string::npos) << creds;
  const std::string unknown = Errors(WithSite("  name: s\n  nats_url: nats://h:1\n  budget: 5\n"));
  EXPECT_NE(unknown.find("unknown key \"budget\""), std::string::npos) << unknown;
}

TEST(ParseCentralTest, ACentralConfigNamesNatsAndPostgres) {
  const Result<CentralConfig> c = ParseCentralConfig(
      "nats:\n  url: nats://10.0.0.1:4222\npostgres: \"host=/run/postgresql dbname=${DB}\"\n", "central.yaml",
      FakeEnv({{"DB", "sightline"}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->nats.url, "nats://10.0.0.1:4222");
  EXPECT_EQ(c->postgres, "host=/run/postgresql dbname=sightline");
}

TEST(ParseCentralTest, EveryProblemIsReportedAtOnce) {
  const Result<CentralConfig> c =
      ParseCentralConfig("nats:\n  url: nats:/x\n  token: 1\n", "central.yaml", kEnv);
  ASSERT_FALSE(c.ok());
  const std::string m = c.status().message();
  EXPECT_NE(m.find("central.yaml:2:8: nats.url: \"nats:/x\" is not a NATS server URL"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown key \"token\""), std::string::npos) << m;
  EXPECT_NE(m.find("missing required key \"postgres\""), std::string::npos) << m;
  EXPECT_FALSE(ParseCentralConfig("", "central.yaml", kEnv).ok());
}

}  // namespace
}  // namespace sightline::config
