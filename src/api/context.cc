#include "api/context.h"

#include <charconv>

#include "api/credential.h"
#include "api/json.h"
#include "auth/rate_limiter.h"
#include "base/logging.h"

namespace sightline::api {
namespace {

constexpr size_t kMaxIdleConnections = 4;

}  // namespace

IndexLease::~IndexLease() {
  if (index_ != nullptr) owner_->Return(std::move(index_));
}

http::Response ErrorResponse(const Status& status) {
  int code = 500;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange: code = 400; break;
    case StatusCode::kUnauthenticated: code = 401; break;
    case StatusCode::kPermissionDenied: code = 403; break;
    case StatusCode::kNotFound: code = 404; break;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition: code = 409; break;
    case StatusCode::kResourceExhausted: code = 429; break;
    case StatusCode::kUnavailable: code = 503; break;
    case StatusCode::kUnimplemented: code = 415; break;
    default: break;
  }
  if (code == 500) {
    SL_LOG(kError) << "api: " << status;
    return http::Response::Error(500, "Something went wrong on the server; its log says what.");
  }
  http::Response r = http::Response::Error(code, status.message());
  if (std::optional<int64_t> retry = auth::RetryAfterSeconds(status)) {
    r.headers.Set("Retry-After", std::to_string(*retry));
  }
  return r;
}

http::Handler Context::Authed(AuthedHandler handler) {
  return [self = shared_from_this(), handler = std::move(handler)](http::Request& request) {
    Result<auth::User> user = self->Authenticate(request);
    if (!user.ok()) return ErrorResponse(user.status());
    Result<http::Response> result = handler(request, *user);
    if (!result.ok() && result.status().code() == StatusCode::kPermissionDenied) {
      self->AuditDenied(*user, request, result.status());
    }
    http::Response response = result.ok() ? std::move(result).value() : ErrorResponse(result.status());
    // What a user may see is for that user only: no cache keeps it unless the route says
    // otherwise (stored video, which never changes).
    if (!response.headers.Find("Cache-Control")) response.headers.Set("Cache-Control", "no-store");
    return response;
  };
}

Result<auth::User> Context::Authenticate(const http::Request& request) {
  if (!has_users_.load()) {
    ASSIGN_OR_RETURN(bool any, deps_.accounts->HasUsers());
    if (!any) {
      return UnavailableError(
          "Sightline has no users yet. Create the first one on the server: "
          "sightline user add NAME --role admin --config sightline.yaml");
    }
    has_users_ = true;
  }
  const Credential credential = CredentialOf(request, SessionCookieName(request));
  ASSIGN_OR_RETURN(auth::User user, api::Authenticate(*deps_.accounts, credential));
  // Scripts poll: a line per minute and token says it is in use, and from where.
  if (credential.kind == Credential::Kind::kApiToken &&
      FirstInAWhile("token", user.name, user.token_name + '\0' + request.remote_address)) {
    Audit(user, request, auth::kAuditTokenUse, request.Param("camera"), 0, 0,
          request.method + " " + request.path);
  }
  return user;
}

std::string Context::SessionSetCookie(const http::Request& request, const std::string& value,
                                      int64_t max_age_s) const {
  std::string c = std::string(SessionCookieName(request)) + "=" + value +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
  if (SecureCookies(request)) c += "; Secure";
  return c;
}

Result<CameraStatus> Context::ViewableCamera(const auth::User& user,
                                              std::string_view camera) const {
  for (CameraStatus& c : deps_.cameras->Cameras()) {
    if (c.name != camera) continue;
    if (!user.CanView(camera)) {
      return PermissionDeniedError("You do not have access to camera " + std::string(camera) + ".");
    }
    return std::move(c);
  }
  return NotFoundError("There is no camera named " + std::string(camera) + ".");
}

nlohmann::json Context::UserJson(const auth::User& user) const {
  std::vector<std::string> cameras;
  for (const CameraStatus& c : deps_.cameras->Cameras()) {
    if (user.CanView(c.name)) cameras.push_back(c.name);
  }
  return api::UserJson(user, cameras);
}

Result<StreamStatus> Context::StreamOf(const CameraStatus& camera, std::string_view stream) const {
  for (const StreamStatus& s : camera.streams) {
    if (s.name == stream) return s;
  }
  return NotFoundError("Camera " + camera.name + " has no stream named " + std::string(stream) +
                       ".");
}

Result<IndexLease> Context::ReadIndex() {
  {
    MutexLock lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<store::Index> index = std::move(idle_.back());
      idle_.pop_back();
      return IndexLease(this, std::move(index));
    }
  }
  ASSIGN_OR_RETURN(std::unique_ptr<store::Index> index,
                   store::Index::Open(deps_.index_path, /*read_only=*/true));
  return IndexLease(this, std::move(index));
}

void Context::Return(std::unique_ptr<store::Index> index) {
  MutexLock lock(mu_);
  if (idle_.size() < kMaxIdleConnections) idle_.push_back(std::move(index));
}

Result<std::vector<store::StorageDir>> Context::StorageDirs() {
  {
    MutexLock lock(mu_);
    if (dirs_.has_value()) return *dirs_;
  }
  ASSIGN_OR_RETURN(IndexLease index, ReadIndex());
  ASSIGN_OR_RETURN(std::vector<store::StorageDir> dirs,
                   store::FindStorageDirs(*deps_.env, *index, deps_.storage_paths));
  MutexLock lock(mu_);
  dirs_ = dirs;
  return dirs;
}

