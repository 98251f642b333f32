#pragma once
// Context: what every route of the API shares (deps, read-only index connections, the storage
// directories) and the steps every handler takes: authenticate, check the role and the camera,
// turn a Status into the HTTP error docs/ref/api.md lists, audit. Internal to api/.
//
// Threads: all methods are thread-safe; handlers call them from the HTTP blocking pool.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api.h"
#include "api/export_jobs.h"
#include "base/mutex.h"
#include "http/request.h"
#include "store/export.h"
#include "store/index.h"

namespace sightline::api {

class Context;

// A read-only index connection borrowed from the pool; returned on destruction.
class IndexLease {
 public:
  IndexLease(Context* owner, std::unique_ptr<store::Index> index)
      : owner_(owner), index_(std::move(index)) {}
  IndexLease(IndexLease&&) = default;
  ~IndexLease();
  store::Index& operator*() { return *index_; }
  store::Index* operator->() { return index_.get(); }

 private:
  Context* owner_;
  std::unique_ptr<store::Index> index_;
};

using AuthedHandler = std::function<Result<http::Response>(http::Request&, const auth::User&)>;

class Context : public std::enable_shared_from_this<Context> {
 public:
  explicit Context(ApiDeps deps) : deps_(std::move(deps)), exports_(deps_.max_exports) {}
  const ApiDeps& deps() const { return deps_; }
  // The export pool and its limits.
  ExportJobs& exports() { return exports_; }

  // Wraps a handler: 503 until a user exists, 401 without a valid session cookie or bearer
  // token, and every error Status mapped to its HTTP status; a 403 is audited (AuditDenied).
  http::Handler Authed(AuthedHandler handler);
  // Also audits the use of an API token, once a minute per token.
  Result<auth::User> Authenticate(const http::Request& request);
  // NotFound for an unknown camera, PermissionDenied when the user may not view it.
  Result<CameraStatus> ViewableCamera(const auth::User& user, std::string_view camera) const;
  // The stream's status; NotFound if the camera has no such stream.
  Result<StreamStatus> StreamOf(const CameraStatus& camera, std::string_view stream) const;

  // docs/ref/api.md `User`, with the configured cameras the user may view.
  nlohmann::json UserJson(const auth::User& user) const;

  Result<IndexLease> ReadIndex();
  // The storage directories by index id, found once from their meta files.
  Result<std::vector<store::StorageDir>> StorageDirs();
  // A read-write connection for the rare writes of the API (evidence lock); SQLite serialises
  // them with the recorder's writer.
  Result<std::unique_ptr<store::Index>> WriteIndex();

  // Appends to the audit log; a failure is logged, never shown to the user (the action itself
  // already happened). The detail gets "token=NAME" when the user came with an API token.
  void Audit(const auth::User& user, const http::Request& request, std::string_view action,
             std::string_view camera, int64_t start_us = 0, int64_t end_us = 0,
             std::string detail = "", bool ok = true);
  // A refused request (403): who tried what, on which camera and time range (from the path
  // and query), so that attempts show next to views.
  void AuditDenied(const auth::User& user, const http::Request& request, const Status& why);
  // Recorded video sent: segment `seq` of camera/stream, the span of the fragments sent.
  // Adjacent fetches are grouped into one row (auth/view_runs.h).
  void AuditRecordedView(const auth::User& user, const http::Request& request,
                         const std::string& camera, const std::string& stream, int64_t seq,
                         int64_t start_us, int64_t end_us, uint64_t bytes);

  // True at most once a minute per (kind, user, key): an HLS player reloads its playlist every
  // few seconds, the timeline its recordings and events, and the audit log wants one line per
  // viewing, not one per reload.
  bool FirstInAWhile(std::string_view kind, std::string_view user, std::string_view key);
  // The key of FirstInAWhile for a time range on camera/stream: the range rounded out to whole
  // hours, so that each hour watched gets its line, while reloads within it do not.
  static std::string HourRangeKey(std::string_view camera, std::string_view stream,
                                  int64_t start_us, int64_t end_us);

