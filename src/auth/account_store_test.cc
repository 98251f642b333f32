#include "auth/account_store.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "store/index.h"
#include "store/store_test_util.h"

namespace sightline::auth {
namespace {

using namespace std::chrono_literals;
using store::testing::TempDir;

const Actor kCli{"cli:test", "local"};

class AccountStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The store creates the database and its meta table; auth adds its tables to it.
    ASSERT_TRUE(store::Index::Open(path_).ok());
    accounts_ = OpenAccounts();
    ASSERT_NE(accounts_, nullptr);
  }
  AccountStoreOptions Options() { return {.clock = &clock_, .password_cost = kTestPasswordCost}; }
  std::unique_ptr<AccountStore> OpenAccounts() { return OpenAccounts(Options()); }
  std::unique_ptr<AccountStore> OpenAccounts(AccountStoreOptions options) {
    Result<std::unique_ptr<AccountStore>> a = AccountStore::Open(path_, options);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? std::move(*a) : nullptr;
  }
  // A second connection, as another process would have.
  std::unique_ptr<store::Db> RawDb() {
    Result<std::unique_ptr<store::Db>> db = store::Db::Open(path_, /*read_only=*/false);
    EXPECT_TRUE(db.ok()) << db.status();
    return std::move(*db);
  }
  // Every text value of `column` in `table`.
  std::vector<std::string> Column(const std::string& table, const std::string& column) {
    std::unique_ptr<store::Db> db = RawDb();
    Result<store::Stmt> s = db->Prepare("SELECT " + column + " FROM " + table);
    EXPECT_TRUE(s.ok()) << s.status();
    std::vector<std::string> out;
    while (*s->Step()) out.push_back(s->Text(0));
    return out;
  }
  void AddAdmin(const std::string& name = "admin", const std::string& password = "admin-password") {
    ASSERT_TRUE(accounts_->AddUser(kCli, name, password, Role::kAdmin).ok());
  }
  Session LoginOk(std::string_view name, std::string_view password,
                  std::string_view remote = "10.0.0.1") {
    Result<Session> s = accounts_->Login(name, password, remote);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : Session();
  }
  // The rows of `action`, newest first, after writing the grouped rows still pending.
  std::vector<AuditRecord> AuditOf(std::string_view action) {
    EXPECT_TRUE(accounts_->FlushAudit(/*all=*/true).ok());
    Result<std::vector<AuditRecord>> r =
        accounts_->QueryAudit({.action = std::string(action), .limit = 1000});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<AuditRecord>();
  }

  TempDir tmp_;
  const std::string path_ = tmp_.path() + "/index.db";
  SimulatedClock clock_;
  std::unique_ptr<AccountStore> accounts_;
};

TEST_F(AccountStoreTest, OpenNeedsTheStoreFirst) {
  Result<std::unique_ptr<AccountStore>> missing =
      AccountStore::Open(tmp_.path() + "/nope.db", Options());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find("open the store first"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() + "/nope.db")) << "no empty file left behind";

  const std::string bare = tmp_.path() + "/bare.db";
  ASSERT_TRUE(store::Db::Open(bare, false).ok());
  Result<std::unique_ptr<AccountStore>> no_meta = AccountStore::Open(bare, Options());
  ASSERT_FALSE(no_meta.ok());
  EXPECT_EQ(no_meta.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(no_meta.status().message().find("open the store first"), std::string::npos)
      << no_meta.status();
}

TEST_F(AccountStoreTest, SchemaIsVersionedAndKeptAcrossOpens) {
  AddAdmin();
  EXPECT_EQ(Column("meta WHERE key = 'auth_schema_version'", "value"),
            std::vector<std::string>{std::to_string(kAuthSchemaVersion)});
  accounts_ = OpenAccounts();
  ASSERT_NE(accounts_, nullptr);
  EXPECT_TRUE(accounts_->GetUser("admin").ok());
  // The store reopens the same file without trouble.
  EXPECT_TRUE(store::Index::Open(path_).ok());

  ASSERT_TRUE(RawDb()->Exec("UPDATE meta SET value = '" + std::to_string(kAuthSchemaVersion + 1) +
                            "' WHERE key = 'auth_schema_version'").ok());
  Result<std::unique_ptr<AccountStore>> newer = AccountStore::Open(path_, Options());
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(newer.status().message().find("upgrade Sightline"), std::string::npos);
}

