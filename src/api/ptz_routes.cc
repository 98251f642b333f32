// PTZ of one camera: GET /api/cameras/{camera}/ptz, POST .../ptz/move, .../ptz/stop,
// .../ptz/presets/{token}/goto, POST .../ptz/presets, DELETE .../ptz/presets/{token}
// (docs/ref/api.md "PTZ"). Operators and admins with access to the camera; every command is
// audited (action `ptz`) and rate-limited per user.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

#include "api/context.h"
#include "api/json.h"
#include "api/ptz_control.h"

namespace sightline::api {
namespace {

// Commands a user may send: a burst of kBurst, refilled at kPerSecond. A held arrow renews its
// move about once a second and a person presses a few buttons a second; a script looping
// on the camera's motor is slowed down.
constexpr double kBurst = 20;
constexpr double kPerSecond = 5;
constexpr int64_t kDefaultMoveTimeoutMs = 1000;
// A repeat of the same move within this time of the last one, with no stop between, is the
// same press (the UI renews a held button's move before its timeout): audited once.
constexpr int64_t kSamePressUs = 15'000'000;
constexpr size_t kMaxTracked = 10'000;

// Per-user buckets and each (user, camera)'s move in progress. Thread-safe.
class PtzLimits {
 public:
  // OK, or ResourceExhausted when the user's bucket is empty.
  Status Take(const std::string& user, int64_t now_us) {
    MutexLock lock(mu_);
    if (buckets_.size() > kMaxTracked) buckets_.clear();  // bounded; at worst a fresh burst
    Bucket& b = buckets_[user];
    if (b.last_us == 0) b.tokens = kBurst;
    b.tokens = std::min(kBurst, b.tokens + static_cast<double>(now_us - b.last_us) / 1e6 * kPerSecond);
    b.last_us = now_us;
    if (b.tokens < 1) {
      return ResourceExhaustedError("Too many PTZ commands; wait a second.");
    }
    b.tokens -= 1;
    return Status::Ok();
  }

  // True when `move` starts a new press of `user` on `camera` (to be audited).
  bool NewPress(const std::string& user, std::string_view camera, const std::string& move, int64_t now_us) {
    MutexLock lock(mu_);
    if (presses_.size() > kMaxTracked) presses_.clear();
    Press& p = presses_[Key(user, camera)];
    const bool same = p.move == move && now_us - p.last_us < kSamePressUs;
    p.move = move;
    p.last_us = now_us;
    return !same;
  }
  // A stop (or a preset) ends the press: the next move is audited again.
  void EndPress(const std::string& user, std::string_view camera) {
    MutexLock lock(mu_);
    presses_.erase(Key(user, camera));
  }

 private:
  struct Bucket {
    double tokens = 0;
    int64_t last_us = 0;
  };
  struct Press {
    std::string move;
    int64_t last_us = 0;
  };
  static std::string Key(const std::string& user, std::string_view camera) {
    return user + '\0' + std::string(camera);
  }

  Mutex mu_;
  std::map<std::string, Bucket> buckets_ SL_GUARDED_BY(mu_);
  std::map<std::string, Press> presses_ SL_GUARDED_BY(mu_);
};

struct PtzRoutes {
  ContextPtr ctx;
  PtzControl* control;
  std::shared_ptr<PtzLimits> limits;

  // The role, the camera grant and the control, in that order.
  Result<CameraStatus> Operable(const auth::User& user, const http::Request& r) const {
    if (!user.CanOperate()) return PermissionDeniedError("PTZ needs the operator or admin role.");
    ASSIGN_OR_RETURN(CameraStatus camera, ctx->ViewableCamera(user, r.Param("camera")));
    if (control == nullptr) return FailedPreconditionError("PTZ is not available on this server.");
    return camera;
  }

  // The user's rate limit, for commands that move the camera (after Operable).
  Status RateLimit(const auth::User& user) const { return limits->Take(user.name, ctx->NowUs()); }

