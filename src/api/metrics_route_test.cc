// GET /metrics: the scrape is refused without the token or an allowed address (a
// security-relevant route: each refusal below fails if CheckScrape lets everyone in), and
// served in the text format when allowed. Off unless the app passes a registry.

#include "api/metrics_route.h"

#include <gtest/gtest.h>

#include "api/api_test_util.h"
#include "http/server_test_util.h"

namespace sightline::api {
namespace {

using http::testing::Client;
using http::testing::ClientResponse;
using http::testing::TestServer;

constexpr char kToken[] = "scrape-token-0123456789";

MetricsAccess Access(std::string token, std::vector<std::string> allow) {
  MetricsAccess a{std::move(token), {}};
  for (const std::string& c : allow) a.allow.push_back(*Cidr::Parse(c));
  return a;
}

class MetricsRouteTest : public ::testing::Test {
 protected:
  void Serve(MetricsAccess access) {
    ASSERT_TRUE(registry_.AddCounter("sightline_test_total", "A test counter.").ok());
    http::Router router;
    AddMetricsRoute(router, registry_, std::move(access));
    server_ = std::make_unique<TestServer>(std::move(router));
    ASSERT_TRUE(server_->Start().ok());
  }

  // A scrape from `source` (any address of 127.0.0.0/8) with the given Authorization field.
  ClientResponse Scrape(const std::string& source, const std::string& authorization = "") {
    Client c(server_->port(), false, source);
    std::vector<std::pair<std::string, std::string>> fields;
    if (!authorization.empty()) fields.push_back({"Authorization", authorization});
    return c.Get("/metrics", fields);
  }

  static bool HasMetrics(const ClientResponse& r) {
    return r.body().find("sightline_test_total 0") != std::string::npos;
  }

  metrics::Registry registry_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(MetricsRouteTest, TheRightTokenScrapesInTheTextFormat) {
  Serve(Access(kToken, {}));
  ClientResponse r = Scrape("127.0.0.1", std::string("Bearer ") + kToken);
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_TRUE(HasMetrics(r)) << r.body();
  EXPECT_EQ(r[boost::beast::http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r[boost::beast::http::field::cache_control], "no-store");
  EXPECT_EQ(Scrape("127.0.0.1", std::string("bearer ") + kToken).result_int(), 200);  // scheme: any case
}

TEST_F(MetricsRouteTest, NoTokenOrAWrongOneIs401) {
  Serve(Access(kToken, {}));
  ClientResponse none = Scrape("127.0.0.1");
  EXPECT_EQ(none.result_int(), 401);
  EXPECT_FALSE(HasMetrics(none));
  EXPECT_EQ(none[boost::beast::http::field::www_authenticate], "Bearer realm=\"sightline metrics\"");
  EXPECT_NE(none.body().find("Authorization: Bearer"), std::string::npos) << none.body();
  for (const std::string& wrong :
       {std::string("Bearer ") + kToken + "x", std::string("Bearer "), std::string("Bearer scrape-token"),
        std::string("Basic ") + kToken, std::string(kToken)}) {
    ClientResponse r = Scrape("127.0.0.1", wrong);
    EXPECT_EQ(r.result_int(), 401) << wrong;
    EXPECT_FALSE(HasMetrics(r)) << wrong;
  }
}

TEST_F(MetricsRouteTest, TheAllowListAdmitsOnlyItsAddresses) {
  Serve(Access("", {"127.0.0.2", "10.0.0.0/8"}));
  EXPECT_TRUE(HasMetrics(Scrape("127.0.0.2")));
  ClientResponse other = Scrape("127.0.0.3");
  EXPECT_EQ(other.result_int(), 403);
  EXPECT_FALSE(HasMetrics(other));
  EXPECT_NE(other.body().find("client address 127.0.0.3 is not in metrics.allow"), std::string::npos)
      << other.body();
  // Without a configured token no bearer token opens it, not even an empty one.
  EXPECT_EQ(Scrape("127.0.0.3", "Bearer ").result_int(), 401);
  EXPECT_EQ(Scrape("127.0.0.3", "Bearer anything-at-all-here").result_int(), 401);
}

TEST_F(MetricsRouteTest, TokenOrAllowListEitherSufficesButAWrongTokenIsRefused) {
  Serve(Access(kToken, {"127.0.0.2"}));
  EXPECT_EQ(Scrape("127.0.0.2").result_int(), 200);
  EXPECT_EQ(Scrape("127.0.0.3", std::string("Bearer ") + kToken).result_int(), 200);
  EXPECT_EQ(Scrape("127.0.0.3").result_int(), 401);
  EXPECT_EQ(Scrape("127.0.0.2", "Bearer wrong-token-wrong-token").result_int(), 401);
}

TEST(MetricsRouteOffTest, OffUnlessTheAppPassesARegistry) {
  testing::ApiHarness h;
  ClientResponse r = h.Send(boost::beast::http::verb::get, "/metrics");
  EXPECT_EQ(r.result_int(), 404);
  EXPECT_NE(r.body().find("metrics are off"), std::string::npos) << r.body();
}

}  // namespace
}  // namespace sightline::api
