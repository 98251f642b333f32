#include "auth/account_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <functional>

#include "auth/schema_sql.h"      // generated from schema.sql: kSchemaSql
#include "auth/upgrade_v2_sql.h"  // generated from upgrade_v2.sql: kUpgradeV2Sql
#include "auth/upgrade_v3_sql.h"  // generated from upgrade_v3.sql: kUpgradeV3Sql
#include "base/logging.h"

namespace sightline::auth {
// A row of the users table.
struct StoredUser {
  int64_t id = 0;
  std::string name;
  std::string password_hash;
  Role role = Role::kViewer;
  bool disabled = false;
  int64_t created_us = 0;
};

namespace {

using store::Db;
using store::Stmt;
using store::Transaction;

// last_seen_us and last_used_us are written at most this often: every request authenticates,
// and a write per request would cost an fsync each (the index runs synchronous=FULL). The
// idle limit is therefore exact to a minute.
constexpr int64_t kTouchIntervalUs = 60'000'000;
// Longer strings cannot be tokens we made (43 characters); they are refused unhashed.
constexpr size_t kMaxTokenBytes = 256;
// Failed logins record what was typed as the user name; a long paste is cut.
constexpr size_t kMaxAuditNameBytes = 128;

// Counts a login as under way for its lifetime, if fewer than `limit` are.
class LoginGate {
 public:
  LoginGate(std::atomic<int>& under_way, int limit) : under_way_(under_way) {
    admitted_ = under_way_.fetch_add(1) < limit;
  }
  ~LoginGate() { under_way_.fetch_sub(1); }
  LoginGate(const LoginGate&) = delete;
  LoginGate& operator=(const LoginGate&) = delete;
  bool admitted() const { return admitted_; }

 private:
  std::atomic<int>& under_way_;
  bool admitted_ = false;
};

// Holds one of a counting semaphore's slots.
class SlotGuard {
 public:
  explicit SlotGuard(std::counting_semaphore<>& slots) : slots_(slots) { slots_.acquire(); }
  ~SlotGuard() { slots_.release(); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  std::counting_semaphore<>& slots_;
};

// Runs what it was given when it goes out of scope. Declared before a lock guard, it runs
// after the lock was released: observers are told of a change without the store's lock.
class AfterUnlock {
 public:
  AfterUnlock() = default;
  ~AfterUnlock() {
    if (f_) f_();
  }
  AfterUnlock(const AfterUnlock&) = delete;
  AfterUnlock& operator=(const AfterUnlock&) = delete;
  void Set(std::function<void()> f) { f_ = std::move(f); }