  // One audit row for `what`, whatever the outcome; then 204, or the camera's error.
  Result<http::Response> Audited(const auth::User& user, http::Request& r, const std::string& camera,
                                 const std::string& what, const Status& s) const {
    const int64_t now = ctx->NowUs();
    ctx->Audit(user, r, auth::kAuditPtz, camera, now, now, what, s.ok());
    if (!s.ok()) return s;
    return http::Response::Empty(204);
  }
};

http::Response TooMany(const Status& s) {
  http::Response r = ErrorResponse(s);
  if (r.status == 429) r.headers.Set("Retry-After", "1");
  return r;
}

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g", v);
  return buf;
}

// A preset token as it came in the path: 1 to 64 bytes without control characters.
Status CheckPresetToken(const std::string& token) {
  if (token.empty() || token.size() > 64) return InvalidArgumentError("A preset token is 1 to 64 bytes.");
  for (unsigned char c : token) {
    if (c < 0x20 || c == 0x7f) return InvalidArgumentError("A preset token has no control characters.");
  }
  return Status::Ok();
}

// A velocity part: a number in [-1, 1]; 0 when absent.
Result<double> Velocity(const nlohmann::json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end()) return 0.0;
  if (!it->is_number()) return InvalidArgumentError(std::string("The field ") + key + " must be a number.");
  const double v = it->get<double>();
  if (!std::isfinite(v) || v < -1 || v > 1) {
    return InvalidArgumentError(std::string("The field ") + key + " must be between -1 and 1.");
  }
  return v;
}

nlohmann::json Optional(const std::optional<double>& v) {
  return v.has_value() ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json InfoJson(const PtzInfo& info) {
  nlohmann::json presets = nlohmann::json::array();
  for (const PtzPresetInfo& p : info.presets) presets.push_back({{"token", p.token}, {"name", p.name}});
  return {{"supported", true},
          {"position", {{"pan", Optional(info.pan)}, {"tilt", Optional(info.tilt)}, {"zoom", Optional(info.zoom)}}},
          {"move_status", info.move_status},
          {"presets", std::move(presets)},
          {"max_presets", info.max_presets},
          {"home_supported", info.home_supported}};
}

}  // namespace

