// Finding ONVIF cameras and adding them to sightline.yaml: POST /api/onvif/discover, POST
// /api/config/cameras (docs/ref/api.md "Camera set-up"). Admins only; both audited
// (`onvif_discover`, `config_cameras`) without any password.

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "api/camera_setup.h"
#include "api/context.h"
#include "api/json.h"

namespace sightline::api {
namespace {

constexpr size_t kMaxHosts = 64;
constexpr size_t kMaxNewCameras = 64;
constexpr size_t kMaxHostBytes = 1024;
constexpr size_t kMaxCredentialBytes = 256;
constexpr size_t kMaxRangeBytes = 64;

Status RequireAdmin(const auth::User& user) {
  if (!user.IsAdmin()) return PermissionDeniedError("Only an admin may add cameras.");
  return Status::Ok();
}

// body[key]: a string of at most `max` bytes without control characters ("" when absent).
// `where` names the place in the request ("cameras[2].host").
Result<std::string> Text(const nlohmann::json& body, const char* key, size_t max, const std::string& where) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) return InvalidArgumentError("The field " + where + " must be a string.");
  std::string value = it->get<std::string>();
  if (value.size() > max) {
    return InvalidArgumentError("The field " + where + " is longer than " + std::to_string(max) + " bytes.");
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return InvalidArgumentError("The field " + where + " has control characters.");
  }
  return value;
}

Status CheckCredentials(const std::string& user, const std::string& password, const std::string& where) {
  if (user.empty() && !password.empty()) return InvalidArgumentError(where + ": a password needs a user.");
  return Status::Ok();
}

Result<DiscoverRequest> ParseDiscover(const nlohmann::json& body) {
  DiscoverRequest req;
  ASSIGN_OR_RETURN(req.multicast, JsonBool(body, "multicast", true));
  ASSIGN_OR_RETURN(req.range, Text(body, "range", kMaxRangeBytes, "range"));
  ASSIGN_OR_RETURN(req.user, Text(body, "user", kMaxCredentialBytes, "user"));
  ASSIGN_OR_RETURN(req.password, Text(body, "password", kMaxCredentialBytes, "password"));
  RETURN_IF_ERROR(CheckCredentials(req.user, req.password, "The discovery"));
  if (auto hosts = body.find("hosts"); hosts != body.end() && !hosts->is_null()) {
    if (!hosts->is_array()) return InvalidArgumentError("The field hosts must be a list of addresses.");
    if (hosts->size() > kMaxHosts) return InvalidArgumentError("At most " + std::to_string(kMaxHosts) + " hosts at once.");
    for (size_t i = 0; i < hosts->size(); ++i) {
      const std::string where = "hosts[" + std::to_string(i) + "]";
      nlohmann::json item = {{"h", (*hosts)[i]}};
      ASSIGN_OR_RETURN(std::string host, Text(item, "h", kMaxHostBytes, where));
      if (host.empty()) return InvalidArgumentError("The field " + where + " is empty.");
      req.hosts.push_back(std::move(host));
    }
  }
  if (!req.multicast && req.range.empty() && req.hosts.empty()) {
    return InvalidArgumentError("Nothing to search: give a range or hosts, or allow multicast.");
  }
  return req;
}

Result<std::vector<NewCamera>> ParseNewCameras(const nlohmann::json& body) {
  auto list = body.find("cameras");
  if (list == body.end() || !list->is_array() || list->empty()) {
    return InvalidArgumentError("The field cameras must be a list of at least one camera.");
  }
  if (list->size() > kMaxNewCameras) {
    return InvalidArgumentError("At most " + std::to_string(kMaxNewCameras) + " cameras at once.");
  }
  std::vector<NewCamera> cameras;
  for (size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& c = (*list)[i];
    const std::string where = "cameras[" + std::to_string(i) + "]";
    if (!c.is_object()) return InvalidArgumentError("The field " + where + " must be an object.");
    NewCamera cam;
    ASSIGN_OR_RETURN(cam.name, Text(c, "name", 64, where + ".name"));
    ASSIGN_OR_RETURN(cam.host, Text(c, "host", kMaxHostBytes, where + ".host"));
    ASSIGN_OR_RETURN(cam.user, Text(c, "user", kMaxCredentialBytes, where + ".user"));
    ASSIGN_OR_RETURN(cam.password, Text(c, "password", kMaxCredentialBytes, where + ".password"));
    if (cam.name.empty()) return InvalidArgumentError("The field " + where + ".name is empty.");
    if (cam.host.empty()) return InvalidArgumentError("The field " + where + ".host is empty.");
    RETURN_IF_ERROR(CheckCredentials(cam.user, cam.password, "Camera " + cam.name));
    cameras.push_back(std::move(cam));
  }
  return cameras;
}