 private:
  std::function<void()> f_;
};

Status AlreadyExistsError(std::string message) {
  return Status(StatusCode::kAlreadyExists, std::move(message));
}

Status NoSuchUser(std::string_view name) {
  return NotFoundError("no user named '" + std::string(name) + "'");
}

Status BadCredentials() { return UnauthenticatedError("wrong user name or password"); }

Status NoSession() {
  return UnauthenticatedError("not logged in, or the session has ended: log in again");
}

constexpr const char* kUserColumns =
    "u.id, u.name, u.password_hash, u.role, u.disabled, u.created_us";

// The kUserColumns of the current row, from column `first` on.
StoredUser ReadUser(const Stmt& s, int first) {
  StoredUser u;
  u.id = s.Int(first);
  u.name = s.Text(first + 1);
  u.password_hash = s.Text(first + 2);
  // The table's CHECK constraint admits only the three names.
  u.role = ParseRole(s.Text(first + 3)).value_or(Role::kViewer);
  u.disabled = s.Int(first + 4) != 0;
  u.created_us = s.Int(first + 5);
  return u;
}

// The functions below take the Db of a store whose mutex the caller holds.

Result<std::optional<StoredUser>> FindUser(Db& db, std::string_view name) {
  ASSIGN_OR_RETURN(Stmt s, db.Prepare(std::string("SELECT ") + kUserColumns +
                                      " FROM users u WHERE u.name = ?"));
  s.Bind(1, name);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<StoredUser>();
  return std::optional<StoredUser>(ReadUser(s, 0));
}

Result<User> LoadUser(Db& db, const StoredUser& stored) {
  User user;
  user.id = stored.id;
  user.name = stored.name;
  user.role = stored.role;
  user.disabled = stored.disabled;
  user.created_us = stored.created_us;
  ASSIGN_OR_RETURN(Stmt s, db.Prepare("SELECT camera FROM user_cameras WHERE user_id = ?"));
  s.Bind(1, stored.id);
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    user.cameras.push_back(s.Text(0));
  }
  // User::CanView binary-searches.
  std::sort(user.cameras.begin(), user.cameras.end());
  return user;
}

// Appends to the audit log's hash chain (audit_log.h); the caller holds a write transaction.
Status AppendAudit(Db& db, const AuditRecord& r) { return AppendAuditRow(db, r).status(); }

Status Run(Db& db, std::string_view sql, int64_t a) {
  ASSIGN_OR_RETURN(Stmt s, db.Prepare(sql));
  return s.Bind(1, a).Run();
}

Status Run(Db& db, std::string_view sql, int64_t a, int64_t b) {
  ASSIGN_OR_RETURN(Stmt s, db.Prepare(sql));
  return s.Bind(1, a).Bind(2, b).Run();
}

// A record of `action` by `actor`.
AuditRecord MakeRecord(int64_t time_us, const Actor& actor, std::string_view action,
                       std::string_view camera = {}, std::string detail = {}) {
  AuditRecord r;
  r.time_us = time_us;
  r.user = actor.user;
  r.action = action;
  r.camera = camera;
  r.remote = actor.remote;
  r.detail = std::move(detail);
  return r;
}

// Every user and permission change ends with this check: users without an enabled admin
// could not be managed any more (short of the command line).
Status CheckAnAdminRemains(Db& db) {
  ASSIGN_OR_RETURN(Stmt s, db.Prepare(
      "SELECT EXISTS (SELECT 1 FROM users) AND"
      " NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0)"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (row && s.Int(0) != 0) {
    return FailedPreconditionError(
        "refused: there must be an enabled admin (the first user must be one, and the last one"
        " cannot be deleted, demoted or disabled)");
  }
  return Status();
}

// Rows the last INSERT, UPDATE or DELETE changed.
int64_t Changes(Db& db) { return sqlite3_changes64(db.raw()); }

}  // namespace

Result<std::unique_ptr<AccountStore>> AccountStore::Open(const std::string& path,
                                                         AccountStoreOptions options) {
  if (options.max_concurrent_hashes < 1 || options.max_waiting_logins < 0) {
    return InvalidArgumentError("max_concurrent_hashes must be at least 1, max_waiting_logins at least 0");
  }
  if (options.session_idle.count() <= 0 || options.session_lifetime.count() <= 0) {
    return InvalidArgumentError("session idle limit and lifetime must be positive");
  }
  // Db::Open would create an empty file at a wrong path.
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return FailedPreconditionError("no index database at " + path + ": open the store first");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(path, /*read_only=*/false));
  std::unique_ptr<AccountStore> accounts(new AccountStore(std::move(db), options));
  RETURN_IF_ERROR(accounts->Migrate().WithContext("accounts in " + path));
  return accounts;
}

AccountStore::AccountStore(std::unique_ptr<Db> db, AccountStoreOptions options)
    : options_(options),
      clock_(options.clock != nullptr ? *options.clock : real_clock_),
      db_(std::move(db)),
      limiter_(clock_, options.rate_limit),
      hash_slots_(options.max_concurrent_hashes) {}

AccountStore::~AccountStore() {
  // Nothing pending is lost at a clean stop.
  if (Status s = FlushAudit(/*all=*/true); !s.ok()) {
    SL_LOG(kError) << "auth: writing the pending audit rows at exit: " << s;
  }
}

int64_t AccountStore::NowUs() const { return UnixMicros(clock_.WallNow()); }

Status AccountStore::Migrate() {
  MutexLock lock(mu_);
  {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"));
    ASSIGN_OR_RETURN(bool has_meta, s.Step());
    if (!has_meta) {
      return FailedPreconditionError("not a Sightline index (no table meta): open the store first");
    }
  }
  // IMMEDIATE: two processes opening a new index at once must not both create the tables.
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
        "SELECT value FROM meta WHERE key = 'auth_schema_version'"));
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) {
      const std::string text = s.Text(0);
      int version = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
      if (ec != std::errc() || p != text.data() + text.size()) {
        return DataLossError("meta auth_schema_version is '" + text + "', not a number");
      }
      if (version > kAuthSchemaVersion) {
        return FailedPreconditionError("schema version " + text + " is newer than this" +
                                       " Sightline's " + std::to_string(kAuthSchemaVersion) +
                                       ": upgrade Sightline");
      }
      if (version == kAuthSchemaVersion) return Status();
      // Upgrade steps, version N-1 -> N, in the transaction begun above.
      if (version < 2) {
        RETURN_IF_ERROR(db_->Exec(kUpgradeV2Sql).WithContext("upgrading the account tables to 2"));
        RETURN_IF_ERROR(ChainUnhashedAuditRows(*db_).WithContext("chaining the audit log"));
      }
      if (version < 3) {
        RETURN_IF_ERROR(db_->Exec(kUpgradeV3Sql).WithContext("upgrading the account tables to 3"));
      }
      ASSIGN_OR_RETURN(Stmt set, db_->Prepare(
          "UPDATE meta SET value = ? WHERE key = 'auth_schema_version'"));
      RETURN_IF_ERROR(set.Bind(1, std::to_string(kAuthSchemaVersion)).Run());
      return tx.Commit();
    }
  }
  RETURN_IF_ERROR(db_->Exec(kSchemaSql).WithContext("creating the account tables"));
  {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
        "INSERT INTO meta (key, value) VALUES ('auth_schema_version', ?)"));
    RETURN_IF_ERROR(s.Bind(1, std::to_string(kAuthSchemaVersion)).Run());
  }
  return tx.Commit();
}

