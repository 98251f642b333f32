// Users, audit log and system status, for admins (docs/ref/api.md "Administration").

#include <sys/statvfs.h>

#include <algorithm>

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

// The camera names of a request body, each one a camera of the config: a grant for a camera
// that does not exist would be invisible in the user list and silently apply to a camera
// added later under that name (security-review-1 L3).
Result<std::vector<std::string>> CameraList(const Context& ctx, const nlohmann::json& cameras) {
  if (!cameras.is_array()) return InvalidArgumentError("cameras must be a list of camera names.");
  const std::vector<CameraStatus> configured = ctx.deps().cameras->Cameras();
  std::vector<std::string> names;
  for (const nlohmann::json& c : cameras) {
    if (!c.is_string()) return InvalidArgumentError("cameras must be a list of camera names.");
    const std::string name = c.get<std::string>();
    if (std::none_of(configured.begin(), configured.end(),
                     [&](const CameraStatus& k) { return k.name == name; })) {
      return InvalidArgumentError("There is no camera named " + name.substr(0, 100) + ".");
    }
    names.push_back(name);
  }
  return names;
}

// The fields of a PATCH body, all checked before anything changes (security-review-1 L2).
Result<auth::UserUpdate> ParseUserUpdate(const Context& ctx, const nlohmann::json& body,
                                         bool self) {
  auth::UserUpdate u;
  if (body.contains("role")) {
    ASSIGN_OR_RETURN(u.role, auth::ParseRole(JsonString(body, "role")));
    if (self && u.role != auth::Role::kAdmin) {
      return FailedPreconditionError("You cannot take the admin role from yourself.");
    }
  }
  if (body.contains("password")) {
    if (!body["password"].is_string()) return InvalidArgumentError("password must be a string.");
    u.password = JsonString(body, "password");
  }
  if (body.contains("disabled")) {
    ASSIGN_OR_RETURN(u.disabled, JsonBool(body, "disabled", false));
    if (self && *u.disabled) return FailedPreconditionError("You cannot disable yourself.");
  }
  if (body.contains("cameras")) {
    ASSIGN_OR_RETURN(u.cameras, CameraList(ctx, body["cameras"]));
  }
  return u;
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
               std::optional<std::vector<std::string>> cameras;
               if (body.contains("cameras")) {
                 ASSIGN_OR_RETURN(cameras, CameraList(*ctx, body["cameras"]));
               }
               const auth::Actor actor = ActorOf(user, r);
               RETURN_IF_ERROR(accounts.AddUser(actor, name, JsonString(body, "password"), role));
               if (cameras) {
                 auth::UserUpdate grants;
                 grants.cameras = std::move(cameras);
                 RETURN_IF_ERROR(accounts.UpdateUser(actor, name, grants));
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
               ASSIGN_OR_RETURN(auth::User target, accounts.GetUser(name));
               ASSIGN_OR_RETURN(auth::UserUpdate update, ParseUserUpdate(*ctx, body, target.id == user.id));
               RETURN_IF_ERROR(accounts.UpdateUser(ActorOf(user, r), name, update));
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

  // The audit page builds its action filter from this list, so it offers what the server
  // writes, and an action added to kAuditActions appears there without a change to the UI.
  router.Add("GET", "/api/audit/actions",
             ctx->Authed([](http::Request&, const auth::User& user) -> Result<http::Response> {
               RETURN_IF_ERROR(RequireAdmin(user));
               nlohmann::json list = nlohmann::json::array();
               for (std::string_view a : auth::kAuditActions) list.push_back(a);
               return http::Response::Json(200, nlohmann::json{{"actions", list}}.dump());
             }));

  router.Add("GET", "/api/system",
             ctx->Authed([ctx](http::Request&, const auth::User& user) -> Result<http::Response> {
               RETURN_IF_ERROR(RequireAdmin(user));
               return http::Response::Json(200, ctx->SystemJson().dump());
             }));
}

}  // namespace sightline::api
