#pragma once
// AccountStore: users, sessions, API tokens, per-camera permissions and the audit log, in the
// recording index's SQLite file (tables in auth/schema.sql). The HTTP layer authenticates
// every request here and appends what people watched and exported; `sightline user` manages
// accounts from the command line.
//
// The store authenticates and records; it does not authorise: callers check the User's role
// (IsAdmin, CanOperate, CanView) before calling the user-management methods. It does refuse
// any change that would leave users but no enabled admin, so nobody can lock everyone out.
//
// Thread-safe: one mutex guards one SQLite connection (with a busy timeout, since the store's
// index writer writes the same file). Password hashing, the slow part of a login, runs outside
// that mutex, at most `max_concurrent_hashes` at a time. Error messages never contain a
// password or token.
//
// Audit rows that group many events (runs of recorded video watched, failed logins per
// address and minute) are held in memory until due: FlushAudit writes them (AuditMaintenance
// calls it every few seconds) and the destructor writes every pending one.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <vector>

#include "auth/account_observer.h"
#include "auth/audit_log.h"
#include "auth/crypto.h"
#include "auth/failed_login_summary.h"
#include "auth/rate_limiter.h"
#include "auth/user.h"
#include "auth/view_runs.h"
#include "base/clock.h"
#include "base/mutex.h"
#include "base/result.h"
#include "store/sqlite.h"

namespace sightline::auth {

// 2: the audit log's hash chain; 3: API tokens expire.
inline constexpr int kAuthSchemaVersion = 3;

// Audit actions written by this library; the HTTP layer uses the others.
inline constexpr std::string_view kAuditLogin = "login";
inline constexpr std::string_view kAuditLogout = "logout";
inline constexpr std::string_view kAuditUserAdd = "user_add";
inline constexpr std::string_view kAuditUserDelete = "user_delete";
inline constexpr std::string_view kAuditUserPassword = "user_password";
inline constexpr std::string_view kAuditUserRole = "user_role";
inline constexpr std::string_view kAuditUserDisable = "user_disable";
inline constexpr std::string_view kAuditUserEnable = "user_enable";
inline constexpr std::string_view kAuditCameraGrant = "camera_grant";
inline constexpr std::string_view kAuditCameraRevoke = "camera_revoke";
inline constexpr std::string_view kAuditTokenCreate = "token_create";
inline constexpr std::string_view kAuditTokenRevoke = "token_revoke";
inline constexpr std::string_view kAuditLive = "live";
inline constexpr std::string_view kAuditPlayback = "playback";
inline constexpr std::string_view kAuditExport = "export";
inline constexpr std::string_view kAuditSnapshot = "snapshot";
inline constexpr std::string_view kAuditEvidenceLock = "evidence_lock";
inline constexpr std::string_view kAuditThumbnail = "thumbnail";
// Recorded video actually sent (segment files), one row per run of adjacent fetches.
inline constexpr std::string_view kAuditRecordingView = "recording_view";
inline constexpr std::string_view kAuditRecordings = "recordings";  // the recorded spans listed
inline constexpr std::string_view kAuditEvents = "events";          // motion events listed
inline constexpr std::string_view kAuditMotionSearch = "motion_search";
inline constexpr std::string_view kAuditDenied = "denied";          // a request answered 403
inline constexpr std::string_view kAuditAuditRead = "audit_read";
inline constexpr std::string_view kAuditUserList = "user_list";
inline constexpr std::string_view kAuditTokenUse = "token_use";     // an API token was used
inline constexpr std::string_view kAuditRetention = "audit_retention";  // old rows dropped
// A camera switch (motion analysis, recording) turned on or off by a command, e.g. over MQTT.
inline constexpr std::string_view kAuditCameraSwitch = "camera_switch";
// A PTZ command from the API: move (once per press), stop, preset_goto/_set/_remove (detail).
inline constexpr std::string_view kAuditPtz = "ptz";
// The "Add cameras" page: a search for ONVIF cameras, and cameras written to sightline.yaml.
inline constexpr std::string_view kAuditOnvifDiscover = "onvif_discover";
inline constexpr std::string_view kAuditConfigCameras = "config_cameras";

// Every action above: the one list `GET /api/audit/actions` serves, from which the audit page
// builds its filter, so the UI never offers a name nobody writes. A new action is added here.
inline constexpr std::array kAuditActions = {
    kAuditLogin,
    kAuditLogout,
    kAuditLive,
    kAuditPlayback,
    kAuditRecordingView,
    kAuditRecordings,
    kAuditEvents,
    kAuditMotionSearch,
    kAuditExport,
    kAuditSnapshot,
    kAuditThumbnail,
    kAuditEvidenceLock,
    kAuditDenied,
    kAuditAuditRead,
    kAuditUserList,
    kAuditUserAdd,
    kAuditUserDelete,
    kAuditUserPassword,
    kAuditUserRole,
    kAuditUserDisable,
    kAuditUserEnable,
    kAuditCameraGrant,
    kAuditCameraRevoke,
    kAuditTokenCreate,
    kAuditTokenRevoke,
    kAuditTokenUse,
    kAuditRetention,
    kAuditCameraSwitch,
    kAuditPtz,
    kAuditOnvifDiscover,
    kAuditConfigCameras,
};

struct Session {
  std::string token{};  // the secret for the client (cookie); shown here once, stored hashed
  User user{};
  int64_t expires_us = 0;  // absolute end; the idle limit may end it earlier
};

struct ApiTokenInfo {
  std::string name{};
  int64_t created_us = 0;
  int64_t last_used_us = 0;  // 0: never; updated at most once a minute
  int64_t expires_us = 0;    // 0: never expires
};

// How long an API token works unless its creator says otherwise: a token stolen from a
// script's config file should not work for ever (security-review-1 L5).
inline constexpr std::chrono::seconds kDefaultApiTokenLifetime{90 * 24 * 3600};
// The longest lifetime accepted, so that expiry times stay far from overflow.
inline constexpr std::chrono::seconds kMaxApiTokenLifetime{10 * 366 * 24 * 3600};

struct AccountStoreOptions {
  const Clock* clock = nullptr;  // nullptr: the real clock; must outlive the store
  PasswordCost password_cost = kDefaultPasswordCost;
  std::chrono::seconds session_idle{7 * 24 * 3600};
  std::chrono::seconds session_lifetime{30 * 24 * 3600};
  RateLimiterOptions rate_limit{};
  int max_concurrent_hashes = 2;  // each holds password_cost.mem_bytes
  // Logins that may wait for a hash slot; one more is refused at once (Unavailable, "retry in
  // 1 s"). Waiting logins hold the HTTP server's handler threads, so this bound is what keeps
  // a password spray from starving every other request (security-review-1 M4).
  int max_waiting_logins = 1;
};

// Fields of PATCH /api/users/{name}: each one set is applied, all or none (UpdateUser).
struct UserUpdate {
  std::optional<Role> role;
  std::optional<std::string> password;
  std::optional<bool> disabled;
  std::optional<std::vector<std::string>> cameras;  // the whole list of grants
};

struct StoredUser;  // a row of the users table (account_store.cc)

class AccountStore {
 public:
  // Opens the index database at `path`, which the store must have created (its meta table
  // holds our schema version), and creates or checks the auth tables.
  static Result<std::unique_ptr<AccountStore>> Open(const std::string& path,
                                                    AccountStoreOptions options = {});
  ~AccountStore();
  AccountStore(const AccountStore&) = delete;
  AccountStore& operator=(const AccountStore&) = delete;