Result<std::string> AccountStore::HashWithLimit(std::string_view password) {
  SlotGuard slot(hash_slots_);
  return HashPassword(password, options_.password_cost);
}

bool AccountStore::VerifyWithLimit(const std::string& hash, std::string_view password) {
  SlotGuard slot(hash_slots_);
  return VerifyPassword(hash, password);
}

const std::string& AccountStore::DummyHash() {
  std::call_once(dummy_once_, [this] {
    // If this fails (out of memory) unknown names answer faster; nothing else changes.
    dummy_hash_ = HashWithLimit(NewToken()).value_or("");
  });
  return dummy_hash_;
}

Result<Session> AccountStore::Login(std::string_view name, std::string_view password,
                                    std::string_view remote) {
  LoginGate gate(logins_under_way_, options_.max_concurrent_hashes + options_.max_waiting_logins);
  if (!gate.admitted()) return UnavailableError("too many logins at once; retry in 1 s");

  // An invalid name matches no user; whatever its length, the limiter keys on at most its
  // first 64 bytes and the audit log keeps at most 128 (security-review-1 H1).
  const bool valid_name = CheckUserName(name).ok();
  {
    MutexLock lock(limiter_mu_);
    const std::chrono::seconds wait = limiter_.Admit(name, remote);
    if (wait.count() > 0) return TooManyFailedLoginsError(wait);
  }
  std::optional<StoredUser> stored;
  if (valid_name) {
    MutexLock lock(mu_);
    ASSIGN_OR_RETURN(stored, FindUser(*db_, name));
  }
  // An unknown name, a disabled account and a wrong password cost the same Argon2id
  // verification and get the same answer: the time taken does not tell which names exist.
  const bool password_ok = VerifyWithLimit(stored ? stored->password_hash : DummyHash(),
                                           password.substr(0, kMaxPasswordBytes)) &&
                           password.size() <= kMaxPasswordBytes;
  const char* failure = !stored            ? "unknown user"
                        : !password_ok     ? "wrong password"
                        : stored->disabled ? "account disabled"
                                           : nullptr;
  AuditRecord record =
      MakeRecord(0, {CutUtf8(name, kMaxAuditNameBytes), std::string(remote)}, kAuditLogin);
  if (failure != nullptr) {
    // One row per address and minute (failed_login_summary.h): anyone can cause these.
    std::vector<AuditRecord> due;
    {
      MutexLock lock(audit_mu_);
      due = failed_logins_.Add(record.remote, record.user, failure, NowUs());
    }
    RETURN_IF_ERROR(WriteAuditRows(due));
    return BadCredentials();
  }

  // The stored hash was made with another cost (an older default): replace it, best effort.
  std::optional<std::string> new_hash;
  if (NeedsRehash(stored->password_hash, options_.password_cost)) {
    if (Result<std::string> h = HashWithLimit(password); h.ok()) new_hash = std::move(*h);
  }
  Session session;
  session.token = NewToken();
  {
    MutexLock lock(mu_);
    const int64_t now = NowUs();
    const int64_t idle_us = std::chrono::microseconds(options_.session_idle).count();
    session.expires_us = now + std::chrono::microseconds(options_.session_lifetime).count();
    Transaction tx(*db_);
    RETURN_IF_ERROR(tx.Begin());
    // The user may have changed while the password was checked.
    ASSIGN_OR_RETURN(std::optional<StoredUser> current, FindUser(*db_, name));
    if (!current || current->disabled || current->password_hash != stored->password_hash) {
      return BadCredentials();
    }
    // Ended sessions of every user are dropped here, where a row is written anyway.
    RETURN_IF_ERROR(Run(*db_,
                        "DELETE FROM sessions WHERE expires_us <= ?1 OR last_seen_us <= ?1 - ?2",
                        now, idle_us));
    if (new_hash) {
      ASSIGN_OR_RETURN(Stmt s, db_->Prepare("UPDATE users SET password_hash = ? WHERE id = ?"));
      RETURN_IF_ERROR(s.Bind(1, *new_hash).Bind(2, current->id).Run());
    }
    {
      ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
          "INSERT INTO sessions (token_hash, user_id, created_us, expires_us, last_seen_us, remote)"
          " VALUES (?, ?, ?, ?, ?, ?)"));
      s.Bind(1, TokenDigest(session.token)).Bind(2, current->id).Bind(3, now);
      s.Bind(4, session.expires_us).Bind(5, now).Bind(6, remote);
      RETURN_IF_ERROR(s.Run());
    }
    record.time_us = now;
    record.user = current->name;
    RETURN_IF_ERROR(AppendAudit(*db_, record));
    ASSIGN_OR_RETURN(session.user, LoadUser(*db_, *current));
    RETURN_IF_ERROR(tx.Commit());
  }
  MutexLock lock(limiter_mu_);
  limiter_.Succeeded(name, remote);
  return session;
}

