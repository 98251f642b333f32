#include "http/request_guard.h"

#include <gtest/gtest.h>

namespace sightline::http {
namespace {

Request Make(std::string method, std::string path, std::vector<std::pair<std::string, std::string>> fields) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.headers.Add("Host", "nvr.example:8080");
  for (auto& [k, v] : fields) r.headers.Add(k, v);
  return r;
}

int StatusOf(const Request& r, const RequestGuardOptions& o = {}) {
  std::optional<Response> refused = GuardRequest(r, o);
  return refused ? refused->status : 0;
}

// security-review-1 L1: POST /api/users with a foreign Origin created an admin.
TEST(RequestGuardTest, UnsafeMethodsFromAnotherOriginAreRefused) {
  EXPECT_EQ(StatusOf(Make("POST", "/api/users", {{"Origin", "http://evil.example"}})), 403);
  EXPECT_EQ(StatusOf(Make("PATCH", "/api/users/x", {{"Origin", "http://nvr.example:8081"}})), 403);
  EXPECT_EQ(StatusOf(Make("DELETE", "/x", {{"Origin", "null"}})), 403);
  EXPECT_EQ(StatusOf(Make("POST", "/api/login", {{"Sec-Fetch-Site", "same-site"}})), 403);
  EXPECT_EQ(StatusOf(Make("POST", "/api/login", {{"Sec-Fetch-Site", "cross-site"}})), 403);
  EXPECT_EQ(StatusOf(Make("POST", "/api/login", {{"Origin", "http://nvr.example:8080"},
                                                 {"Sec-Fetch-Site", "same-origin"}})), 0);
  EXPECT_EQ(StatusOf(Make("POST", "/api/login", {})), 0) << "curl sends neither";
}

// security-review-1 L1: a cross-site GET of export.mp4 wrote a file.
TEST(RequestGuardTest, ApiGetsFromAnotherSiteAreRefused) {
  EXPECT_EQ(StatusOf(Make("GET", "/api/cameras/c/snapshot.jpg", {{"Sec-Fetch-Site", "cross-site"}})), 403);
  EXPECT_EQ(StatusOf(Make("GET", "/api/cameras/c/snapshot.jpg", {{"Sec-Fetch-Site", "same-site"}})), 403);
  EXPECT_EQ(StatusOf(Make("HEAD", "/api/me", {{"Origin", "https://evil.example"}})), 403);
  EXPECT_EQ(StatusOf(Make("GET", "/api/me", {{"Sec-Fetch-Site", "none"}})), 0) << "typed by the user";
  EXPECT_EQ(StatusOf(Make("GET", "/api/me", {{"Sec-Fetch-Site", "Same-Origin"}})), 0);
  // The UI itself may be reached by a link from anywhere.
  EXPECT_EQ(StatusOf(Make("GET", "/cameras/c", {{"Sec-Fetch-Site", "cross-site"}})), 0);
}

// security-review-1 I3: DNS rebinding.
TEST(RequestGuardTest, AllowedHosts) {
  RequestGuardOptions o;
  o.allowed_hosts = {"nvr.example", "::1"};
  EXPECT_EQ(StatusOf(Make("GET", "/", {}), o), 0);
  Request evil = Make("GET", "/api/health", {});
  evil.headers.Set("Host", "evil.example");
  EXPECT_EQ(StatusOf(evil, o), 421);
  Request v6 = Make("GET", "/", {});
  v6.headers.Set("Host", "[::1]:8080");
  EXPECT_EQ(StatusOf(v6, o), 0);
  Request upper = Make("GET", "/", {});
  upper.headers.Set("Host", "NVR.Example");
  EXPECT_EQ(StatusOf(upper, o), 0);
}

TEST(RequestGuardTest, HostWithoutPort) {
  EXPECT_EQ(HostWithoutPort("a.example:80"), "a.example");
  EXPECT_EQ(HostWithoutPort("a.example"), "a.example");
  EXPECT_EQ(HostWithoutPort("[2001:db8::1]:443"), "2001:db8::1");
  EXPECT_EQ(HostWithoutPort("[broken"), "[broken");
}

}  // namespace
}  // namespace sightline::http
