// Users, audit log and system status, for admins (docs/ref/api.md "Administration").

#include <sys/statvfs.h>

#include <nlohmann/json.hpp>

#include "api/context.h"
#include "api/json.h"

namespace sightline::api {
namespace {

Status RequireAdmin(const auth::User& user) {
  if (!user.IsAdmin()) return PermissionDeniedError("Only an admin may do this.");
  return Status();
}

auth::Actor ActorOf(const auth::User& user, const http::Request& r) {
  return {user.name, r.remote_address};
}

// Makes the user's camera grants equal `cameras`.
Status SetCameras(auth::AccountStore& accounts, const auth::Actor& actor, const auth::User& target,
                  const nlohmann::json& cameras) {
  if (!cameras.is_array()) return InvalidArgumentError("cameras must be a list of camera names.");
  std::vector<std::string> want;
  for (const nlohmann::json& c : cameras) {
    if (!c.is_string()) return InvalidArgumentError("cameras must be a list of camera names.");
    want.push_back(c.get<std::string>());
  }
  for (const std::string& c : target.cameras) {
    if (std::find(want.begin(), want.end(), c) == want.end()) {
      RETURN_IF_ERROR(accounts.RevokeCamera(actor, target.name, c));
    }
  }
  for (const std::string& c : want) RETURN_IF_ERROR(accounts.GrantCamera(actor, target.name, c));
  return Status();
}

nlohmann::json AuditJson(const auth::AuditRecord& a) {
  return {{"id", a.id},         {"time_us", a.time_us}, {"user", a.user},
          {"action", a.action}, {"camera", a.camera},   {"start_us", a.start_us},
          {"end_us", a.end_us}, {"remote", a.remote},   {"detail", a.detail},
          {"ok", a.ok}};
}

}  // namespace

void AddAdminRoutes(const ContextPtr& ctx, http::Router& router) {
  auth::AccountStore& accounts = *ctx->deps().accounts;

  router.Add("GET", "/api/users",
             ctx->Authed([ctx, &accounts](http::Request& r, const auth::User& user)
                             -> Result<http::Response> {
               RETURN_IF_ERROR(RequireAdmin(user));
               ASSIGN_OR_RETURN(std::vector<auth::User> users, accounts.Users());
               nlohmann::json list = nlohmann::json::array();
               for (const auth::User& u : users) list.push_back(ctx->UserJson(u));
               if (ctx->FirstInAWhile("user_list", user.name, "")) {
                 ctx->Audit(user, r, auth::kAuditUserList, "");
               }
               return http::Response::Json(200, nlohmann::json{{"users", list}}.dump());
             }));

  router.Add("POST", "/api/users",
             ctx->Authed([ctx, &accounts](http::Request& r, const auth::User& user)
                             -> Result<http::Response> {
               RETURN_IF_ERROR(RequireAdmin(user));
               ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonBody(r));
               const std::string name = JsonString(body, "name");
               ASSIGN_OR_RETURN(auth::Role role, auth::ParseRole(JsonString(body, "role")));
               const auth::Actor actor = ActorOf(user, r);
               RETURN_IF_ERROR(accounts.AddUser(actor, name, JsonString(body, "password"), role));
               if (body.contains("cameras")) {
                 ASSIGN_OR_RETURN(auth::User added, accounts.GetUser(name));
                 RETURN_IF_ERROR(SetCameras(accounts, actor, added, body["cameras"]));
               }
               ASSIGN_OR_RETURN(auth::User added, accounts.GetUser(name));
               return http::Response::Json(201, ctx->UserJson(added).dump());
             }));

  router.Add("PATCH", "/api/users/{name}",
             ctx->Authed([ctx, &accounts](http::Request& r, const auth::User& user)
                             -> Result<http::Response> {
               RETURN_IF_ERROR(RequireAdmin(user));
               ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonBody(r));
               const std::string name = r.Param("name");
               const auth::Actor actor = ActorOf(user, r);
               ASSIGN_OR_RETURN(auth::User target, accounts.GetUser(name));
               const bool self = target.id == user.id;
               if (body.contains("role")) {
                 ASSIGN_OR_RETURN(auth::Role role, auth::ParseRole(JsonString(body, "role")));
                 if (self && role != auth::Role::kAdmin) {
                   return FailedPreconditionError("You cannot take the admin role from yourself.");
                 }
                 RETURN_IF_ERROR(accounts.SetRole(actor, name, role));
               }
               if (body.contains("password")) {
                 RETURN_IF_ERROR(accounts.SetPassword(actor, name, JsonString(body, "password")));
               }
               if (body.contains("disabled")) {
                 ASSIGN_OR_RETURN(bool disabled, JsonBool(body, "disabled", false));
                 if (self && disabled) return FailedPreconditionError("You cannot disable yourself.");
                 RETURN_IF_ERROR(accounts.SetDisabled(actor, name, disabled));
               }
               if (body.contains("cameras")) {
                 RETURN_IF_ERROR(SetCameras(accounts, actor, target, body["cameras"]));
               }
               ASSIGN_OR_RETURN(auth::User changed, accounts.GetUser(name));
               return http::Response::Json(200, ctx->UserJson(changed).dump());
             }));

  router.Add("DELETE", "/api/users/{name}",
             ctx->Authed([&accounts](http::Request& r, const auth::User& user)
                             -> Result<http::Response> {
               RETURN_IF_ERROR(RequireAdmin(user));
               ASSIGN_OR_RETURN(auth::User target, accounts.GetUser(r.Param("name")));
               if (target.id == user.id) return FailedPreconditionError("You cannot delete yourself.");
               RETURN_IF_ERROR(accounts.DeleteUser(ActorOf(user, r), target.name));
               return http::Response::Empty(204);
             }));

  router.Add("GET", "/api/audit",
             ctx->Authed([ctx, &accounts](http::Request& r, const auth::User& user)
                             -> Result<http::Response> {
               RETURN_IF_ERROR(RequireAdmin(user));
               auth::AuditFilter f;
               f.user = r.Query("user");
               f.action = r.Query("action");
               f.camera = r.Query("camera");
               ASSIGN_OR_RETURN(f.since_us, QueryInt(r, "since_us", 0));
               ASSIGN_OR_RETURN(f.until_us, QueryInt(r, "until_us", 0));
               ASSIGN_OR_RETURN(int64_t limit, QueryInt(r, "limit", 100));
               f.limit = static_cast<int>(std::clamp<int64_t>(limit, 1, 1000));
               ASSIGN_OR_RETURN(f.before_id, QueryInt(r, "before_id", 0));
               ASSIGN_OR_RETURN(std::vector<auth::AuditRecord> records, accounts.QueryAudit(f));
               // Reading the log is audited too; paging through one query is one line.
               const std::string query = "user=" + f.user + " action=" + f.action + " camera=" +
                                         f.camera + " since_us=" + std::to_string(f.since_us) +
                                         " until_us=" + std::to_string(f.until_us);
               if (ctx->FirstInAWhile("audit_read", user.name, query)) {
                 ctx->Audit(user, r, auth::kAuditAuditRead, "", 0, 0, query);
               }
               nlohmann::json list = nlohmann::json::array();
               for (const auth::AuditRecord& a : records) list.push_back(AuditJson(a));
               return http::Response::Json(200, nlohmann::json{{"records", list}}.dump());
             }));

  router.Add("GET", "/api/system",
             ctx->Authed([ctx](http::Request&, const auth::User& user) -> Result<http::Response> {
               RETURN_IF_ERROR(RequireAdmin(user));
               return http::Response::Json(200, ctx->SystemJson().dump());
             }));
}

}  // namespace sightline::api