TEST_F(AccountStoreTest, LoginAndAuthenticate) {
  Result<bool> has = accounts_->HasUsers();
  ASSERT_TRUE(has.ok());
  EXPECT_FALSE(*has);
  AddAdmin();
  EXPECT_TRUE(*accounts_->HasUsers());

  Session s = LoginOk("admin", "admin-password");
  EXPECT_EQ(s.token.size(), 43u);
  EXPECT_EQ(s.user.name, "admin");
  EXPECT_TRUE(s.user.IsAdmin());
  EXPECT_EQ(s.expires_us, UnixMicros(clock_.WallNow()) + int64_t{30} * 24 * 3600 * 1'000'000);
  Result<User> u = accounts_->Authenticate(s.token);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->name, "admin");
  EXPECT_EQ(u->role, Role::kAdmin);

  Result<User> forged = accounts_->Authenticate(NewToken());
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(accounts_->Authenticate("").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(accounts_->Authenticate(std::string(10'000, 'x')).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(accounts_->AuthenticateToken(s.token).status().code(), StatusCode::kUnauthenticated)
      << "a session token is not an API token";
}

TEST_F(AccountStoreTest, WrongPasswordAndUnknownUserLookAlike) {
  AddAdmin();
  Result<Session> wrong = accounts_->Login("admin", "not-the-password", "10.0.0.1");
  Result<Session> unknown = accounts_->Login("nobody", "admin-password", "10.0.0.1");
  Result<Session> invalid = accounts_->Login("bad name!", "admin-password", "10.0.0.1");
  for (const Result<Session>* r : {&wrong, &unknown, &invalid}) {
    ASSERT_FALSE(r->ok());
    EXPECT_EQ(r->status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(r->status().message(), "wrong user name or password");
  }
  // The audit log tells them apart, for the admin, in the address's summary row.
  std::vector<AuditRecord> logins = AuditOf(kAuditLogin);
  ASSERT_EQ(logins.size(), 1u);
  EXPECT_EQ(logins[0].user, "") << "several names";
  EXPECT_EQ(logins[0].detail,
            "3 failed logins in 0 s: admin: wrong password 1; bad name!: unknown user 1; nobody:"
            " unknown user 1");
  EXPECT_FALSE(logins[0].ok);
  EXPECT_EQ(logins[0].remote, "10.0.0.1");
  LoginOk("ADMIN", "admin-password");  // names are case-insensitive
  logins = AuditOf(kAuditLogin);
  ASSERT_EQ(logins.size(), 2u);
  EXPECT_TRUE(logins[0].ok);
  EXPECT_EQ(logins[0].user, "admin") << "the stored spelling";
}

TEST_F(AccountStoreTest, NamesAreUniqueWithoutRegardToCase) {
  AddAdmin("Alice");
  Status again = accounts_->AddUser(kCli, "alice", "another-password", Role::kViewer);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.message().find("another-password"), std::string::npos);
  EXPECT_EQ(accounts_->AddUser(kCli, "bob", "short", Role::kViewer).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(accounts_->AddUser(kCli, "bad name", "long enough", Role::kViewer).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(AccountStoreTest, ThereIsAlwaysAnEnabledAdmin) {
  Status viewer_first = accounts_->AddUser(kCli, "viewer", "viewer-password", Role::kViewer);
  EXPECT_EQ(viewer_first.code(), StatusCode::kFailedPrecondition) << viewer_first;
  EXPECT_FALSE(*accounts_->HasUsers()) << "rolled back";
  AddAdmin();
  ASSERT_TRUE(accounts_->AddUser(kCli, "viewer", "viewer-password", Role::kViewer).ok());
  EXPECT_EQ(accounts_->SetRole(kCli, "admin", Role::kOperator).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(accounts_->SetDisabled(kCli, "admin", true).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(accounts_->DeleteUser(kCli, "admin").code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(accounts_->GetUser("admin")->IsAdmin());
  // With a second admin the first may go.
  ASSERT_TRUE(accounts_->SetRole(kCli, "viewer", Role::kAdmin).ok());
  EXPECT_TRUE(accounts_->DeleteUser(kCli, "admin").ok());
  // The last user of all may be deleted: the first start message comes back.
  EXPECT_TRUE(accounts_->DeleteUser(kCli, "viewer").ok());
  EXPECT_FALSE(*accounts_->HasUsers());
}

TEST_F(AccountStoreTest, DisabledUsersCannotLogIn) {
  AddAdmin();
  ASSERT_TRUE(accounts_->AddUser(kCli, "carol", "carol-password", Role::kOperator).ok());
  Session s = LoginOk("carol", "carol-password");
  Result<std::string> token = accounts_->CreateApiToken(kCli, "carol", "backup script");
  ASSERT_TRUE(token.ok());

  ASSERT_TRUE(accounts_->SetDisabled(kCli, "carol", true).ok());
  EXPECT_TRUE(accounts_->GetUser("carol")->disabled);
  Result<Session> login = accounts_->Login("carol", "carol-password", "10.0.0.2");
  ASSERT_FALSE(login.ok());
  EXPECT_EQ(login.status().message(), "wrong user name or password");
  EXPECT_EQ(AuditOf(kAuditLogin).front().detail, "account disabled");
  EXPECT_EQ(accounts_->Authenticate(s.token).status().code(), StatusCode::kUnauthenticated)
      << "disabling ends sessions";
  EXPECT_EQ(accounts_->AuthenticateToken(*token).status().code(), StatusCode::kUnauthenticated);

  ASSERT_TRUE(accounts_->SetDisabled(kCli, "carol", false).ok());
  EXPECT_TRUE(accounts_->AuthenticateToken(*token).ok()) << "tokens come back with the account";
  LoginOk("carol", "carol-password", "10.0.0.2");
  EXPECT_EQ(AuditOf(kAuditUserDisable).size(), 1u);
  EXPECT_EQ(AuditOf(kAuditUserEnable).size(), 1u);
}

TEST_F(AccountStoreTest, SessionsEndWhenIdle) {
  AddAdmin();
  Session s = LoginOk("admin", "admin-password");
  clock_.Advance(7 * 24h - 2min);
  EXPECT_TRUE(accounts_->Authenticate(s.token).ok());
  clock_.Advance(7 * 24h - 2min);
  EXPECT_TRUE(accounts_->Authenticate(s.token).ok()) << "use keeps a session alive";
  clock_.Advance(7 * 24h);
  Result<User> idle = accounts_->Authenticate(s.token);
  ASSERT_FALSE(idle.ok());
  EXPECT_EQ(idle.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(idle.status().message().find("expired"), std::string::npos);
  EXPECT_TRUE(Column("sessions", "id").empty()) << "the ended session is deleted";
}

TEST_F(AccountStoreTest, SessionsEndAfterTheirLifetimeEvenInUse) {
  AddAdmin();
  Session s = LoginOk("admin", "admin-password");
  for (int day = 1; day < 30; ++day) {
    clock_.Advance(24h);
    ASSERT_TRUE(accounts_->Authenticate(s.token).ok()) << "day " << day;
  }
  clock_.Advance(24h);
  EXPECT_EQ(accounts_->Authenticate(s.token).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(AccountStoreTest, SessionLimitsAreConfigurable) {
  AccountStoreOptions o = Options();
  o.session_idle = 1h;
  o.session_lifetime = 3h;
  accounts_ = OpenAccounts(o);
  AddAdmin();
  Session s = LoginOk("admin", "admin-password");
  clock_.Advance(59min);
  EXPECT_TRUE(accounts_->Authenticate(s.token).ok());
  clock_.Advance(61min);
  EXPECT_FALSE(accounts_->Authenticate(s.token).ok());
}

TEST_F(AccountStoreTest, Logout) {
  AddAdmin();
  Session a = LoginOk("admin", "admin-password");
  Session b = LoginOk("admin", "admin-password");
  ASSERT_TRUE(accounts_->Logout(a.token, "10.0.0.1").ok());
  EXPECT_EQ(accounts_->Authenticate(a.token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(accounts_->Authenticate(b.token).ok()) << "other sessions stay";
  EXPECT_TRUE(accounts_->Logout(a.token, "10.0.0.1").ok()) << "twice is fine";
  EXPECT_TRUE(accounts_->Logout("garbage", "10.0.0.1").ok());
  std::vector<AuditRecord> logouts = AuditOf(kAuditLogout);
  ASSERT_EQ(logouts.size(), 1u);
  EXPECT_EQ(logouts[0].user, "admin");
}

TEST_F(AccountStoreTest, PasswordChangeEndsSessions) {
  AddAdmin();
  Session s = LoginOk("admin", "admin-password");
  Result<std::string> token = accounts_->CreateApiToken(kCli, "admin", "cron");
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(accounts_->SetPassword({"admin", "10.0.0.1"}, "admin", "new-password").ok());
  EXPECT_EQ(accounts_->Authenticate(s.token).status().code(), StatusCode::kUnauthenticated);
  // A token stolen with the password must not outlive the reset (security-review-1 L5).
  EXPECT_EQ(accounts_->AuthenticateToken(*token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(accounts_->ApiTokens("admin")->empty());
  std::vector<AuditRecord> revokes = AuditOf(kAuditTokenRevoke);
  ASSERT_EQ(revokes.size(), 1u);
  EXPECT_EQ(revokes[0].user, "admin");
  EXPECT_EQ(revokes[0].detail, "user=admin tokens=1 password changed");
  EXPECT_FALSE(accounts_->Login("admin", "admin-password", "10.0.0.1").ok());
  LoginOk("admin", "new-password");
  EXPECT_EQ(accounts_->SetPassword(kCli, "admin", "short").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(accounts_->SetPassword(kCli, "nobody", "long enough").code(), StatusCode::kNotFound);
  std::vector<AuditRecord> changes = AuditOf(kAuditUserPassword);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].user, "admin");
  EXPECT_EQ(changes[0].detail, "user=admin");
}

TEST_F(AccountStoreTest, SecretsAreStoredHashed) {
  AddAdmin("admin", "the-admin-password");
  Session s = LoginOk("admin", "the-admin-password");
  Result<std::string> token = accounts_->CreateApiToken(kCli, "admin", "cron");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(Column("sessions", "token_hash"), std::vector<std::string>{TokenDigest(s.token)});
  EXPECT_EQ(Column("api_tokens", "token_hash"), std::vector<std::string>{TokenDigest(*token)});
  const std::vector<std::string> hashes = Column("users", "password_hash");
  ASSERT_EQ(hashes.size(), 1u);
  EXPECT_EQ(hashes[0].rfind("$argon2id$", 0), 0u);
  // No plain secret anywhere in the files: the database, its WAL.
  accounts_.reset();
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream f(path_ + suffix, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(s.token), std::string::npos) << suffix;
    EXPECT_EQ(bytes.find(*token), std::string::npos) << suffix;
    EXPECT_EQ(bytes.find("the-admin-password"), std::string::npos) << suffix;
  }
}

TEST_F(AccountStoreTest, ApiTokens) {
  AddAdmin();
  ASSERT_TRUE(accounts_->AddUser(kCli, "script", "script-password", Role::kViewer).ok());
  Result<std::string> token = accounts_->CreateApiToken(kCli, "script", "nightly export");
  ASSERT_TRUE(token.ok()) << token.status();
  Result<User> u = accounts_->AuthenticateToken(*token);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->name, "script");
  EXPECT_EQ(u->token_name, "nightly export") << "for the audit log";
  EXPECT_EQ(accounts_->Authenticate(*token).status().code(), StatusCode::kUnauthenticated)
      << "an API token is not a session";

  Result<std::string> twice = accounts_->CreateApiToken(kCli, "script", "nightly export");
  EXPECT_EQ(twice.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(accounts_->CreateApiToken(kCli, "nobody", "x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->CreateApiToken(kCli, "script", "").status().code(),
            StatusCode::kInvalidArgument);

  clock_.Advance(5min);
  ASSERT_TRUE(accounts_->AuthenticateToken(*token).ok());
  Result<std::vector<ApiTokenInfo>> list = accounts_->ApiTokens("script");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, "nightly export");
  EXPECT_EQ((*list)[0].last_used_us, UnixMicros(clock_.WallNow()));

  ASSERT_TRUE(accounts_->RevokeApiToken(kCli, "script", "nightly export").ok());
  EXPECT_EQ(accounts_->AuthenticateToken(*token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(accounts_->RevokeApiToken(kCli, "script", "nightly export").code(),
            StatusCode::kNotFound);
  EXPECT_EQ(AuditOf(kAuditTokenCreate).size(), 1u);
  EXPECT_EQ(AuditOf(kAuditTokenRevoke).size(), 1u);
}

TEST_F(AccountStoreTest, ApiTokensExpire) {
  AddAdmin();
  const int64_t t0 = UnixMicros(clock_.WallNow());
  Result<std::string> fallback = accounts_->CreateApiToken(kCli, "admin", "default");
  Result<std::string> week = accounts_->CreateApiToken(kCli, "admin", "week", 7 * 24h);
  Result<std::string> never = accounts_->CreateApiToken(kCli, "admin", "never", 0s);
  ASSERT_TRUE(fallback.ok() && week.ok() && never.ok());
  EXPECT_EQ(accounts_->CreateApiToken(kCli, "admin", "negative", -1s).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(accounts_->CreateApiToken(kCli, "admin", "huge", kMaxApiTokenLifetime + 1s)
                .status().code(),
            StatusCode::kInvalidArgument);
  Result<std::vector<ApiTokenInfo>> list = accounts_->ApiTokens("admin");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);  // by name: default, never, week
  EXPECT_EQ((*list)[0].expires_us, t0 + int64_t{90} * 24 * 3600 * 1'000'000);
  EXPECT_EQ((*list)[1].expires_us, 0);
  EXPECT_EQ((*list)[2].expires_us, t0 + int64_t{7} * 24 * 3600 * 1'000'000);

  clock_.Advance(7 * 24h - 1s);
  EXPECT_TRUE(accounts_->AuthenticateToken(*week).ok());
  clock_.Advance(1s);
  Result<User> expired = accounts_->AuthenticateToken(*week);
  EXPECT_EQ(expired.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos);
  EXPECT_EQ(expired.status().message().find(*week), std::string::npos) << "no secret in errors";
  EXPECT_TRUE(accounts_->AuthenticateToken(*fallback).ok());
  clock_.Advance(83 * 24h);
  EXPECT_EQ(accounts_->AuthenticateToken(*fallback).status().code(),
            StatusCode::kUnauthenticated);
  clock_.Advance(3650 * 24h);
  EXPECT_TRUE(accounts_->AuthenticateToken(*never).ok());
  EXPECT_EQ(accounts_->ApiTokens("admin")->size(), 3u) << "expired tokens stay listed";
}

TEST_F(AccountStoreTest, UpdateUserWithAPasswordRevokesApiTokensInOneTransaction) {
  AddAdmin();
  ASSERT_TRUE(accounts_->AddUser(kCli, "gus", "gus-password", Role::kViewer).ok());
  Result<std::string> token = accounts_->CreateApiToken(kCli, "gus", "cron");
  ASSERT_TRUE(token.ok());
  UserUpdate bad_camera;  // refused as a whole, before anything changes: the token stays
  bad_camera.password = "new-gus-password";
  bad_camera.cameras = std::vector<std::string>{""};
  EXPECT_FALSE(accounts_->UpdateUser(kCli, "gus", bad_camera).ok());
  EXPECT_TRUE(accounts_->AuthenticateToken(*token).ok());
  UserUpdate last_admin;  // refused in the transaction: rolled back, the admin's token stays
  last_admin.role = Role::kViewer;
  last_admin.password = "new-admin-password";
  Result<std::string> admin_token = accounts_->CreateApiToken(kCli, "admin", "a");
  ASSERT_TRUE(admin_token.ok());
  EXPECT_FALSE(accounts_->UpdateUser(kCli, "admin", last_admin).ok());
  EXPECT_TRUE(accounts_->AuthenticateToken(*admin_token).ok());
  UserUpdate role;
  role.role = Role::kOperator;
  ASSERT_TRUE(accounts_->UpdateUser(kCli, "gus", role).ok());
  EXPECT_TRUE(accounts_->AuthenticateToken(*token).ok()) << "only a password change revokes";
  UserUpdate password;
  password.password = "new-gus-password";
  ASSERT_TRUE(accounts_->UpdateUser(kCli, "gus", password).ok());
  EXPECT_EQ(accounts_->AuthenticateToken(*token).status().code(), StatusCode::kUnauthenticated);
  std::vector<AuditRecord> revokes = AuditOf(kAuditTokenRevoke);
  ASSERT_EQ(revokes.size(), 1u);
  EXPECT_EQ(revokes[0].detail, "user=gus tokens=1 password changed");
}

TEST_F(AccountStoreTest, PerCameraPermissions) {
  AddAdmin();
  ASSERT_TRUE(accounts_->AddUser(kCli, "dave", "dave-password", Role::kViewer).ok());
  const Actor admin{"admin", "10.0.0.9"};
  Session s = LoginOk("dave", "dave-password");
  EXPECT_FALSE(accounts_->Authenticate(s.token)->CanView("front")) << "no grants, no cameras";

  ASSERT_TRUE(accounts_->GrantCamera(admin, "dave", "front").ok());
  ASSERT_TRUE(accounts_->GrantCamera(admin, "dave", "yard").ok());
  ASSERT_TRUE(accounts_->GrantCamera(admin, "dave", "front").ok()) << "granting twice is fine";
  Result<User> u = accounts_->Authenticate(s.token);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->cameras, (std::vector<std::string>{"front", "yard"}));
  EXPECT_TRUE(u->CanView("front"));
  EXPECT_TRUE(u->CanView("yard"));
  EXPECT_FALSE(u->CanView("back"));
  EXPECT_FALSE(u->CanOperate());

  ASSERT_TRUE(accounts_->RevokeCamera(admin, "dave", "front").ok());
  ASSERT_TRUE(accounts_->RevokeCamera(admin, "dave", "front").ok());
  EXPECT_FALSE(accounts_->Authenticate(s.token)->CanView("front")) << "takes effect at once";
  EXPECT_TRUE(accounts_->Authenticate(s.token)->CanView("yard"));

  ASSERT_TRUE(accounts_->SetRole(admin, "dave", Role::kOperator).ok());
  EXPECT_TRUE(accounts_->Authenticate(s.token)->CanOperate()) << "role changes apply to sessions";
  EXPECT_FALSE(accounts_->Authenticate(s.token)->CanView("back"));

  EXPECT_EQ(accounts_->GrantCamera(admin, "nobody", "front").code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->GrantCamera(admin, "dave", "").code(), StatusCode::kInvalidArgument);

  std::vector<AuditRecord> grants = AuditOf(kAuditCameraGrant);
  ASSERT_EQ(grants.size(), 2u) << "a repeated grant changes nothing and is not audited";
  EXPECT_EQ(grants[0].camera, "yard");
  EXPECT_EQ(grants[0].user, "admin");
  EXPECT_EQ(grants[0].remote, "10.0.0.9");
  EXPECT_EQ(grants[0].detail, "user=dave");
  EXPECT_EQ(AuditOf(kAuditCameraRevoke).size(), 1u);
  std::vector<AuditRecord> roles = AuditOf(kAuditUserRole);
  ASSERT_EQ(roles.size(), 1u);
  EXPECT_EQ(roles[0].detail, "user=dave role=viewer->operator");
}

TEST_F(AccountStoreTest, UsersAndDelete) {
  AddAdmin();
  ASSERT_TRUE(accounts_->AddUser(kCli, "erin", "erin-password", Role::kViewer).ok());
  ASSERT_TRUE(accounts_->GrantCamera(kCli, "erin", "front").ok());
  Session s = LoginOk("erin", "erin-password");
  ASSERT_TRUE(accounts_->CreateApiToken(kCli, "erin", "t").ok());
  Result<std::vector<User>> users = accounts_->Users();
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].name, "admin");
  EXPECT_EQ((*users)[1].name, "erin");
  EXPECT_EQ((*users)[1].cameras, std::vector<std::string>{"front"});
  EXPECT_EQ((*users)[1].created_us, UnixMicros(clock_.WallNow()));

  ASSERT_TRUE(accounts_->DeleteUser(kCli, "erin").ok());
  EXPECT_EQ(accounts_->GetUser("erin").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->Authenticate(s.token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(Column("user_cameras", "camera").empty());
  EXPECT_TRUE(Column("api_tokens", "name").empty());
  EXPECT_EQ(accounts_->DeleteUser(kCli, "erin").code(), StatusCode::kNotFound);
  // The audit log still names her.
  EXPECT_FALSE(accounts_->QueryAudit({.user = "erin"})->empty());
  std::vector<AuditRecord> deletes = AuditOf(kAuditUserDelete);
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_EQ(deletes[0].user, "cli:test");
  EXPECT_EQ(deletes[0].detail, "user=erin");
}

TEST_F(AccountStoreTest, AuditIsAppendOnly) {
  Result<int64_t> id = accounts_->Audit({.user = "admin", .action = "export", .camera = "front"});
  ASSERT_TRUE(id.ok()) << id.status();
  std::unique_ptr<store::Db> db = RawDb();
  Status update = db->Exec("UPDATE audit SET user = 'someone else'");
  EXPECT_FALSE(update.ok());
  EXPECT_NE(update.message().find("append-only"), std::string::npos) << update;
  Status del = db->Exec("DELETE FROM audit");
  EXPECT_FALSE(del.ok());
  EXPECT_NE(del.message().find("append-only"), std::string::npos) << del;
  Result<std::vector<AuditRecord>> all = accounts_->QueryAudit({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].user, "admin");
  EXPECT_EQ((*all)[0].id, *id);
  EXPECT_EQ((*all)[0].time_us, UnixMicros(clock_.WallNow())) << "time 0 means now";
  EXPECT_EQ(accounts_->Audit({.user = "admin"}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(AccountStoreTest, AuditFilterAndPaging) {
  const int64_t t0 = UnixMicros(clock_.WallNow());
  const std::vector<std::string> users = {"ann", "ben"};
  const std::vector<std::string> cameras = {"front", "back", ""};
  for (int i = 0; i < 30; ++i) {
    AuditRecord r{.time_us = t0 + i * 1'000'000,
                  .user = users[i % 2],
                  .action = i % 5 == 0 ? "export" : "live",
                  .camera = cameras[i % 3],
                  .start_us = t0 - 3'600'000'000,
                  .end_us = t0,
                  .remote = "10.0.0." + std::to_string(i),
                  .detail = "n=" + std::to_string(i),
                  .ok = i != 7};
    ASSERT_TRUE(accounts_->Audit(r).ok());
  }
  auto query = [&](AuditFilter f) {
    Result<std::vector<AuditRecord>> r = accounts_->QueryAudit(f);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<int> ns;
    for (const AuditRecord& a : *r) ns.push_back(std::stoi(a.detail.substr(2)));
    return ns;
  };
  EXPECT_EQ(query({.limit = 3}), (std::vector<int>{29, 28, 27})) << "newest first";
  EXPECT_EQ(query({.user = "ANN", .action = "export"}), (std::vector<int>{20, 10, 0}));
  EXPECT_EQ(query({.camera = "front", .since_us = t0 + 10'000'000, .until_us = t0 + 20'000'000}),
            (std::vector<int>{18, 15, 12}));
  EXPECT_EQ(query({.user = "ben", .action = "live", .camera = "back"}),
            (std::vector<int>{19, 13, 7, 1}));
  EXPECT_TRUE(query({.user = "nobody"}).empty());

  // Paging by id visits every record once, in order.
  std::vector<int> all;
  AuditFilter page{.user = "ben", .limit = 4};
  for (;;) {
    Result<std::vector<AuditRecord>> r = accounts_->QueryAudit(page);
    ASSERT_TRUE(r.ok());
    if (r->empty()) break;
    for (const AuditRecord& a : *r) all.push_back(std::stoi(a.detail.substr(2)));
    page.before_id = r->back().id;
  }
  std::vector<int> expected;
  for (int i = 29; i >= 0; i -= 2) expected.push_back(i);
  EXPECT_EQ(all, expected);

  Result<std::vector<AuditRecord>> one = accounts_->QueryAudit({.limit = 1000});
  ASSERT_TRUE(one.ok());
  const AuditRecord& r7 = (*one)[29 - 7];
  EXPECT_FALSE(r7.ok);
  EXPECT_EQ(r7.remote, "10.0.0.7");
  EXPECT_EQ(r7.start_us, t0 - 3'600'000'000);
  EXPECT_EQ(r7.end_us, t0);
  EXPECT_EQ(r7.camera, "back");
  EXPECT_EQ(accounts_->QueryAudit({.limit = 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(accounts_->QueryAudit({.limit = 1001}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(AccountStoreTest, LongAuditDetailIsCutAtACharacterBoundary) {
  std::string detail;
  while (detail.size() < 2 * kMaxAuditDetailBytes) detail += "é";
  detail.insert(0, "x");  // makes byte kMaxAuditDetailBytes fall inside a character
  ASSERT_TRUE(accounts_->Audit({.user = "a", .action = "live", .detail = detail}).ok());
  const std::string stored = accounts_->QueryAudit({})->at(0).detail;
  EXPECT_EQ(stored.size(), kMaxAuditDetailBytes - 1);
  EXPECT_EQ(stored, detail.substr(0, kMaxAuditDetailBytes - 1));
}

// The audit page's filter comes from kAuditActions (GET /api/audit/actions): every action the
// store writes must be in it, and none twice.
TEST_F(AccountStoreTest, EveryActionTheStoreWritesIsListed) {
  AddAdmin();
  ASSERT_TRUE(accounts_->AddUser(kCli, "fay", "fay-password-1", Role::kViewer).ok());
  Session s = LoginOk("fay", "fay-password-1");
  ASSERT_TRUE(accounts_->Logout(s.token, "10.0.0.1").ok());
  EXPECT_FALSE(accounts_->Login("fay", "wrong-password", "10.0.0.1").ok());
  ASSERT_TRUE(accounts_->SetPassword(kCli, "fay", "fay-password-2").ok());
  ASSERT_TRUE(accounts_->SetRole(kCli, "fay", Role::kOperator).ok());
  ASSERT_TRUE(accounts_->SetDisabled(kCli, "fay", true).ok());
  ASSERT_TRUE(accounts_->SetDisabled(kCli, "fay", false).ok());
  ASSERT_TRUE(accounts_->GrantCamera(kCli, "fay", "front").ok());
  ASSERT_TRUE(accounts_->RevokeCamera(kCli, "fay", "front").ok());
  ASSERT_TRUE(accounts_->CreateApiToken(kCli, "fay", "script").ok());
  ASSERT_TRUE(accounts_->RevokeApiToken(kCli, "fay", "script").ok());
  ASSERT_TRUE(accounts_->DeleteUser(kCli, "fay").ok());

  const std::set<std::string_view> listed(kAuditActions.begin(), kAuditActions.end());
  EXPECT_EQ(listed.size(), kAuditActions.size()) << "an action is listed twice";
  Result<std::vector<AuditRecord>> all = accounts_->QueryAudit({.limit = 1000});
  ASSERT_TRUE(all.ok()) << all.status();
  std::set<std::string> written;
  for (const AuditRecord& r : *all) written.insert(r.action);
  EXPECT_GE(written.size(), 12u);
  for (const std::string& action : written) {
    EXPECT_TRUE(listed.contains(action)) << action << " is written but not in kAuditActions";
  }
}

TEST_F(AccountStoreTest, LoginIsRateLimited) {
  AddAdmin();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(accounts_->Login("admin", "guess" + std::to_string(i), "10.6.6.6").status().code(),
              StatusCode::kUnauthenticated);
  }
  Result<Session> refused = accounts_->Login("admin", "admin-password", "10.6.6.6");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(RetryAfterSeconds(refused.status()), 1);
  // Per name: another address is refused too.
  EXPECT_EQ(accounts_->Login("admin", "admin-password", "10.0.0.1").status().code(),
            StatusCode::kResourceExhausted);
  ASSERT_EQ(AuditOf(kAuditLogin).size(), 1u) << "one summary row for the address";
  EXPECT_EQ(AuditOf(kAuditLogin)[0].detail, "5 failed logins in 0 s: admin: wrong password 5")
      << "refused attempts check no password";
  clock_.Advance(1s);
  LoginOk("admin", "admin-password", "10.0.0.1");
  // The success reset the name: five more tries before the next delay.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(accounts_->Login("admin", "guess", "10.0.0.1").status().code(),
              StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(accounts_->Login("admin", "guess", "10.0.0.1").status().code(),
            StatusCode::kResourceExhausted);
}

TEST_F(AccountStoreTest, FailedLoginsFromOneAddressWithinAMinuteAreOneRow) {
  AddAdmin();
  const int64_t first_us = UnixMicros(clock_.WallNow());
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(accounts_->Login("admin", "guess" + std::to_string(i), "10.7.7.7").ok());
    clock_.Advance(10s);
  }
  EXPECT_FALSE(accounts_->Login("root", "guess", "10.7.7.7").ok());
  EXPECT_FALSE(accounts_->Login("admin", "guess", "10.8.8.8").ok());
  ASSERT_TRUE(accounts_->FlushAudit().ok());
  EXPECT_TRUE(accounts_->QueryAudit({.action = "login"})->empty()) << "the minute is not over";
  clock_.Advance(20s);
  ASSERT_TRUE(accounts_->FlushAudit().ok());
  Result<std::vector<AuditRecord>> rows = accounts_->QueryAudit({.action = "login"});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u) << "10.7.7.7's minute is over; 10.8.8.8's is not";
  EXPECT_EQ((*rows)[0].remote, "10.7.7.7");
  EXPECT_EQ((*rows)[0].time_us, first_us);
  EXPECT_EQ((*rows)[0].detail, "5 failed logins in 40 s: admin: wrong password 4; root: unknown user 1");
  // What is still pending is written when the store closes.
  accounts_.reset();
  accounts_ = OpenAccounts();
  rows = accounts_->QueryAudit({.action = "login"});
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].remote, "10.8.8.8");
  EXPECT_EQ((*rows)[0].detail, "wrong password");
}

TEST_F(AccountStoreTest, RecordedViewsAreGroupedAndWrittenWhenDueOrAtClose) {
  constexpr int64_t kS = 1'000'000;
  const int64_t t0 = UnixMicros(clock_.WallNow()) - 3600 * kS;
  for (int64_t seq = 1; seq <= 3; ++seq) {
    accounts_->AuditRecordedView({.user = "alice", .camera = "front", .stream = "main",
                                  .remote = "10.0.0.1", .seq = seq,
                                  .start_us = t0 + seq * 10 * kS, .end_us = t0 + (seq + 1) * 10 * kS,
                                  .bytes = 100});
    clock_.Advance(2s);
  }
  ASSERT_TRUE(accounts_->FlushAudit().ok());
  EXPECT_TRUE(accounts_->QueryAudit({.action = "recording_view"})->empty()) << "still watching";
  clock_.Advance(60s);
  ASSERT_TRUE(accounts_->FlushAudit().ok());
  std::vector<AuditRecord> rows = *accounts_->QueryAudit({.action = "recording_view"});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].start_us, t0 + 10 * kS);
  EXPECT_EQ(rows[0].end_us, t0 + 40 * kS);

  accounts_->AuditRecordedView({.user = "bob", .camera = "front", .stream = "main", .seq = 9,
                                .start_us = t0, .end_us = t0 + kS});
  accounts_.reset();
  accounts_ = OpenAccounts();
  EXPECT_EQ(accounts_->QueryAudit({.action = "recording_view"})->size(), 2u)
      << "nothing pending is lost at close";
  EXPECT_TRUE(accounts_->VerifyAuditChain()->ok());
}

TEST_F(AccountStoreTest, LoginUpgradesTheHashWhenTheCostChanges) {
  AddAdmin();
  const std::string before = Column("users", "password_hash").at(0);
  AccountStoreOptions o = Options();
  o.password_cost = {2, 16384};
  accounts_ = OpenAccounts(o);
  LoginOk("admin", "admin-password");
  const std::string after = Column("users", "password_hash").at(0);
  EXPECT_NE(after, before);
  EXPECT_NE(after.find("$m=16,t=2,p=1$"), std::string::npos) << after;
  LoginOk("admin", "admin-password");
  EXPECT_EQ(Column("users", "password_hash").at(0), after) << "once is enough";
}

// The HTTP layer calls from several threads; a second process (the CLI, the store's index
// writer) writes the same file.
TEST_F(AccountStoreTest, ConcurrentUse) {
  AddAdmin();
  Session s = LoginOk("admin", "admin-password");
  std::unique_ptr<AccountStore> other = OpenAccounts();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      AccountStore& a = t % 2 == 0 ? *accounts_ : *other;
      for (int i = 0; i < 20; ++i) {
        if (!a.Authenticate(s.token).ok()) ++failures;
        if (!a.Audit({.user = "admin", .action = "live", .camera = "cam" + std::to_string(t)})
                 .ok()) {
          ++failures;
        }
        if (i % 5 == 0 && !a.Login("admin", "admin-password", "").ok()) ++failures;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(AuditOf(kAuditLive).size(), 80u);
}

// Open live views re-check their access when their user changes (security review 1, H2): the
// store tells its observers after each committed change, without its lock held.
class RecordingObserver : public AccountObserver {
 public:
  explicit RecordingObserver(AccountStore* accounts) : accounts_(accounts) {}
  void OnAccountChanged(const AccountChange& change) override {
    // Calling back into the store must not deadlock.
    EXPECT_TRUE(accounts_->Users().ok());
    changes.emplace_back(change.user_id, std::string(change.action));
  }
  std::vector<std::pair<int64_t, std::string>> changes;

 private:
  AccountStore* accounts_;
};

TEST_F(AccountStoreTest, ObserversHearOfEveryCommittedChange) {
  AddAdmin();
  ASSERT_TRUE(accounts_->AddUser(kCli, "dora", "dora-password", Role::kOperator).ok());
  const int64_t dora = accounts_->GetUser("dora")->id;
  RecordingObserver observer(accounts_.get());
  accounts_->AddObserver(&observer);
  const Session session = LoginOk("dora", "dora-password");
  ASSERT_TRUE(accounts_->GrantCamera(kCli, "dora", "cam0").ok());
  ASSERT_TRUE(accounts_->RevokeCamera(kCli, "dora", "cam0").ok());
  ASSERT_TRUE(accounts_->RevokeCamera(kCli, "dora", "cam0").ok());  // nothing changed
  ASSERT_TRUE(accounts_->SetRole(kCli, "dora", Role::kViewer).ok());
  ASSERT_TRUE(accounts_->CreateApiToken(kCli, "dora", "t").ok());
  ASSERT_TRUE(accounts_->RevokeApiToken(kCli, "dora", "t").ok());
  ASSERT_TRUE(accounts_->CreateApiToken(kCli, "dora", "t2").ok());  // revoked by the password
  ASSERT_TRUE(accounts_->Logout(session.token, "10.0.0.1").ok());
  ASSERT_TRUE(accounts_->SetPassword(kCli, "dora", "new-dora-password").ok());
  ASSERT_TRUE(accounts_->SetDisabled(kCli, "dora", true).ok());
  EXPECT_FALSE(accounts_->SetDisabled(kCli, "admin", true).ok());  // refused: not committed
  ASSERT_TRUE(accounts_->DeleteUser(kCli, "dora").ok());
  const std::vector<std::pair<int64_t, std::string>> want = {
      {dora, "camera_grant"}, {dora, "camera_revoke"}, {dora, "user_role"},
      {dora, "token_create"}, {dora, "token_revoke"},  {dora, "token_create"}, {dora, "logout"},
      {dora, "user_password"}, {dora, "user_disable"}, {dora, "user_delete"}};
  EXPECT_EQ(observer.changes, want);
  accounts_->RemoveObserver(&observer);
  AddAdmin("admin2");
  ASSERT_TRUE(accounts_->SetRole(kCli, "admin2", Role::kViewer).ok());
  EXPECT_EQ(observer.changes.size(), want.size());
}

}  // namespace
}  // namespace sightline::auth
