// The API's answers to the attacks of security-review-1 (finding ids in each test's comment),
// against the real router and account store (api_test_util.h).

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "api/api_test_util.h"

namespace sightline::api::testing {
namespace {

using bhttp::verb;

class ApiSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.AddUser("admin", "admin-password", auth::Role::kAdmin);
    h_.AddUser("viewer1", "viewer-password", auth::Role::kViewer, {"cam0"});
    h_.AddUser("op1", "operator-password", auth::Role::kOperator, {"cam0"});
  }
  ApiHarness h_;
};

// H1: a login body may hold a name of up to the 1 MiB body limit, which the rate limiter kept.
TEST_F(ApiSecurityTest, LoginBodiesAreSmall) {
  const std::string big = R"({"username":")" + std::string(1 << 20, 'x') + R"(","password":"y"})";
  EXPECT_EQ(h_.Send(verb::post, "/api/login", "", big).result_int(), 413);
  const std::string long_name = R"({"username":")" + std::string(3000, 'x') + R"(","password":"y"})";
  EXPECT_EQ(h_.Send(verb::post, "/api/login", "", long_name).result_int(), 401);
  // A name longer than 64 bytes never matches the user it starts with.
  const std::string padded = R"({"username":")" + std::string("admin") + std::string(100, 'x') +
                             R"(","password":"admin-password"})";
  EXPECT_EQ(h_.Send(verb::post, "/api/login", "", padded).result_int(), 401);
}

// M1: end_us - start_us overflowed, so INT64_MIN..INT64_MAX passed every span cap.
TEST_F(ApiSecurityTest, SpanCapsHoldForExtremeTimes) {
  const std::string cookie = h_.Login("op1", "operator-password");
  for (const char* range : {"start_us=-9223372036854775808&end_us=9223372036854775807",
                            "start_us=-6917529027641081856&end_us=6917529027641081856",
                            "start_us=0&end_us=9223372036854775807"}) {
    for (const std::string target : {"/api/cameras/cam0/recordings?", "/api/cameras/cam0/streams/main/playlist.m3u8?"}) {
      ClientResponse r = h_.Send(verb::get, target + range, cookie);
      EXPECT_EQ(r.result_int(), 400) << target << range << ": " << r.body();
    }
  }
  ClientResponse snapshot = h_.Send(verb::get, "/api/cameras/cam0/snapshot.jpg?time_us=9223372036854775807", cookie);
  EXPECT_EQ(snapshot.result_int(), 400) << snapshot.body();
}

// M5: viewers could pull snapshots although the roles reserve them for operators.
TEST_F(ApiSecurityTest, SnapshotsAreForOperators) {
  ClientResponse viewer = h_.Send(verb::get, "/api/cameras/cam0/snapshot.jpg", h_.Login("viewer1", "viewer-password"));
  EXPECT_EQ(viewer.result_int(), 403) << viewer.body();
  // The operator passes the role check; this harness's camera has sent no picture.
  ClientResponse op = h_.Send(verb::get, "/api/cameras/cam0/snapshot.jpg", h_.Login("op1", "operator-password"));
  EXPECT_EQ(op.result_int(), 404) << op.body();
}

// L1: with a valid cookie and a foreign Origin, POST /api/users created an admin.
TEST_F(ApiSecurityTest, CrossSiteRequestsAreRefused) {
  const std::string cookie = h_.Login("admin", "admin-password");
  const std::string body = R"({"name":"mallory","password":"mallory-password","role":"admin"})";
  EXPECT_EQ(h_.Send(verb::post, "/api/users", cookie, body, {{"Origin", "http://evil.example"}}).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::post, "/api/users", cookie, body, {{"Sec-Fetch-Site", "same-site"}}).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::get, "/api/users", cookie, "", {{"Sec-Fetch-Site", "cross-site"}}).result_int(), 403);
  EXPECT_FALSE(h_.accounts().GetUser("mallory").ok());
  // The UI's own requests: same origin.
  const std::string origin = "http://127.0.0.1:" + std::to_string(h_.port());
  ClientResponse ok = h_.Send(verb::post, "/api/users", cookie, body,
                              {{"Origin", origin}, {"Host", "127.0.0.1:" + std::to_string(h_.port())},
                               {"Sec-Fetch-Site", "same-origin"}});
  EXPECT_EQ(ok.result_int(), 201) << ok.body();
}