Result<User> AccountStore::Authenticate(std::string_view session_token) {
  if (session_token.empty() || session_token.size() > kMaxTokenBytes) return NoSession();
  const std::string digest = TokenDigest(session_token);
  MutexLock lock(mu_);
  const int64_t now = NowUs();
  int64_t session_id = 0, expires_us = 0, last_seen_us = 0;
  StoredUser user;
  {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
        std::string("SELECT s.id, s.expires_us, s.last_seen_us, ") + kUserColumns +
        " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?"));
    s.Bind(1, digest);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return NoSession();
    session_id = s.Int(0);
    expires_us = s.Int(1);
    last_seen_us = s.Int(2);
    user = ReadUser(s, 3);
  }
  const int64_t idle_us = std::chrono::microseconds(options_.session_idle).count();
  const bool expired = now >= expires_us || now - last_seen_us >= idle_us;
  if (expired || user.disabled) {
    RETURN_IF_ERROR(Run(*db_, "DELETE FROM sessions WHERE id = ?", session_id));
    return expired ? UnauthenticatedError("the session has expired: log in again") : NoSession();
  }
  if (now - last_seen_us >= kTouchIntervalUs) {
    RETURN_IF_ERROR(
        Run(*db_, "UPDATE sessions SET last_seen_us = ? WHERE id = ?", now, session_id));
  }
  return LoadUser(*db_, user);
}

Result<User> AccountStore::AuthenticateToken(std::string_view api_token) {
  auto invalid = [] { return UnauthenticatedError("unknown or revoked API token"); };
  if (api_token.empty() || api_token.size() > kMaxTokenBytes) return invalid();
  const std::string digest = TokenDigest(api_token);
  MutexLock lock(mu_);
  const int64_t now = NowUs();
  int64_t token_id = 0, last_used_us = 0;
  std::string token_name;
  StoredUser user;
  {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
        std::string("SELECT t.id, t.last_used_us, ") + kUserColumns +
        ", t.name, t.expires_us FROM api_tokens t JOIN users u ON u.id = t.user_id"
        " WHERE t.token_hash = ?"));
    s.Bind(1, digest);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return invalid();
    token_id = s.Int(0);
    last_used_us = s.Int(1);
    user = ReadUser(s, 2);
    token_name = s.Text(8);
    const int64_t expires_us = s.Int(9);
    // Kept in the table after expiry so that its owner sees in the list why it stopped.
    if (expires_us != 0 && now >= expires_us) {
      return UnauthenticatedError("the API token '" + token_name + "' has expired");
    }
  }
  if (user.disabled) return UnauthenticatedError("the account '" + user.name + "' is disabled");
  if (now - last_used_us >= kTouchIntervalUs) {
    RETURN_IF_ERROR(
        Run(*db_, "UPDATE api_tokens SET last_used_us = ? WHERE id = ?", now, token_id));
  }
  ASSIGN_OR_RETURN(User loaded, LoadUser(*db_, user));
  loaded.token_name = std::move(token_name);  // the audit log names the token used
  return loaded;
}

Status AccountStore::Logout(std::string_view session_token, std::string_view remote) {
  if (session_token.empty() || session_token.size() > kMaxTokenBytes) return Status();
  const std::string digest = TokenDigest(session_token);
  AfterUnlock notify;
  MutexLock lock(mu_);
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  std::string name;
  int64_t session_id = 0, user_id = 0;
  {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
        "SELECT s.id, u.name, u.id FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.token_hash = ?"));
    s.Bind(1, digest);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status();
    session_id = s.Int(0);
    name = s.Text(1);
    user_id = s.Int(2);
  }
  RETURN_IF_ERROR(Run(*db_, "DELETE FROM sessions WHERE id = ?", session_id));
  RETURN_IF_ERROR(
      AppendAudit(*db_, MakeRecord(NowUs(), {name, std::string(remote)}, kAuditLogout)));
  RETURN_IF_ERROR(tx.Commit());
  notify.Set([this, user_id] { NotifyChanged(user_id, kAuditLogout); });
  return Status();
}