void AddPtzRoutes(const ContextPtr& ctx, http::Router& router) {
  auto routes = std::make_shared<PtzRoutes>(PtzRoutes{ctx, ctx->deps().ptz, std::make_shared<PtzLimits>()});
  const std::string base = "/api/cameras/{camera}/ptz";

  router.Add("GET", base, ctx->Authed([routes](http::Request& r, const auth::User& user) -> Result<http::Response> {
    ASSIGN_OR_RETURN(CameraStatus camera, routes->Operable(user, r));
    Result<PtzInfo> info = routes->control->Info(camera.name);
    if (!info.ok() && info.status().code() == StatusCode::kFailedPrecondition) {
      // The question this route answers: a camera without PTZ is an answer, not an error.
      return http::Response::Json(200, nlohmann::json{{"supported", false}, {"reason", info.status().message()}}.dump());
    }
    if (!info.ok()) return info.status();
    return http::Response::Json(200, InfoJson(*info).dump());
  }));

  router.Add("POST", base + "/move", ctx->Authed([routes](http::Request& r, const auth::User& user) -> Result<http::Response> {
    ASSIGN_OR_RETURN(CameraStatus camera, routes->Operable(user, r));
    ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonBody(r));
    PtzMove move;
    ASSIGN_OR_RETURN(move.pan, Velocity(body, "pan"));
    ASSIGN_OR_RETURN(move.tilt, Velocity(body, "tilt"));
    ASSIGN_OR_RETURN(move.zoom, Velocity(body, "zoom"));
    ASSIGN_OR_RETURN(move.timeout_ms, JsonInt(body, "timeout_ms", kDefaultMoveTimeoutMs));
    if (move.timeout_ms < 1 || move.timeout_ms > kMaxPtzMoveTimeoutMs) {
      return InvalidArgumentError("timeout_ms must be between 1 and " + std::to_string(kMaxPtzMoveTimeoutMs) + ".");
    }
    if (move.pan == 0 && move.tilt == 0 && move.zoom == 0) {
      return InvalidArgumentError("A move needs pan, tilt or zoom other than 0; to stop, POST .../ptz/stop.");
    }
    if (Status limited = routes->RateLimit(user); !limited.ok()) return TooMany(limited);
    const std::string what = "move pan=" + Fixed(move.pan) + " tilt=" + Fixed(move.tilt) + " zoom=" + Fixed(move.zoom);
    const Status s = routes->control->Move(camera.name, move);
    const int64_t now = routes->ctx->NowUs();
    if (!s.ok() || routes->limits->NewPress(user.name, camera.name, what, now)) {
      routes->ctx->Audit(user, r, auth::kAuditPtz, camera.name, now, now,
                         what + " timeout_ms=" + std::to_string(move.timeout_ms), s.ok());
    }
    if (!s.ok()) {
      routes->limits->EndPress(user.name, camera.name);
      return s;
    }
    return http::Response::Empty(204);
  }));

  router.Add("POST", base + "/stop", ctx->Authed([routes](http::Request& r, const auth::User& user) -> Result<http::Response> {
    // A stop is never rate-limited: it is what makes a camera safe again.
    ASSIGN_OR_RETURN(CameraStatus camera, routes->Operable(user, r));
    routes->limits->EndPress(user.name, camera.name);
    return routes->Audited(user, r, camera.name, "stop", routes->control->Stop(camera.name));
  }));

  router.Add("POST", base + "/presets/{token}/goto",
             ctx->Authed([routes](http::Request& r, const auth::User& user) -> Result<http::Response> {
               ASSIGN_OR_RETURN(CameraStatus camera, routes->Operable(user, r));
               const std::string token = r.Param("token");
               RETURN_IF_ERROR(CheckPresetToken(token));
               if (Status limited = routes->RateLimit(user); !limited.ok()) return TooMany(limited);
               routes->limits->EndPress(user.name, camera.name);
               return routes->Audited(user, r, camera.name, "preset_goto token=" + token,
                                      routes->control->GotoPreset(camera.name, token));
             }));

  router.Add("POST", base + "/presets", ctx->Authed([routes](http::Request& r, const auth::User& user) -> Result<http::Response> {
    ASSIGN_OR_RETURN(CameraStatus camera, routes->Operable(user, r));
    ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonBody(r));
    const std::string name = JsonString(body, "name");
    if (name.empty() || name.size() > 64) return InvalidArgumentError("The field name must be 1 to 64 bytes.");
    for (unsigned char c : name) {
      if (c < 0x20 || c == 0x7f) return InvalidArgumentError("The field name has no control characters.");
    }
    if (Status limited = routes->RateLimit(user); !limited.ok()) return TooMany(limited);
    Result<std::string> token = routes->control->SetPreset(camera.name, name);
    const int64_t now = routes->ctx->NowUs();
    routes->ctx->Audit(user, r, auth::kAuditPtz, camera.name, now, now,
                       "preset_set name=" + name + (token.ok() ? " token=" + *token : ""), token.ok());
    if (!token.ok()) return token.status();
    return http::Response::Json(201, nlohmann::json{{"token", *token}, {"name", name}}.dump());
  }));

  router.Add("DELETE", base + "/presets/{token}",
             ctx->Authed([routes](http::Request& r, const auth::User& user) -> Result<http::Response> {
               ASSIGN_OR_RETURN(CameraStatus camera, routes->Operable(user, r));
               const std::string token = r.Param("token");
               RETURN_IF_ERROR(CheckPresetToken(token));
               if (Status limited = routes->RateLimit(user); !limited.ok()) return TooMany(limited);
               return routes->Audited(user, r, camera.name, "preset_remove token=" + token,
                                      routes->control->RemovePreset(camera.name, token));
             }));
}

}  // namespace sightline::api