Result<std::unique_ptr<store::Index>> Context::WriteIndex() {
  return store::Index::Open(deps_.index_path);
}

void Context::Audit(const auth::User& user, const http::Request& request, std::string_view action,
                    std::string_view camera, int64_t start_us, int64_t end_us, std::string detail,
                    bool ok) {
  auth::AuditRecord r;
  r.user = user.name;
  r.action = std::string(action);
  r.camera = std::string(camera);
  r.start_us = start_us;
  r.end_us = end_us;
  r.remote = request.remote_address;
  r.detail = std::move(detail);
  if (!user.token_name.empty()) {
    r.detail += (r.detail.empty() ? "token=" : " token=") + user.token_name;
  }
  r.ok = ok;
  Result<int64_t> id = deps_.accounts->Audit(std::move(r));
  if (!id.ok()) {
    SL_LOG(kError) << "api: audit " << action << " by " << user.name << ": " << id.status();
  }
}

void Context::AuditDenied(const auth::User& user, const http::Request& request,
                          const Status& why) {
  // The range asked for, when the query names one: "who tried to see camera X then".
  auto query_us = [&](std::string_view name) {
    return ParseInt(request.Query(name)).value_or(0);
  };
  int64_t start_us = query_us("start_us"), end_us = query_us("end_us");
  if (start_us == 0 && request.HasQuery("time_us")) start_us = end_us = query_us("time_us");
  const std::string camera =
      request.HasParam("camera") ? request.Param("camera") : request.Query("camera");
  Audit(user, request, auth::kAuditDenied, camera, start_us, end_us,
        request.method + " " + request.path + ": " + why.message(), /*ok=*/false);
}

void Context::AuditRecordedView(const auth::User& user, const http::Request& request,
                                const std::string& camera, const std::string& stream,
                                int64_t seq, int64_t start_us, int64_t end_us, uint64_t bytes) {
  deps_.accounts->AuditRecordedView({.user = user.name,
                                     .camera = camera,
                                     .stream = stream,
                                     .remote = request.remote_address,
                                     .via = user.token_name.empty() ? "" : "token=" + user.token_name,
                                     .seq = seq,
                                     .start_us = start_us,
                                     .end_us = end_us,
                                     .bytes = bytes});
}

std::string Context::HourRangeKey(std::string_view camera, std::string_view stream,
                                  int64_t start_us, int64_t end_us) {
  constexpr int64_t kHourUs = 3'600'000'000;
  // Floor division, also for times before 1970.
  auto floor_hour = [](int64_t t) { return t / kHourUs - (t % kHourUs < 0 ? 1 : 0); };
  auto ceil_hour = [&](int64_t t) { return floor_hour(t) + (t % kHourUs != 0 ? 1 : 0); };
  return std::string(camera) + '/' + std::string(stream) + '@' +
         std::to_string(floor_hour(start_us)) + '-' + std::to_string(ceil_hour(end_us));
}

bool Context::FirstInAWhile(std::string_view kind, std::string_view user, std::string_view key) {
  constexpr int64_t kWhileUs = 60'000'000;
  const int64_t now = NowUs();
  std::string k = std::string(kind) + '\0' + std::string(user) + '\0' + std::string(key);
  MutexLock lock(mu_);
  if (last_audit_us_.size() > 10000) last_audit_us_.clear();  // bounded; at worst a repeat line
  int64_t& last = last_audit_us_[k];
  if (last != 0 && now - last < kWhileUs) return false;
  last = now;
  return true;
}

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

Result<int64_t> QueryInt(const http::Request& request, std::string_view name,
                         std::optional<int64_t> fallback) {
  if (!request.HasQuery(name)) {
    if (fallback.has_value()) return *fallback;
    return InvalidArgumentError("The parameter " + std::string(name) + " is missing.");
  }
  const std::string text = request.Query(name);
  std::optional<int64_t> v = ParseInt(text);
  if (!v.has_value()) {
    return InvalidArgumentError("The parameter " + std::string(name) + " must be an integer, not \"" +
                                text.substr(0, 40) + "\".");
  }
  return *v;
}

Result<double> QueryDouble(const http::Request& request, std::string_view name) {
  const std::string text = request.Query(name);
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgumentError("The parameter " + std::string(name) + " must be a number.");
  }
  return v;
}

Result<int64_t> QueryTime(const http::Request& request, std::string_view name) {
  ASSIGN_OR_RETURN(int64_t t, QueryInt(request, name));
  if (t < 0 || t > kMaxTimeUs) {
    return InvalidArgumentError("The parameter " + std::string(name) +
                                " must be a time between 0 and " + std::to_string(kMaxTimeUs) +
                                " (microseconds since 1970).");
  }
  return t;
}

Result<std::pair<int64_t, int64_t>> QueryRange(const http::Request& request) {
  ASSIGN_OR_RETURN(int64_t start, QueryTime(request, "start_us"));
  ASSIGN_OR_RETURN(int64_t end, QueryTime(request, "end_us"));
  if (end <= start) return InvalidArgumentError("end_us must be after start_us.");
  return std::pair{start, end};
}

}  // namespace sightline::api
