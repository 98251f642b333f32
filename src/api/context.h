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
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api.h"
#include "api/export_jobs.h"
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
  // token, and every error Status mapped to its HTTP status.
  http::Handler Authed(AuthedHandler handler);
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
  // already happened).
  void Audit(const auth::User& user, const http::Request& request, std::string_view action,
             std::string_view camera, int64_t start_us = 0, int64_t end_us = 0,
             std::string detail = "", bool ok = true);

  // True at most once a minute per (kind, user, key): an HLS player reloads its playlist every
  // few seconds, and the audit log wants one line per viewing, not one per reload.
  bool FirstInAWhile(std::string_view kind, std::string_view user, std::string_view key);

  // Motion events of `camera` overlapping [start_us, end_us), for the timeline.
  nlohmann::json EventsJson(const std::string& camera, int64_t start_us, int64_t end_us);

  // GET /api/system.
  nlohmann::json SystemJson();

  int64_t NowUs() const { return UnixMicros(deps_.clock->WallNow()); }

 private:
  friend class IndexLease;
  void Return(std::unique_ptr<store::Index> index);

  ApiDeps deps_;
  ExportJobs exports_;
  std::atomic<bool> has_users_{false};
  std::mutex mu_;
  std::vector<std::unique_ptr<store::Index>> idle_;  // guarded by mu_
  std::optional<std::vector<store::StorageDir>> dirs_;  // guarded by mu_
  std::map<std::string, int64_t> last_audit_us_;         // guarded by mu_
};

// The HTTP status for an error Status (docs/ref/api.md "Conventions").
http::Response ErrorResponse(const Status& status);

// The whole of `text` as a decimal integer, or nullopt.
std::optional<int64_t> ParseInt(std::string_view text);

// Query parameters.
Result<int64_t> QueryInt(const http::Request& request, std::string_view name,
                         std::optional<int64_t> fallback = std::nullopt);
Result<double> QueryDouble(const http::Request& request, std::string_view name);
// `start_us` and `end_us`, with start < end.
Result<std::pair<int64_t, int64_t>> QueryRange(const http::Request& request);

// Route groups, in the files named after them.
// Handlers keep the Context alive through the shared_ptr they capture.
using ContextPtr = std::shared_ptr<Context>;
void AddSessionRoutes(const ContextPtr& ctx, http::Router& router);
void AddCameraRoutes(const ContextPtr& ctx, http::Router& router);
void AddRecordingRoutes(const ContextPtr& ctx, http::Router& router);
void AddLiveRoutes(const ContextPtr& ctx, http::Router& router);
void AddAdminRoutes(const ContextPtr& ctx, http::Router& router);
void AddMotionRoutes(const ContextPtr& ctx, http::Router& router);

}  // namespace sightline::api