template <typename Change>
Status AccountStore::ChangeUser(const Actor& actor, std::string_view name, std::string_view action,
                                std::string_view camera, Change change) {
  AfterUnlock notify;
  MutexLock lock(mu_);
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  ASSIGN_OR_RETURN(std::optional<StoredUser> user, FindUser(*db_, name));
  if (!user) return NoSuchUser(name);
  Result<std::optional<std::string>> detail = change(*user);
  if (!detail.ok()) return detail.status();
  if (!detail->has_value()) return Status();
  RETURN_IF_ERROR(CheckAnAdminRemains(*db_));
  RETURN_IF_ERROR(
      AppendAudit(*db_, MakeRecord(NowUs(), actor, action, camera, std::move(**detail))));
  RETURN_IF_ERROR(tx.Commit());
  notify.Set([this, user_id = user->id, action] { NotifyChanged(user_id, action); });
  return Status();
}

Status AccountStore::AddUser(const Actor& actor, std::string_view name, std::string_view password,
                             Role role) {
  RETURN_IF_ERROR(CheckUserName(name));
  RETURN_IF_ERROR(CheckPassword(password));
  auto exists = [&] {
    return AlreadyExistsError("a user named '" + std::string(name) + "' exists");
  };
  {
    // Before the slow hash; checked again in the transaction.
    MutexLock lock(mu_);
    ASSIGN_OR_RETURN(std::optional<StoredUser> user, FindUser(*db_, name));
    if (user) return exists();
  }
  ASSIGN_OR_RETURN(std::string hash, HashWithLimit(password));
  MutexLock lock(mu_);
  const int64_t now = NowUs();
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  ASSIGN_OR_RETURN(std::optional<StoredUser> user, FindUser(*db_, name));
  if (user) return exists();
  {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
        "INSERT INTO users (name, password_hash, role, created_us) VALUES (?, ?, ?, ?)"));
    RETURN_IF_ERROR(s.Bind(1, name).Bind(2, hash).Bind(3, RoleName(role)).Bind(4, now).Run());
  }
  RETURN_IF_ERROR(CheckAnAdminRemains(*db_));
  RETURN_IF_ERROR(AppendAudit(*db_, MakeRecord(now, actor, kAuditUserAdd, "",
                                               "user=" + std::string(name) + " role=" +
                                                   std::string(RoleName(role)))));
  return tx.Commit();
}

Result<std::optional<std::string>> AccountStore::ApplyPasswordHash(const StoredUser& u,
                                                                  const std::string& hash) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("UPDATE users SET password_hash = ? WHERE id = ?"));
  RETURN_IF_ERROR(s.Bind(1, hash).Bind(2, u.id).Run());
  RETURN_IF_ERROR(Run(*db_, "DELETE FROM sessions WHERE user_id = ?", u.id));
  return std::optional<std::string>("user=" + u.name);
}

Status AccountStore::RevokeAllApiTokens(const Actor& actor, const StoredUser& u,
                                        std::string_view why) {
  RETURN_IF_ERROR(Run(*db_, "DELETE FROM api_tokens WHERE user_id = ?", u.id));
  const int64_t revoked = Changes(*db_);
  if (revoked == 0) return Status();
  return AppendAudit(*db_, MakeRecord(NowUs(), actor, kAuditTokenRevoke, "",
                                      "user=" + u.name + " tokens=" + std::to_string(revoked) +
                                          " " + std::string(why)));
}

Result<std::optional<std::string>> AccountStore::ApplyRole(const StoredUser& u, Role role) {
  if (u.role == role) return std::optional<std::string>();
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("UPDATE users SET role = ? WHERE id = ?"));
  RETURN_IF_ERROR(s.Bind(1, RoleName(role)).Bind(2, u.id).Run());
  return std::optional<std::string>("user=" + u.name + " role=" + std::string(RoleName(u.role)) +
                                    "->" + std::string(RoleName(role)));
}

Result<std::optional<std::string>> AccountStore::ApplyDisabled(const StoredUser& u, bool disabled) {
  if (u.disabled == disabled) return std::optional<std::string>();
  RETURN_IF_ERROR(Run(*db_, "UPDATE users SET disabled = ? WHERE id = ?", int64_t{disabled ? 1 : 0}, u.id));
  if (disabled) RETURN_IF_ERROR(Run(*db_, "DELETE FROM sessions WHERE user_id = ?", u.id));
  return std::optional<std::string>("user=" + u.name);
}

