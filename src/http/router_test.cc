#include "http/router.h"

#include <gtest/gtest.h>

namespace sightline::http {
namespace {

Handler Named(std::string name) {
  return [name](Request&) { return Response::Text(200, name); };
}

std::string Call(const Router& router, std::string method, std::string path, bool upgrade = false) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  Router::Match m = router.Resolve(r, upgrade);
  switch (m.kind) {
    case Router::Match::Kind::kHandler: {
      std::string out = (*m.handler)(r).body;
      for (const auto& [k, v] : r.params) out += " " + k + "=" + v;
      return out;
    }
    case Router::Match::Kind::kWebSocket: return "websocket camera=" + r.Param("camera");
    case Router::Match::Kind::kNotFound: return "404";
    case Router::Match::Kind::kMethodNotAllowed: return "405 " + m.allow;
    case Router::Match::Kind::kUpgradeRequired: return "426";
  }
  return "?";
}

TEST(HttpRouterTest, MatchesPatternsAndFillsParams) {
  Router router;
  router.Add("GET", "/api/cameras", Named("list"));
  router.Add("GET", "/api/cameras/{camera}/recordings", Named("recordings"));
  router.Add("GET", "/api/cameras/{camera}", Named("one"));
  router.Add("GET", "/api/cameras/all", Named("all"));
  router.Add("POST", "/api/cameras/{camera}", Named("update"));
  EXPECT_EQ(Call(router, "GET", "/api/cameras"), "list");
  EXPECT_EQ(Call(router, "GET", "/api/cameras/front/recordings"), "recordings camera=front");
  EXPECT_EQ(Call(router, "GET", "/api/cameras/front"), "one camera=front");
  EXPECT_EQ(Call(router, "GET", "/api/cameras/all"), "all");  // literal beats {param}
  EXPECT_EQ(Call(router, "POST", "/api/cameras/back"), "update camera=back");
  EXPECT_EQ(Call(router, "HEAD", "/api/cameras"), "list");   // HEAD falls back to GET
  EXPECT_EQ(Call(router, "GET", "/api/nope"), "404");
  EXPECT_EQ(Call(router, "GET", "/api/cameras/front/recordings/x"), "404");
  EXPECT_EQ(Call(router, "DELETE", "/api/cameras/front"), "405 GET, HEAD, POST");
  EXPECT_EQ(Call(router, "DELETE", "/api/cameras"), "405 GET, HEAD");
}

TEST(HttpRouterTest, PrefixRoutesRankBelowExactOnesAndByLength) {
  Router router;
  router.AddPrefix("GET", "/", Named("static"));
  router.AddPrefix("GET", "/docs", Named("docs"));
  router.Add("GET", "/api/health", Named("health"));
  EXPECT_EQ(Call(router, "GET", "/"), "static *=");
  EXPECT_EQ(Call(router, "GET", "/index.html"), "static *=index.html");
  EXPECT_EQ(Call(router, "GET", "/assets/app.js"), "static *=assets/app.js");
  EXPECT_EQ(Call(router, "GET", "/docs"), "docs *=");
  EXPECT_EQ(Call(router, "GET", "/docs/a/b.html"), "docs *=a/b.html");
  EXPECT_EQ(Call(router, "GET", "/docsx"), "static *=docsx");
  EXPECT_EQ(Call(router, "GET", "/api/health"), "health");
  EXPECT_EQ(Call(router, "POST", "/api/health"), "405 GET, HEAD");
  EXPECT_EQ(Call(router, "POST", "/anything"), "405 GET, HEAD");
}

TEST(HttpRouterTest, WebSocketRoutes) {
  Router router;
  router.AddPrefix("GET", "/", Named("static"));
  router.AddWebSocket("/api/cameras/{camera}/live", [](Request&) -> std::variant<Response, WebSocketOpen> {
    return Response::Error(403, "no");
  });
  EXPECT_EQ(Call(router, "GET", "/api/cameras/front/live", true), "websocket camera=front");
  EXPECT_EQ(Call(router, "GET", "/api/cameras/front/live", false), "426");
  EXPECT_EQ(Call(router, "POST", "/api/cameras/front/live", false), "405 GET, HEAD");
  // An upgrade elsewhere is an ordinary request.
  EXPECT_EQ(Call(router, "GET", "/app", true), "static *=app");
}

TEST(HttpRouterTest, NamesTheMatchedRouteByItsPattern) {
  Router router;
  router.Add("GET", "/api/cameras/{camera}", Named("one"));
  router.AddPrefix("GET", "/", Named("ui"));
  router.AddPrefix("GET", "/api", Named("api 404"));
  router.AddWebSocket("/api/cameras/{camera}/live", [](Request&) -> std::variant<Response, WebSocketOpen> {
    return Response::Empty(204);
  });
  const auto route_of = [&](std::string path, bool upgrade = false) {
    Request r;
    r.method = "GET";
    r.path = std::move(path);
    router.Resolve(r, upgrade);
    return std::string(r.route);
  };
  EXPECT_EQ(route_of("/api/cameras/front"), "/api/cameras/{camera}");
  EXPECT_EQ(route_of("/index.html"), "/*");
  EXPECT_EQ(route_of("/api/nothing/here"), "/api/*");
  EXPECT_EQ(route_of("/api/cameras/front/live", true), "/api/cameras/{camera}/live");
  Router empty;
  Request r;
  r.method = "GET";
  r.path = "/x";
  empty.Resolve(r, false);
  EXPECT_EQ(r.route, "");
}

}  // namespace
}  // namespace sightline::http