  // Checks the password and starts a session. Unauthenticated for an unknown name, a wrong
  // password or a disabled account, alike in message and in time; ResourceExhausted
  // (TooManyFailedLoginsError, see RetryAfterSeconds) when the rate limiter refuses;
  // Unavailable ("retry in 1 s") when max_concurrent_hashes + max_waiting_logins logins are
  // already under way. Names are checked (CheckUserName) before anything stores them. Every
  // admitted attempt is audited. Upgrades the stored hash when the cost has changed.
  Result<Session> Login(std::string_view name, std::string_view password, std::string_view remote);
  // The user of a live session (and keeps it alive); Unauthenticated otherwise.
  Result<User> Authenticate(std::string_view session_token);
  // The user of an API token that is neither revoked nor expired; Unauthenticated otherwise.
  Result<User> AuthenticateToken(std::string_view api_token);
  // Ends the session; OK when there was none.
  Status Logout(std::string_view session_token, std::string_view remote);

  Status AddUser(const Actor& actor, std::string_view name, std::string_view password, Role role);
  // Ends the user's sessions and revokes their API tokens: a token stolen with the password
  // must not outlive its reset (security-review-1 L5).
  Status SetPassword(const Actor& actor, std::string_view name, std::string_view password);
  Status SetRole(const Actor& actor, std::string_view name, Role role);
  // Disabling ends the user's sessions; their API tokens are refused until re-enabled.
  Status SetDisabled(const Actor& actor, std::string_view name, bool disabled);
  // Also deletes the user's sessions, tokens and camera grants; the audit log keeps the name.
  Status DeleteUser(const Actor& actor, std::string_view name);
  // Applies every field of `update` in one transaction, or none when one is refused (a bad
  // password, camera name, or the last admin lost); each change is audited as the methods
  // above audit it. A new password revokes the user's API tokens, as SetPassword does.
  Status UpdateUser(const Actor& actor, std::string_view name, const UserUpdate& update);
  Result<User> GetUser(std::string_view name);
  Result<std::vector<User>> Users();  // by name
  Result<bool> HasUsers();

  // Granting a camera twice, or revoking one not granted, is OK and not audited.
  Status GrantCamera(const Actor& actor, std::string_view user, std::string_view camera);
  Status RevokeCamera(const Actor& actor, std::string_view user, std::string_view camera);

