// API token management (token_routes.cc; security-review-1 L5: tokens never expired, survived a
// password change, and could be managed only from the command line).

#include <chrono>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/api_test_util.h"

namespace sightline::api::testing {
namespace {

using bhttp::verb;
using namespace std::chrono_literals;

constexpr int64_t kDayUs = int64_t{86'400} * 1'000'000;

class TokenRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.AddUser("admin", "admin-password", auth::Role::kAdmin);
    h_.AddUser("viewer1", "viewer-password", auth::Role::kViewer, {"cam0"});
    h_.AddUser("viewer2", "viewer-password", auth::Role::kViewer, {"cam0"});
  }
  int64_t Now() const { return UnixMicros(clock_.WallNow()); }
  // The new token's secret; "" (and a failed expectation) when not created.
  std::string Create(const std::string& cookie, const std::string& user, const std::string& body) {
    ClientResponse r = h_.Send(verb::post, "/api/users/" + user + "/tokens", cookie, body);
    EXPECT_EQ(r.result_int(), 201) << r.body();
    if (r.result_int() != 201) return "";
    return nlohmann::json::parse(r.body()).value("token", "");
  }
  int Me(const std::string& token) {
    return h_.Send(verb::get, "/api/me", "", "", {{"Authorization", "Bearer " + token}})
        .result_int();
  }
  nlohmann::json List(const std::string& cookie, const std::string& user) {
    ClientResponse r = h_.Send(verb::get, "/api/users/" + user + "/tokens", cookie);
    EXPECT_EQ(r.result_int(), 200) << r.body();
    return r.result_int() == 200 ? nlohmann::json::parse(r.body()) : nlohmann::json();
  }

  SimulatedClock clock_;  // the account store's: tokens expire on it
  ApiHarness h_{{.clock = &clock_, .password_cost = auth::kTestPasswordCost}};
};

TEST_F(TokenRoutesTest, CreateListUseRevoke) {
  const std::string viewer = h_.Login("viewer1", "viewer-password");
  const int64_t t0 = Now();
  const std::string secret = Create(viewer, "viewer1", R"({"name":"nightly export"})");
  ASSERT_FALSE(secret.empty());
  EXPECT_EQ(Me(secret), 200);

  nlohmann::json list = List(viewer, "viewer1");
  ASSERT_EQ(list["tokens"].size(), 1u) << list;
  const nlohmann::json& t = list["tokens"][0];
  EXPECT_EQ(t["name"], "nightly export");
  EXPECT_EQ(t["created_us"], t0);
  EXPECT_EQ(t["expires_us"], t0 + 90 * kDayUs) << "90 days unless asked otherwise";
  EXPECT_TRUE(t.contains("last_used_us"));
  EXPECT_FALSE(t.contains("token")) << "the secret is shown only at creation";
  EXPECT_EQ(list.dump().find(secret), std::string::npos);

  // Never expiring, only when asked for; nonsense refused.
  ASSERT_FALSE(Create(viewer, "viewer1", R"({"name":"forever","expires_days":0})").empty());
  EXPECT_EQ(List(viewer, "viewer1")["tokens"][0]["expires_us"], 0);  // by name: forever first
  for (const char* bad : {R"({"name":"a","expires_days":-1})", R"({"name":"a","expires_days":99999})",
                          R"({"name":"a","expires_days":"x"})", R"({"name":""})",
                          R"({"name":"a/b"})", R"({"name":"nightly export"})"}) {
    ClientResponse r = h_.Send(verb::post, "/api/users/viewer1/tokens", viewer, bad);
    EXPECT_TRUE(r.result_int() == 400 || r.result_int() == 409) << bad << ": " << r.body();
  }

  ClientResponse del = h_.Send(verb::delete_, "/api/users/viewer1/tokens/nightly%20export", viewer);
  EXPECT_EQ(del.result_int(), 204) << del.body();
  EXPECT_EQ(Me(secret), 401);
  EXPECT_EQ(h_.Send(verb::delete_, "/api/users/viewer1/tokens/nightly%20export", viewer).result_int(), 404);
}

TEST_F(TokenRoutesTest, ExpiredTokensAreRefused) {
  const std::string admin = h_.Login("admin", "admin-password");
  const std::string week = Create(admin, "viewer1", R"({"name":"week","expires_days":7})");
  ASSERT_FALSE(week.empty());
  clock_.Advance(7 * 24h - 1s);
  EXPECT_EQ(Me(week), 200);
  clock_.Advance(1s);
  EXPECT_EQ(Me(week), 401);
  // Still listed, so its owner sees why the script stopped.
  const std::string viewer = h_.Login("viewer1", "viewer-password");
  EXPECT_EQ(List(viewer, "viewer1")["tokens"].size(), 1u);
}

TEST_F(TokenRoutesTest, OnlyAdminsManageOtherUsersTokens) {
  const std::string admin = h_.Login("admin", "admin-password");
  const std::string viewer = h_.Login("viewer1", "viewer-password");
  ASSERT_FALSE(Create(admin, "viewer2", R"({"name":"v2"})").empty()) << "an admin, for anyone";
  EXPECT_EQ(List(admin, "viewer2")["tokens"].size(), 1u);
  EXPECT_EQ(h_.Send(verb::get, "/api/users/viewer2/tokens", viewer).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::post, "/api/users/viewer2/tokens", viewer, R"({"name":"mine"})").result_int(), 403);
  EXPECT_EQ(h_.Send(verb::delete_, "/api/users/viewer2/tokens/v2", viewer).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::get, "/api/users/admin/tokens", viewer).result_int(), 403);
  // Unknown names look like other users' to a non-admin, and are 404 to an admin.
  EXPECT_EQ(h_.Send(verb::get, "/api/users/nobody/tokens", viewer).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::get, "/api/users/nobody/tokens", admin).result_int(), 404);
  EXPECT_EQ(List(admin, "viewer2")["tokens"].size(), 1u) << "nothing changed";
  // Own name, in another case: the same user.
  EXPECT_EQ(h_.Send(verb::get, "/api/users/VIEWER1/tokens", viewer).result_int(), 200);
}