nlohmann::json StreamJson(const std::optional<DiscoveredStream>& s) {
  if (!s) return nullptr;
  return {{"codec", s->codec}, {"width", s->width}, {"height", s->height}, {"fps", s->fps}};
}

nlohmann::json CameraJson(const DiscoveredCamera& c) {
  return {{"address", c.address},
          {"endpoint", c.endpoint},
          {"manufacturer", c.manufacturer},
          {"model", c.model},
          {"firmware", c.firmware},
          {"main", StreamJson(c.main)},
          {"sub", StreamJson(c.sub)},
          {"clock_offset_ms", c.clock_offset_ms ? nlohmann::json(*c.clock_offset_ms) : nlohmann::json(nullptr)},
          {"needs_credentials", c.needs_credentials},
          {"error", c.error},
          {"problems", c.problems},
          {"configured", !c.configured_as.empty()},
          {"configured_as", c.configured_as},
          {"suggested_name", c.suggested_name}};
}

// What the audit row says about a discovery: where it looked, never the credentials.
std::string DiscoverDetail(const DiscoverRequest& req) {
  std::string d = std::string("multicast=") + (req.multicast ? "yes" : "no");
  if (!req.range.empty()) d += " range=" + req.range;
  if (!req.hosts.empty()) d += " hosts=" + std::to_string(req.hosts.size());
  d += std::string(" credentials=") + (req.user.empty() ? "no" : "yes");
  return d;
}

std::string Names(const std::vector<NewCamera>& cameras) {
  std::string out;
  for (const NewCamera& c : cameras) out += (out.empty() ? "" : ",") + c.name;
  return out;
}

// The comment written above the new entries: who and when (UTC).
std::string Note(const auth::User& user, int64_t now_us) {
  const std::time_t t = static_cast<std::time_t>(now_us / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
  return "added by " + user.name + " on the web UI's Add cameras page, " + when;
}

struct SetupRoutes {
  ContextPtr ctx;
  CameraSetup* setup;

  Status Usable(const auth::User& user) const {
    RETURN_IF_ERROR(RequireAdmin(user));
    if (setup == nullptr) return FailedPreconditionError("Adding cameras is not available on this server.");
    return Status::Ok();
  }

  Result<http::Response> Discover(http::Request& r, const auth::User& user) const {
    RETURN_IF_ERROR(Usable(user));
    ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonBody(r));
    ASSIGN_OR_RETURN(DiscoverRequest req, ParseDiscover(body));
    Result<std::vector<DiscoveredCamera>> found = setup->Discover(req);
    const int64_t now = ctx->NowUs();
    ctx->Audit(user, r, auth::kAuditOnvifDiscover, "", now, now,
               DiscoverDetail(req) + (found.ok() ? " found=" + std::to_string(found->size()) : ""), found.ok());
    if (!found.ok()) return found.status();
    nlohmann::json list = nlohmann::json::array();
    for (const DiscoveredCamera& c : *found) list.push_back(CameraJson(c));
    return http::Response::Json(200, nlohmann::json{{"cameras", std::move(list)}}.dump());
  }

  Result<http::Response> AddCameras(http::Request& r, const auth::User& user) const {
    RETURN_IF_ERROR(Usable(user));
    ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonBody(r));
    ASSIGN_OR_RETURN(std::vector<NewCamera> cameras, ParseNewCameras(body));
    const int64_t now = ctx->NowUs();
    Result<CamerasAdded> added = setup->AddCameras(cameras, Note(user, now));
    ctx->Audit(user, r, auth::kAuditConfigCameras, "", now, now,
               "cameras=" + Names(cameras) + (added.ok() ? " backup=" + added->backup_path : ""), added.ok());
    if (!added.ok()) return added.status();
    const std::string message = "Added " + std::to_string(added->names.size()) + " camera(s) to " +
                                added->config_path + " (the previous file is kept as " + added->backup_path +
                                "). They are recorded after Sightline restarts.";
    return http::Response::Json(200, nlohmann::json{{"config", added->config_path},
                                                    {"backup", added->backup_path},
                                                    {"added", added->names},
                                                    {"restart_required", true},
                                                    {"message", message}}
                                         .dump());
  }
};

}  // namespace

void AddCameraSetupRoutes(const ContextPtr& ctx, http::Router& router) {
  auto routes = std::make_shared<SetupRoutes>(SetupRoutes{ctx, ctx->deps().camera_setup});
  router.Add("POST", "/api/onvif/discover", ctx->Authed([routes](http::Request& r, const auth::User& user) {
    return routes->Discover(r, user);
  }));
  router.Add("POST", "/api/config/cameras", ctx->Authed([routes](http::Request& r, const auth::User& user) {
    return routes->AddCameras(r, user);
  }));
}

}  // namespace sightline::api