  // A new API token named `token_name` (unique per user) for `user`: returned once. It works
  // for `lifetime` from now; 0 only when the caller asks for a token that never expires.
  // InvalidArgument for a negative lifetime or one beyond kMaxApiTokenLifetime.
  Result<std::string> CreateApiToken(const Actor& actor, std::string_view user,
                                     std::string_view token_name,
                                     std::chrono::seconds lifetime = kDefaultApiTokenLifetime);
  Status RevokeApiToken(const Actor& actor, std::string_view user, std::string_view token_name);
  Result<std::vector<ApiTokenInfo>> ApiTokens(std::string_view user);  // by name

  // Observers are told of every committed change to a user (everything above that changes
  // users, sessions, grants or tokens, except AddUser): an open live view re-checks its
  // access (api/live_sockets.h). Changes made by another process (`sightline user`) are not
  // seen; the observer's periodic re-check covers those. `observer` must stay valid until
  // removed.
  void AddObserver(AccountObserver* observer);
  void RemoveObserver(AccountObserver* observer);

  // Appends a record (time_us 0: now) and returns its id.
  Result<int64_t> Audit(AuditRecord record);
  // Newest first. Grouped rows still pending (see FlushAudit) are not there yet.
  Result<std::vector<AuditRecord>> QueryAudit(const AuditFilter& filter);
  // Records a fetch of recorded video (view_runs.h): adjacent fetches become one row.
  void AuditRecordedView(const RecordedView& view);
  // Writes the grouped rows that are due (or, with `all`, every pending one).
  Status FlushAudit(bool all = false);
  // Drops audit rows older than `max_age` that describe no recording still present
  // (audit_log.h DropOldAuditRows), in short transactions, and audits that it did.
  Result<int64_t> ApplyAuditRetention(std::chrono::seconds max_age);
  Result<AuditChainReport> VerifyAuditChain();
  // Rows ever appended and rows dropped by retention (audit_log.h ReadAuditTotals).
  Result<AuditTotals> AuditRowTotals();

 private:
  AccountStore(std::unique_ptr<store::Db> db, AccountStoreOptions options);

  Status Migrate() SL_EXCLUDES(mu_);
  // Appends `records` in one transaction; empty: nothing.
  Status WriteAuditRows(const std::vector<AuditRecord>& records) SL_EXCLUDES(mu_);
  int64_t NowUs() const;
  // Runs `change` on the row of user `name` in one transaction with its audit record.
  // `change` returns the record's detail, nullopt when nothing changed (nothing is audited),
  // or an error that rolls everything back. Defined and used in account_store.cc only.
  template <typename Change>
  Status ChangeUser(const Actor& actor, std::string_view name, std::string_view action,
                    std::string_view camera, Change change);
  // The steps of the user changes, on the locked connection inside a transaction: each
  // returns the audit detail, or nullopt when nothing changed.
  Result<std::optional<std::string>> ApplyPasswordHash(const StoredUser& u, const std::string& hash) SL_REQUIRES(mu_);
  Result<std::optional<std::string>> ApplyRole(const StoredUser& u, Role role) SL_REQUIRES(mu_);
  Result<std::optional<std::string>> ApplyDisabled(const StoredUser& u, bool disabled) SL_REQUIRES(mu_);
  Result<std::optional<std::string>> ApplyGrant(const StoredUser& u, std::string_view camera) SL_REQUIRES(mu_);
  Result<std::optional<std::string>> ApplyRevoke(const StoredUser& u, std::string_view camera) SL_REQUIRES(mu_);
  // Deletes every API token of `u`, audited as one token_revoke row when there were any.
  Status RevokeAllApiTokens(const Actor& actor, const StoredUser& u, std::string_view why)
      SL_REQUIRES(mu_);
  Result<std::string> HashWithLimit(std::string_view password);
  bool VerifyWithLimit(const std::string& hash, std::string_view password);
  const std::string& DummyHash();
  // Tells the observers; called after the commit, with mu_ released.
  void NotifyChanged(int64_t user_id, std::string_view action) SL_EXCLUDES(mu_);

  RealClock real_clock_;
  AccountStoreOptions options_;
  const Clock& clock_;

  Mutex mu_;
  std::unique_ptr<store::Db> db_ SL_GUARDED_BY(mu_);

  Mutex limiter_mu_;
  RateLimiter limiter_ SL_GUARDED_BY(limiter_mu_);

  Mutex observers_mu_;  // held while notifying
  std::vector<AccountObserver*> observers_ SL_GUARDED_BY(observers_mu_);
  Mutex audit_mu_;  // never held with mu_
  ViewRuns view_runs_ SL_GUARDED_BY(audit_mu_);
  FailedLoginSummary failed_logins_ SL_GUARDED_BY(audit_mu_);

  std::counting_semaphore<> hash_slots_;
  std::atomic<int> logins_under_way_{0};
  std::once_flag dummy_once_;
  std::string dummy_hash_;  // verified against for unknown names, so they cost the same time
};

}  // namespace sightline::auth