Result<std::optional<std::string>> AccountStore::ApplyGrant(const StoredUser& u,
                                                           std::string_view camera) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "INSERT OR IGNORE INTO user_cameras (user_id, camera) VALUES (?, ?)"));
  RETURN_IF_ERROR(s.Bind(1, u.id).Bind(2, camera).Run());
  if (Changes(*db_) == 0) return std::optional<std::string>();
  return std::optional<std::string>("user=" + u.name);
}

Result<std::optional<std::string>> AccountStore::ApplyRevoke(const StoredUser& u,
                                                            std::string_view camera) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM user_cameras WHERE user_id = ? AND camera = ?"));
  RETURN_IF_ERROR(s.Bind(1, u.id).Bind(2, camera).Run());
  if (Changes(*db_) == 0) return std::optional<std::string>();
  return std::optional<std::string>("user=" + u.name);
}

Status AccountStore::SetPassword(const Actor& actor, std::string_view name,
                                 std::string_view password) {
  RETURN_IF_ERROR(CheckPassword(password));
  ASSIGN_OR_RETURN(std::string hash, HashWithLimit(password));
  return ChangeUser(actor, name, kAuditUserPassword, "",
                    [&](const StoredUser& u) SL_REQUIRES(mu_) -> Result<std::optional<std::string>> {
                      RETURN_IF_ERROR(RevokeAllApiTokens(actor, u, "password changed"));
                      return ApplyPasswordHash(u, hash);
                    });
}

Status AccountStore::SetRole(const Actor& actor, std::string_view name, Role role) {
  return ChangeUser(actor, name, kAuditUserRole, "",
                    [&](const StoredUser& u) SL_REQUIRES(mu_) { return ApplyRole(u, role); });
}

Status AccountStore::SetDisabled(const Actor& actor, std::string_view name, bool disabled) {
  return ChangeUser(actor, name, disabled ? kAuditUserDisable : kAuditUserEnable, "",
                    [&](const StoredUser& u) SL_REQUIRES(mu_) { return ApplyDisabled(u, disabled); });
}

Status AccountStore::UpdateUser(const Actor& actor, std::string_view name, const UserUpdate& update) {
  // Everything that can be refused is checked before anything changes.
  if (update.password) {
    RETURN_IF_ERROR(CheckPassword(*update.password));
  }
  if (update.cameras) {
    for (const std::string& c : *update.cameras) RETURN_IF_ERROR(CheckCameraName(c));
  }
  std::optional<std::string> hash;
  if (update.password) {
    ASSIGN_OR_RETURN(hash, HashWithLimit(*update.password));
  }

  AfterUnlock notify;
  MutexLock lock(mu_);
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  ASSIGN_OR_RETURN(std::optional<StoredUser> user, FindUser(*db_, name));
  if (!user) return NoSuchUser(name);
  const int64_t now = NowUs();
  std::string_view changed;  // the last action audited; empty: nothing changed
  // One audit record per change, as the single-field methods write them.
  auto audited = [&](std::string_view action, std::string_view camera,
                     Result<std::optional<std::string>> detail) SL_REQUIRES(mu_) -> Status {
    if (!detail.ok()) return detail.status();
    if (!detail->has_value()) return Status();
    changed = action;
    return AppendAudit(*db_, MakeRecord(now, actor, action, camera, std::move(**detail)));
  };
  if (update.role) RETURN_IF_ERROR(audited(kAuditUserRole, "", ApplyRole(*user, *update.role)));
  if (hash) {
    RETURN_IF_ERROR(RevokeAllApiTokens(actor, *user, "password changed"));
    RETURN_IF_ERROR(audited(kAuditUserPassword, "", ApplyPasswordHash(*user, *hash)));
  }
  if (update.disabled) {
    RETURN_IF_ERROR(audited(*update.disabled ? kAuditUserDisable : kAuditUserEnable, "",
                            ApplyDisabled(*user, *update.disabled)));
  }
  if (update.cameras) {
    ASSIGN_OR_RETURN(User current, LoadUser(*db_, *user));
    const std::vector<std::string>& want = *update.cameras;
    for (const std::string& c : current.cameras) {
      if (std::find(want.begin(), want.end(), c) == want.end()) {
        RETURN_IF_ERROR(audited(kAuditCameraRevoke, c, ApplyRevoke(*user, c)));
      }
    }
    for (const std::string& c : want) RETURN_IF_ERROR(audited(kAuditCameraGrant, c, ApplyGrant(*user, c)));
  }
  RETURN_IF_ERROR(CheckAnAdminRemains(*db_));
  RETURN_IF_ERROR(tx.Commit());
  // One notification: the observers check everything of the user's again.
  if (!changed.empty()) notify.Set([this, user_id = user->id, changed] { NotifyChanged(user_id, changed); });
  return Status();
}

