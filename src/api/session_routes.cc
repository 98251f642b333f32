// GET /api/health, POST /api/login, POST /api/logout, GET /api/me (docs/ref/api.md
// "Authentication").

#include <nlohmann/json.hpp>

#include "api/context.h"
#include "api/json.h"

namespace sightline::api {

void AddSessionRoutes(const ContextPtr& ctx, http::Router& router) {
  router.Add("GET", "/api/health", [ctx](http::Request&) {
    Result<bool> users = ctx->deps().accounts->HasUsers();
    nlohmann::json j = {{"ok", users.ok()}, {"users", users.ok() && *users}};
    return http::Response::Json(users.ok() ? 200 : 503, j.dump());
  });

  router.Add("POST", "/api/login", [ctx](http::Request& request) {
    Result<nlohmann::json> body = ParseJsonBody(request);
    if (!body.ok()) return ErrorResponse(body.status());
    const std::string name = JsonString(*body, "username");
    const std::string password = JsonString(*body, "password");
    Result<auth::Session> session =
        ctx->deps().accounts->Login(name, password, request.remote_address);
    if (!session.ok()) return ErrorResponse(session.status());
    http::Response r = http::Response::Json(200, nlohmann::json{{"user", ctx->UserJson(session->user)}}.dump());
    const int64_t max_age_s = std::max<int64_t>(0, (session->expires_us - ctx->NowUs()) / 1'000'000);
    r.headers.Add("Set-Cookie", ctx->SessionSetCookie(request, session->token, max_age_s));
    r.headers.Set("Cache-Control", "no-store");
    return r;
  });

  router.Add("POST", "/api/logout", [ctx](http::Request& request) {
    const std::string token = request.Cookie(ctx->SessionCookieName(request));
    if (!token.empty()) {
      Status s = ctx->deps().accounts->Logout(token, request.remote_address);
      if (!s.ok()) return ErrorResponse(s);
    }
    http::Response r = http::Response::Empty(204);
    r.headers.Add("Set-Cookie", ctx->SessionSetCookie(request, "", 0));
    return r;
  });

  router.Add("GET", "/api/me", ctx->Authed([ctx](http::Request&, const auth::User& user)
                                               -> Result<http::Response> {
    return http::Response::Json(200, ctx->UserJson(user).dump());
  }));
}

}  // namespace sightline::api
