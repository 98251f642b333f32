// API tokens of a user: list, create, revoke (docs/ref/api.md "API tokens"). An admin manages
// anyone's; every other user their own, so that a script's owner can rotate its token without
// an admin (security-review-1 L5: tokens were managed only from the command line).

#include <chrono>

#include <nlohmann/json.hpp>

#include "api/context.h"
#include "api/json.h"

namespace sightline::api {
namespace {

// The user named in the path, if `user` may manage their tokens. A non-admin asking for
// another user's tokens learns nothing about that user: 403 whether or not the name exists.
Result<auth::User> TokenOwner(auth::AccountStore& accounts, const auth::User& user,
                              const std::string& name) {
  Result<auth::User> owner = accounts.GetUser(name);
  if (user.IsAdmin()) return owner;
  // By id: names compare without regard to case.
  if (!owner.ok() || owner->id != user.id) {
    return PermissionDeniedError("Only an admin may manage another user's API tokens.");
  }
  return owner;
}

nlohmann::json TokenJson(const auth::ApiTokenInfo& t) {
  return {{"name", t.name},
          {"created_us", t.created_us},
          {"last_used_us", t.last_used_us},
          {"expires_us", t.expires_us}};
}

auth::Actor ActorOf(const auth::User& user, const http::Request& r) {
  return {user.name, r.remote_address};
}

}  // namespace

void AddTokenRoutes(const ContextPtr& ctx, http::Router& router) {
  auth::AccountStore& accounts = *ctx->deps().accounts;

  router.Add("GET", "/api/users/{name}/tokens",
             ctx->Authed([&accounts](http::Request& r, const auth::User& user)
                             -> Result<http::Response> {
               ASSIGN_OR_RETURN(auth::User owner, TokenOwner(accounts, user, r.Param("name")));
               ASSIGN_OR_RETURN(std::vector<auth::ApiTokenInfo> tokens,
                                accounts.ApiTokens(owner.name));
               nlohmann::json list = nlohmann::json::array();
               for (const auth::ApiTokenInfo& t : tokens) list.push_back(TokenJson(t));
               return http::Response::Json(200, nlohmann::json{{"tokens", list}}.dump());
             }));

  router.Add("POST", "/api/users/{name}/tokens",
             ctx->Authed([&accounts](http::Request& r, const auth::User& user)
                             -> Result<http::Response> {
               // A token that could mint tokens would outlive its own expiry by making a
               // successor; new tokens need the password (a session).
               if (!user.token_name.empty()) {
                 return PermissionDeniedError("API tokens cannot create API tokens: log in.");
               }
               ASSIGN_OR_RETURN(auth::User owner, TokenOwner(accounts, user, r.Param("name")));
               ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonBody(r));
               const std::string name = JsonString(body, "name");
               // Names with "/" could not be revoked through DELETE's path.
               if (name.find('/') != std::string::npos) {
                 return InvalidArgumentError("A token name may not contain '/'.");
               }
               constexpr int64_t kDefaultDays = auth::kDefaultApiTokenLifetime.count() / 86400;
               constexpr int64_t kMaxDays = auth::kMaxApiTokenLifetime.count() / 86400;
               ASSIGN_OR_RETURN(int64_t days, JsonInt(body, "expires_days", kDefaultDays));
               if (days < 0 || days > kMaxDays) {
                 return InvalidArgumentError("expires_days must be 0 (never) to " +
                                             std::to_string(kMaxDays) + ".");
               }
               ASSIGN_OR_RETURN(std::string secret,
                                accounts.CreateApiToken(ActorOf(user, r), owner.name, name,
                                                        std::chrono::seconds(days * 86400)));
               ASSIGN_OR_RETURN(std::vector<auth::ApiTokenInfo> tokens,
                                accounts.ApiTokens(owner.name));
               for (const auth::ApiTokenInfo& t : tokens) {
                 if (t.name != name) continue;
                 nlohmann::json out = TokenJson(t);
                 out["token"] = secret;  // shown this once; only its digest is kept
                 return http::Response::Json(201, out.dump());
               }
               return InternalError("the new API token is not in the list");
             }));

  router.Add("DELETE", "/api/users/{name}/tokens/{token}",
             ctx->Authed([&accounts](http::Request& r, const auth::User& user)
                             -> Result<http::Response> {
               ASSIGN_OR_RETURN(auth::User owner, TokenOwner(accounts, user, r.Param("name")));
               RETURN_IF_ERROR(
                   accounts.RevokeApiToken(ActorOf(user, r), owner.name, r.Param("token")));
               return http::Response::Empty(204);
             }));
}

}  // namespace sightline::api