Status AccountStore::DeleteUser(const Actor& actor, std::string_view name) {
  // Sessions, tokens and grants go by ON DELETE CASCADE (store::Db turns foreign keys on).
  return ChangeUser(actor, name, kAuditUserDelete, "",
                    [&](const StoredUser& u) SL_REQUIRES(mu_) -> Result<std::optional<std::string>> {
                      RETURN_IF_ERROR(Run(*db_, "DELETE FROM users WHERE id = ?", u.id));
                      return std::optional<std::string>("user=" + u.name);
                    });
}

Result<User> AccountStore::GetUser(std::string_view name) {
  MutexLock lock(mu_);
  ASSIGN_OR_RETURN(std::optional<StoredUser> user, FindUser(*db_, name));
  if (!user) return NoSuchUser(name);
  return LoadUser(*db_, *user);
}

Result<std::vector<User>> AccountStore::Users() {
  MutexLock lock(mu_);
  std::vector<StoredUser> stored;
  {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("SELECT ") + kUserColumns +
                                          " FROM users u ORDER BY u.name"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      stored.push_back(ReadUser(s, 0));
    }
  }
  std::vector<User> users;
  for (const StoredUser& u : stored) {
    ASSIGN_OR_RETURN(User user, LoadUser(*db_, u));
    users.push_back(std::move(user));
  }
  return users;
}

Result<bool> AccountStore::HasUsers() {
  MutexLock lock(mu_);
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT EXISTS (SELECT 1 FROM users)"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  return row && s.Int(0) != 0;
}

Status AccountStore::GrantCamera(const Actor& actor, std::string_view user,
                                 std::string_view camera) {
  RETURN_IF_ERROR(CheckCameraName(camera));
  return ChangeUser(actor, user, kAuditCameraGrant, camera,
                    [&](const StoredUser& u) SL_REQUIRES(mu_) { return ApplyGrant(u, camera); });
}

Status AccountStore::RevokeCamera(const Actor& actor, std::string_view user,
                                  std::string_view camera) {
  return ChangeUser(actor, user, kAuditCameraRevoke, camera,
                    [&](const StoredUser& u) SL_REQUIRES(mu_) { return ApplyRevoke(u, camera); });
}

Result<std::string> AccountStore::CreateApiToken(const Actor& actor, std::string_view user,
                                                 std::string_view token_name,
                                                 std::chrono::seconds lifetime) {
  RETURN_IF_ERROR(CheckTokenName(token_name));
  if (lifetime.count() < 0 || lifetime > kMaxApiTokenLifetime) {
    return InvalidArgumentError("an API token's lifetime must be 0 (never expires) to " +
                                std::to_string(kMaxApiTokenLifetime.count() / 86400) + " days");
  }
  std::string token = NewToken();
  RETURN_IF_ERROR(ChangeUser(
      actor, user, kAuditTokenCreate, "",
      [&](const StoredUser& u) SL_REQUIRES(mu_) -> Result<std::optional<std::string>> {
        const int64_t now = NowUs();
        const int64_t expires_us =
            lifetime.count() == 0
                ? 0
                : now + std::chrono::duration_cast<std::chrono::microseconds>(lifetime).count();
        ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
            "INSERT OR IGNORE INTO api_tokens (user_id, name, token_hash, created_us, expires_us)"
            " VALUES (?, ?, ?, ?, ?)"));
        RETURN_IF_ERROR(s.Bind(1, u.id).Bind(2, token_name).Bind(3, TokenDigest(token))
                            .Bind(4, now).Bind(5, expires_us).Run());
        if (Changes(*db_) == 0) {
          return AlreadyExistsError("user '" + u.name + "' already has a token named '" +
                                    std::string(token_name) + "'");
        }
        return std::optional<std::string>(
            "user=" + u.name + " token=" + std::string(token_name) +
            " expires_us=" + std::to_string(expires_us));
      }));
  return token;
}

Status AccountStore::RevokeApiToken(const Actor& actor, std::string_view user,
                                    std::string_view token_name) {
  return ChangeUser(actor, user, kAuditTokenRevoke, "",
                    [&](const StoredUser& u) SL_REQUIRES(mu_) -> Result<std::optional<std::string>> {
                      ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
                          "DELETE FROM api_tokens WHERE user_id = ? AND name = ?"));
                      RETURN_IF_ERROR(s.Bind(1, u.id).Bind(2, token_name).Run());
                      if (Changes(*db_) == 0) {
                        return NotFoundError("user '" + u.name + "' has no token named '" +
                                             std::string(token_name) + "'");
                      }
                      return std::optional<std::string>("user=" + u.name + " token=" +
                                                        std::string(token_name));
                    });
}