  // Motion events of `camera` overlapping [start_us, end_us), for the timeline.
  nlohmann::json EventsJson(const std::string& camera, int64_t start_us, int64_t end_us);

  // GET /api/system.
  nlohmann::json SystemJson();

  int64_t NowUs() const { return UnixMicros(deps_.clock->WallNow()); }

  // The session cookie's name: "__Host-sl_session" when the cookie is Secure (under TLS, or
  // with secure_cookies), so no other host or path of the site can plant one that shadows it
  // (RFC 6265bis section 4.1.3.2); else "sl_session".
  std::string_view SessionCookieName(const http::Request& request) const {
    return SecureCookies(request) ? "__Host-sl_session" : "sl_session";
  }
  // The Set-Cookie value that sets the session cookie (an empty value and 0 end it):
  // HttpOnly (no script reads it), SameSite=Strict (no other site's request carries it),
  // Secure when the cookie name says so.
  std::string SessionSetCookie(const http::Request& request, const std::string& value,
                               int64_t max_age_s) const;

 private:
  friend class IndexLease;
  void Return(std::unique_ptr<store::Index> index);

  bool SecureCookies(const http::Request& request) const { return request.tls || deps_.secure_cookies; }

  ApiDeps deps_;
  ExportJobs exports_;
  std::atomic<bool> has_users_{false};
  Mutex mu_;
  std::vector<std::unique_ptr<store::Index>> idle_ SL_GUARDED_BY(mu_);
  std::optional<std::vector<store::StorageDir>> dirs_ SL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> last_audit_us_ SL_GUARDED_BY(mu_);
};

// The HTTP status for an error Status (docs/ref/api.md "Conventions").
http::Response ErrorResponse(const Status& status);

// The whole of `text` as a decimal integer, or nullopt.
std::optional<int64_t> ParseInt(std::string_view text);

// Query parameters.
Result<int64_t> QueryInt(const http::Request& request, std::string_view name,
                         std::optional<int64_t> fallback = std::nullopt);
Result<double> QueryDouble(const http::Request& request, std::string_view name);
// The latest time the API accepts, about the year 2255: far beyond any recording, and small
// enough that sums and differences of two times never overflow int64.
inline constexpr int64_t kMaxTimeUs = int64_t{1} << 53;
// `end_us - start_us` for end >= start, computed without overflow for any two int64 values.
inline uint64_t SpanUs(int64_t start_us, int64_t end_us) {
  return static_cast<uint64_t>(end_us) - static_cast<uint64_t>(start_us);
}
// `start_us` and `end_us`, with 0 <= start < end <= kMaxTimeUs.
Result<std::pair<int64_t, int64_t>> QueryRange(const http::Request& request);
// The parameter `name` as a time in [0, kMaxTimeUs].
Result<int64_t> QueryTime(const http::Request& request, std::string_view name);

// Route groups, in the files named after them.
// Handlers keep the Context alive through the shared_ptr they capture.
using ContextPtr = std::shared_ptr<Context>;
void AddSessionRoutes(const ContextPtr& ctx, http::Router& router);
void AddCameraRoutes(const ContextPtr& ctx, http::Router& router);
void AddRecordingRoutes(const ContextPtr& ctx, http::Router& router);
void AddLiveRoutes(const ContextPtr& ctx, http::Router& router);
void AddAdminRoutes(const ContextPtr& ctx, http::Router& router);
void AddTokenRoutes(const ContextPtr& ctx, http::Router& router);
void AddMotionRoutes(const ContextPtr& ctx, http::Router& router);
void AddPtzRoutes(const ContextPtr& ctx, http::Router& router);
void AddCameraSetupRoutes(const ContextPtr& ctx, http::Router& router);

}  // namespace sightline::api