TEST_F(TokenRoutesTest, TokensCannotMintTokens) {
  const std::string viewer = h_.Login("viewer1", "viewer-password");
  const std::string secret = Create(viewer, "viewer1", R"({"name":"script"})");
  ASSERT_FALSE(secret.empty());
  ClientResponse r = h_.Send(verb::post, "/api/users/viewer1/tokens", "", R"({"name":"successor","expires_days":0})",
                             {{"Authorization", "Bearer " + secret}});
  EXPECT_EQ(r.result_int(), 403) << r.body();
}

TEST_F(TokenRoutesTest, PasswordChangeRevokesTokens) {
  const std::string admin = h_.Login("admin", "admin-password");
  const std::string secret = Create(admin, "viewer1", R"({"name":"cron"})");
  ASSERT_FALSE(secret.empty());
  ASSERT_EQ(Me(secret), 200);
  // A role change leaves tokens alone; a password change, the reset after a theft, does not.
  ASSERT_EQ(h_.Send(verb::patch, "/api/users/viewer1", admin, R"({"role":"operator"})").result_int(), 200);
  EXPECT_EQ(Me(secret), 200);
  ClientResponse r = h_.Send(verb::patch, "/api/users/viewer1", admin, R"({"password":"a-new-password"})");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(Me(secret), 401);
  EXPECT_TRUE(List(admin, "viewer1")["tokens"].empty());
  Result<std::vector<auth::AuditRecord>> revokes =
      h_.accounts().QueryAudit({.action = std::string(auth::kAuditTokenRevoke)});
  ASSERT_TRUE(revokes.ok());
  ASSERT_EQ(revokes->size(), 1u);
  EXPECT_EQ((*revokes)[0].user, "admin");
  EXPECT_EQ((*revokes)[0].detail, "user=viewer1 tokens=1 password changed");
}

}  // namespace
}  // namespace sightline::api::testing