// L2: PATCH applied fields one by one; a 400 left the role raised.
TEST_F(ApiSecurityTest, UserChangesAreAllOrNothing) {
  const std::string cookie = h_.Login("admin", "admin-password");
  ClientResponse r = h_.Send(verb::patch, "/api/users/viewer1", cookie, R"({"role":"operator","password":"short"})");
  EXPECT_EQ(r.result_int(), 400) << r.body();
  Result<auth::User> viewer = h_.accounts().GetUser("viewer1");
  ASSERT_TRUE(viewer.ok());
  EXPECT_EQ(viewer->role, auth::Role::kViewer);
  r = h_.Send(verb::patch, "/api/users/viewer1", cookie, R"({"role":"operator","cameras":["cam0","cam1"]})");
  EXPECT_EQ(r.result_int(), 200) << r.body();
  viewer = h_.accounts().GetUser("viewer1");
  EXPECT_EQ(viewer->role, auth::Role::kOperator);
  EXPECT_EQ(viewer->cameras, (std::vector<std::string>{"cam0", "cam1"}));
}

// L3: grants for cameras not in the config were accepted and hidden.
TEST_F(ApiSecurityTest, GrantsNameConfiguredCameras) {
  const std::string cookie = h_.Login("admin", "admin-password");
  ClientResponse r = h_.Send(verb::patch, "/api/users/viewer1", cookie, R"({"cameras":["cam0","futurecam"]})");
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_NE(r.body().find("futurecam"), std::string::npos) << r.body();
  EXPECT_EQ(h_.accounts().GetUser("viewer1")->cameras, std::vector<std::string>{"cam0"});
  r = h_.Send(verb::post, "/api/users", cookie,
              R"({"name":"v2","password":"viewer-password","role":"viewer","cameras":["nope"]})");
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_FALSE(h_.accounts().GetUser("v2").ok()) << "refused before the user is added";
}

// I2, I6: API answers were cacheable; "APPLICATION/JSON" got 415.
TEST_F(ApiSecurityTest, HeadersAndMediaTypes) {
  const std::string cookie = h_.Login("viewer1", "viewer-password");
  ClientResponse me = h_.Send(verb::get, "/api/me", cookie);
  EXPECT_EQ(me[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(me["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(h_.Send(verb::get, "/api/cameras/cam1", cookie)[bhttp::field::cache_control], "no-store")
      << "errors too";
  bhttp::request<bhttp::string_body> login(verb::post, "/api/login", 11);
  login.set(bhttp::field::content_type, "APPLICATION/JSON ; charset=utf-8");
  login.body() = R"({"username":"viewer1","password":"viewer-password"})";
  Client c(h_.port());
  EXPECT_EQ(c.Send(login).result_int(), 200);
}

// I4, L6: the session cookie could be shadowed by a same-site origin, and was Secure only
// when Sightline itself spoke TLS.
TEST(ApiCookieTest, SecureCookiesBehindATlsProxy) {
  ApiHarness h({.password_cost = auth::kTestPasswordCost}, {}, /*secure_cookies=*/true);
  h.AddUser("admin", "admin-password", auth::Role::kAdmin);
  ClientResponse r = h.Send(verb::post, "/api/login", "", R"({"username":"admin","password":"admin-password"})");
  ASSERT_EQ(r.result_int(), 200);
  const std::string set(r[bhttp::field::set_cookie]);
  EXPECT_TRUE(set.starts_with("__Host-sl_session=")) << set;
  EXPECT_NE(set.find("; Secure"), std::string::npos) << set;
  EXPECT_NE(set.find("; Path=/"), std::string::npos) << set;
  const std::string cookie = set.substr(0, set.find(';'));
  EXPECT_EQ(h.Send(verb::get, "/api/me", cookie).result_int(), 200);
  EXPECT_EQ(h.Send(verb::get, "/api/me", "sl_session=" + cookie.substr(cookie.find('=') + 1)).result_int(), 401)
      << "the plain name is not read";
}

// M4: each login waited for a hash slot on a handler thread, so a spray starved the API.
TEST(ApiLoginQueueTest, LoginsBeyondTheQueueAreRefusedAtOnce) {
  // One slot, no waiting, and a cost that keeps the slot busy for a while.
  ApiHarness h({.password_cost = {2, 32u << 20}, .max_concurrent_hashes = 1, .max_waiting_logins = 0});
  std::atomic<int> ok{0}, busy{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      ClientResponse r = h.Send(verb::post, "/api/login", "",
                                R"({"username":"nobody)" + std::to_string(i) + R"(","password":"x"})");
      if (r.result_int() == 503 && r[bhttp::field::retry_after] == "1") ++busy;
      if (r.result_int() == 401) ++ok;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_GE(ok.load(), 1);
  EXPECT_GE(busy.load(), 1) << "four logins at once, room for one";
  EXPECT_EQ(ok + busy, 4);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(h.Send(verb::get, "/api/health").result_int(), 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

}  // namespace
}  // namespace sightline::api::testing
