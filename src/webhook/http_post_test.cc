// RedactUrl: what the log may show of a webhook URL (no credentials, no query tokens).
// HttpPost itself is tested against a real receiver in tests/webhook_test.cc.
#include "webhook/http_post.h"

#include <gtest/gtest.h>

namespace sightline::webhook {
namespace {

TEST(RedactUrlTest, DropsCredentialsQueryAndFragment) {
  EXPECT_EQ(RedactUrl("https://user:pa%40ss@hooks.example.com:8443/in/abc?token=s3cret#x"),
            "https://hooks.example.com:8443/in/abc");
  EXPECT_EQ(RedactUrl("http://10.0.0.5/hook"), "http://10.0.0.5/hook");
  EXPECT_EQ(RedactUrl("http://host?key=1"), "http://host");
  // An '@' in the path is not userinfo.
  EXPECT_EQ(RedactUrl("https://host/a@b"), "https://host/a@b");
}

TEST(HttpPostTest, NoListenerIsUnavailableNotAStatus) {
  HttpPost post;
  // Port 1 on loopback: nothing listens there on a test machine.
  Result<int> r = post.Post("http://127.0.0.1:1/x", {}, "{}", std::chrono::milliseconds(2000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

TEST(HttpPostTest, OtherSchemesAreRefused) {
  HttpPost post;
  Result<int> r = post.Post("file:///etc/passwd", {}, "{}", std::chrono::milliseconds(2000));
  ASSERT_FALSE(r.ok());
  Result<int> g = post.Post("gopher://127.0.0.1:1/", {}, "{}", std::chrono::milliseconds(2000));
  ASSERT_FALSE(g.ok());
}

}  // namespace
}  // namespace sightline::webhook
