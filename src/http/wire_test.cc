#include "http/wire.h"

#include <gtest/gtest.h>

namespace sightline::http {
namespace {

namespace bhttp = boost::beast::http;

BeastRequest Make(std::string target, int version = 11) {
  BeastRequest m(bhttp::verb::get, target, version);
  if (version >= 11) m.set(bhttp::field::host, "example.com");
  return m;
}

TEST(HttpWireTest, RequestFromBeast) {
  BeastRequest m = Make("/api/x%20y?cam=front&n=2");
  m.insert(bhttp::field::cookie, "a=1; b=2");
  m.insert(bhttp::field::cookie, "c=3");
  m.set("X-Custom", "v");
  m.body() = "payload";
  Result<Request> r = RequestFromBeast(m, "10.0.0.1", true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->target, "/api/x%20y?cam=front&n=2");
  EXPECT_EQ(r->path, "/api/x y");
  EXPECT_EQ(r->Query("cam"), "front");
  EXPECT_EQ(r->Header("x-custom"), "v");
  EXPECT_EQ(r->Cookie("a"), "1");
  EXPECT_EQ(r->Cookie("c"), "3");
  EXPECT_EQ(r->body, "payload");
  EXPECT_EQ(r->remote_address, "10.0.0.1");
  EXPECT_TRUE(r->tls);
}

TEST(HttpWireTest, RefusesBadTargetsAndMissingHost) {
  EXPECT_FALSE(RequestFromBeast(Make("/a/../b"), "", false).ok());
  BeastRequest no_host(bhttp::verb::get, "/", 11);
  EXPECT_FALSE(RequestFromBeast(no_host, "", false).ok());
  BeastRequest two_hosts = Make("/");
  two_hosts.insert(bhttp::field::host, "other");
  EXPECT_FALSE(RequestFromBeast(two_hosts, "", false).ok());
  EXPECT_TRUE(RequestFromBeast(Make("/", 10), "", false).ok());  // HTTP/1.0 needs no Host
}

TEST(HttpWireTest, WebSocketUpgradeAndOrigin) {
  BeastRequest m = Make("/live");
  EXPECT_FALSE(IsWebSocketUpgrade(m));
  m.set(bhttp::field::connection, "keep-alive, Upgrade");
  m.set(bhttp::field::upgrade, "websocket");
  EXPECT_TRUE(IsWebSocketUpgrade(m));
  EXPECT_TRUE(OriginMatchesHost("http://example.com:8080", "example.com:8080"));
  EXPECT_TRUE(OriginMatchesHost("https://Example.com", "example.com"));
  EXPECT_FALSE(OriginMatchesHost("https://evil.com", "example.com"));
  EXPECT_FALSE(OriginMatchesHost("http://example.com:8081", "example.com:8080"));
  EXPECT_FALSE(OriginMatchesHost("null", "example.com"));
  EXPECT_FALSE(OriginMatchesHost("http://example.com@evil.com", "example.com@evil.com"));
}

TEST(HttpWireTest, SerializesHeadsWithSecurityFields) {
  Response r = Response::Html(200, "<p>hi</p>");
  r.headers.Add("Set-Cookie", "a=b");
  r.headers.Add("Content-Length", "999");  // the server frames the body, not the handler
  Result<std::string> head = SerializeResponseHead(r, ResponseHead{9, true, false, "Sun, 06 Nov 1994 08:49:37 GMT"});
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(*head,
            "HTTP/1.1 200 OK\r\nSet-Cookie: a=b\r\nContent-Type: text/html; charset=utf-8\r\n"
            "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nContent-Security-Policy: " +
                std::string(kHtmlContentSecurityPolicy) +
                "\r\nContent-Length: 9\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nConnection: close\r\n\r\n");

  Response json = Response::Json(201, "{}");
  head = SerializeResponseHead(json, ResponseHead{2, false, true, ""});
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(head->find("HTTP/1.1 201 Created\r\n"), std::string::npos);
  EXPECT_NE(head->find("Connection: keep-alive\r\n"), std::string::npos);

  head = SerializeResponseHead(Response::Empty(304), ResponseHead{100, false, false, ""});
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->find("Content-Length"), std::string::npos);
}

// security-review-1 L6, I2: no HSTS, sockets allowed to any host, no Referrer-Policy.
TEST(HttpWireTest, HstsUnderTlsAndATightConnectSrc) {
  ResponseHead tls{2, false, false, ""};
  tls.tls = true;
  Result<std::string> head = SerializeResponseHead(Response::Json(200, "{}"), tls);
  ASSERT_TRUE(head.ok());
  EXPECT_NE(head->find("Strict-Transport-Security: max-age=31536000\r\n"), std::string::npos);
  EXPECT_NE(head->find("Referrer-Policy: no-referrer\r\n"), std::string::npos);
  head = SerializeResponseHead(Response::Json(200, "{}"), ResponseHead{2, false, false, ""});
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->find("Strict-Transport-Security"), std::string::npos);
  EXPECT_NE(std::string_view(kHtmlContentSecurityPolicy).find("connect-src 'self';"), std::string_view::npos);
  EXPECT_EQ(std::string_view(kHtmlContentSecurityPolicy).find("ws:"), std::string_view::npos);
}

TEST(HttpWireTest, RefusesResponseSplitting) {
  Response r = Response::Text(200, "x");
  r.headers.Add("Content-Disposition", "attachment; filename=\"a\r\nSet-Cookie: x=y\"");
  EXPECT_FALSE(SerializeResponseHead(r, ResponseHead{}).ok());
  Response bad_name = Response::Text(200, "x");
  bad_name.headers.Add("Bad Name", "v");
  EXPECT_FALSE(SerializeResponseHead(bad_name, ResponseHead{}).ok());
  EXPECT_FALSE(SerializeResponseHead(Response::Empty(42), ResponseHead{}).ok());
}

}  // namespace
}  // namespace sightline::http