Result<std::vector<ApiTokenInfo>> AccountStore::ApiTokens(std::string_view user) {
  MutexLock lock(mu_);
  ASSIGN_OR_RETURN(std::optional<StoredUser> u, FindUser(*db_, user));
  if (!u) return NoSuchUser(user);
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "SELECT name, created_us, last_used_us, expires_us FROM api_tokens WHERE user_id = ?"
      " ORDER BY name"));
  s.Bind(1, u->id);
  std::vector<ApiTokenInfo> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.Text(0), s.Int(1), s.Int(2), s.Int(3)});
  }
  return out;
}

void AccountStore::AddObserver(AccountObserver* observer) {
  MutexLock lock(observers_mu_);
  observers_.push_back(observer);
}

void AccountStore::RemoveObserver(AccountObserver* observer) {
  MutexLock lock(observers_mu_);
  std::erase(observers_, observer);
}

void AccountStore::NotifyChanged(int64_t user_id, std::string_view action) {
  MutexLock lock(observers_mu_);
  for (AccountObserver* o : observers_) o->OnAccountChanged({user_id, action});
}

Result<int64_t> AccountStore::Audit(AuditRecord record) {
  MutexLock lock(mu_);
  if (record.time_us == 0) record.time_us = NowUs();
  // A transaction of its own: reading the chain's head and appending must not interleave
  // with another process's append (`sightline user` while `sightline run` runs).
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  ASSIGN_OR_RETURN(int64_t id, AppendAuditRow(*db_, record));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<std::vector<AuditRecord>> AccountStore::QueryAudit(const AuditFilter& filter) {
  MutexLock lock(mu_);
  return QueryAuditRows(*db_, filter);
}

Status AccountStore::WriteAuditRows(const std::vector<AuditRecord>& records) {
  if (records.empty()) return Status();
  MutexLock lock(mu_);
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  for (const AuditRecord& r : records) RETURN_IF_ERROR(AppendAudit(*db_, r));
  return tx.Commit();
}

void AccountStore::AuditRecordedView(const RecordedView& view) {
  std::vector<AuditRecord> due;
  {
    MutexLock lock(audit_mu_);
    due = view_runs_.Add(view, NowUs());
  }
  // The fetch itself is served whatever happens here; the failure is the log's to report.
  if (Status s = WriteAuditRows(due); !s.ok()) {
    SL_LOG(kError) << "auth: audit of recorded video: " << s;
  }
}

Status AccountStore::FlushAudit(bool all) {
  std::vector<AuditRecord> due;
  {
    MutexLock lock(audit_mu_);
    const int64_t now = NowUs();
    due = all ? failed_logins_.TakeAll() : failed_logins_.TakeDue(now);
    std::vector<AuditRecord> views = all ? view_runs_.TakeAll() : view_runs_.TakeDue(now);
    due.insert(due.end(), views.begin(), views.end());
  }
  return WriteAuditRows(due);
}

Result<AuditTotals> AccountStore::AuditRowTotals() {
  MutexLock lock(mu_);
  return ReadAuditTotals(*db_);
}

Result<int64_t> AccountStore::ApplyAuditRetention(std::chrono::seconds max_age) {
  // Batches keep each write transaction short: the recorder commits to the same file every
  // second or two and waits for the lock meanwhile.
  constexpr int64_t kBatchRows = 5000;
  const int64_t cutoff_us = NowUs() - std::chrono::microseconds(max_age).count();
  AuditDrop total;
  for (;;) {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    RETURN_IF_ERROR(tx.Begin());
    ASSIGN_OR_RETURN(AuditDrop drop, DropOldAuditRows(*db_, cutoff_us, kBatchRows));
    if (drop.rows == 0) break;
    RETURN_IF_ERROR(tx.Commit());
    total.rows += drop.rows;
    total.last_id = drop.last_id;
    total.last_time_us = drop.last_time_us;
    if (drop.rows < kBatchRows) break;
  }
  if (total.rows == 0) return int64_t{0};
  // The drop itself enters the chain: an origin moved without such a row was moved by hand.
  AuditRecord r{.user = "system",
                .action = std::string(kAuditRetention),
                .detail = "dropped " + std::to_string(total.rows) + " rows up to id " +
                          std::to_string(total.last_id) + " (time_us " +
                          std::to_string(total.last_time_us) + "; older than " +
                          std::to_string(max_age.count() / 86400) + " days)",
                .ok = true};
  RETURN_IF_ERROR(Audit(std::move(r)).status());
  return total.rows;
}

Result<AuditChainReport> AccountStore::VerifyAuditChain() {
  MutexLock lock(mu_);
  return auth::VerifyAuditChain(*db_);
}

}  // namespace sightline::auth
