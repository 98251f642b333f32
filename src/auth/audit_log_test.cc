#include "auth/audit_log.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "auth/account_store.h"
#include "store/index.h"
#include "store/store_test_util.h"

namespace sightline::auth {
namespace {

using namespace std::chrono_literals;
using store::testing::TempDir;

constexpr int64_t kS = 1'000'000;
constexpr int64_t kDay = 86'400 * kS;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store::Index::Open(path_).ok()); }
  std::unique_ptr<AccountStore> Open(const std::string& path) {
    Result<std::unique_ptr<AccountStore>> a =
        AccountStore::Open(path, {.clock = &clock_, .password_cost = kTestPasswordCost});
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? std::move(*a) : nullptr;
  }
  // Another connection, as an intruder with write access to the file would have.
  std::unique_ptr<store::Db> RawDb(const std::string& path) {
    Result<std::unique_ptr<store::Db>> db = store::Db::Open(path, /*read_only=*/false);
    EXPECT_TRUE(db.ok()) << db.status();
    return std::move(*db);
  }
  int64_t Now() const { return UnixMicros(clock_.WallNow()); }
  void Append(AccountStore& a, int n, std::string camera = "", int64_t start_us = 0) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(a.Audit({.user = "alice",
                           .action = "recording_view",
                           .camera = camera,
                           .start_us = start_us,
                           .end_us = start_us == 0 ? 0 : start_us + 10 * kS,
                           .detail = "n=" + std::to_string(i)})
                      .ok());
    }
  }
  // A recorded segment of `camera` starting at `start_us`, as the recorder's index has it.
  void AddSegment(const std::string& camera, int64_t start_us) {
    std::unique_ptr<store::Db> db = RawDb(path_);
    ASSERT_TRUE(db->Exec("INSERT OR IGNORE INTO dirs (id, uuid, path) VALUES (1, 'u', '/d');"
                         "INSERT OR IGNORE INTO streams (camera, stream) VALUES ('" + camera +
                         "', 'main')")
                    .ok());
    ASSERT_TRUE(db->Exec("INSERT INTO segments (stream_id, seq, dir_id, start_us, end_us, codec,"
                         " width, height, init_length, durable_length, frames, fragments, open)"
                         " SELECT id, " + std::to_string(start_us) + ", 1, " +
                         std::to_string(start_us) + ", " + std::to_string(start_us + 60 * kS) +
                         ", 'avc1', 640, 360, 100, 100, 0, x'', 0 FROM streams WHERE camera = '" +
                         camera + "'")
                    .ok());
  }

  TempDir tmp_;
  const std::string path_ = tmp_.path() + "/index.db";
  SimulatedClock clock_;
};

TEST_F(AuditLogTest, EditingOneRowMakesTheCheckReportExactlyThatRow) {
  std::unique_ptr<AccountStore> a = Open(path_);
  Append(*a, 10);
  Result<AuditChainReport> clean = a->VerifyAuditChain();
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_TRUE(clean->ok());
  EXPECT_EQ(clean->rows, 10);
  EXPECT_EQ(clean->head_id, 10);
  EXPECT_EQ(clean->head_hash.size(), 64u);

  // Someone who can write the file: the trigger does not stop them, the chain shows it.
  std::unique_ptr<store::Db> db = RawDb(path_);
  ASSERT_TRUE(db->Exec("DROP TRIGGER audit_no_update;"
                       "UPDATE audit SET user = 'mallory' WHERE id = 4").ok());
  Result<AuditChainReport> edited = a->VerifyAuditChain();
  ASSERT_TRUE(edited.ok());
  EXPECT_FALSE(edited->ok());
  EXPECT_EQ(edited->broken_rows, 1) << "only the edited row";
  ASSERT_TRUE(edited->first_broken.has_value());
  EXPECT_EQ(edited->first_broken->id, 4);
  EXPECT_EQ(edited->first_broken->user, "mallory");
  EXPECT_EQ(edited->first_broken->time_us, Now());
}

TEST_F(AuditLogTest, DeletingARowBreaksTheNextOne) {
  std::unique_ptr<AccountStore> a = Open(path_);
  Append(*a, 5);
  std::unique_ptr<store::Db> db = RawDb(path_);
  ASSERT_TRUE(db->Exec("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 2").ok());
  Result<AuditChainReport> r = a->VerifyAuditChain();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->broken_rows, 1);
  EXPECT_EQ(r->first_broken->id, 3);
}

TEST_F(AuditLogTest, OnlyRetentionDeletesAndTheOriginOnlyMovesForward) {
  std::unique_ptr<AccountStore> a = Open(path_);
  Append(*a, 3);
  std::unique_ptr<store::Db> db = RawDb(path_);
  Status del = db->Exec("DELETE FROM audit WHERE id = 1");
  EXPECT_FALSE(del.ok());
  EXPECT_NE(del.message().find("append-only"), std::string::npos) << del;
  EXPECT_FALSE(db->Exec("UPDATE audit SET hash = 'x' WHERE id = 1").ok());
  EXPECT_FALSE(db->Exec("DELETE FROM audit_chain").ok());
  ASSERT_TRUE(db->Exec("UPDATE audit_chain SET origin_id = 5").ok());
  EXPECT_FALSE(db->Exec("UPDATE audit_chain SET origin_id = 4").ok());
}

TEST_F(AuditLogTest, RetentionDropsOldRowsButKeepsRowsOfRecordingsStillPresent) {
  std::unique_ptr<AccountStore> a = Open(path_);
  const int64_t t0 = Now();
  AddSegment("front", t0 + 50 * kS);  // the oldest recording of "front" still present
  Append(*a, 3);                                   // ids 1-3: no recording
  Append(*a, 2, "yard", t0);                       // ids 4-5: a camera with nothing left
  Append(*a, 1, "front", t0 + 45 * kS);            // id 6: ends at t0 + 55 s: still present
  Append(*a, 2);                                   // ids 7-8: old, but after a kept row
  clock_.Advance(std::chrono::microseconds(30 * kDay));
  Append(*a, 1);                                   // id 9: young

  Result<int64_t> dropped = a->ApplyAuditRetention(std::chrono::seconds(20 * 86400));
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(*dropped, 5) << "rows 1-5; row 6 describes a recording still present";
  Result<std::vector<AuditRecord>> rows = a->QueryAudit({.limit = 1000});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 5u) << "rows 6-9 and the retention row";
  EXPECT_EQ(rows->back().id, 6);
  EXPECT_EQ(rows->front().action, kAuditRetention);
  EXPECT_NE(rows->front().detail.find("dropped 5 rows up to id 5"), std::string::npos)
      << rows->front().detail;

  Result<AuditChainReport> chain = a->VerifyAuditChain();
  ASSERT_TRUE(chain.ok());
  EXPECT_TRUE(chain->ok()) << "the first kept row chains to the stored origin";
  EXPECT_EQ(chain->origin_id, 5);
  Result<AuditTotals> totals = a->AuditRowTotals();
  ASSERT_TRUE(totals.ok()) << totals.status();
  EXPECT_EQ(totals->appended, 10) << "9 rows and the retention row";
  EXPECT_EQ(totals->dropped, 5);

  // Once the recording is gone too, the rest of the old rows go.
  std::unique_ptr<store::Db> db = RawDb(path_);
  ASSERT_TRUE(db->Exec("DELETE FROM segments").ok());
  dropped = a->ApplyAuditRetention(std::chrono::seconds(20 * 86400));
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 3);
  EXPECT_TRUE(a->VerifyAuditChain()->ok());
  Append(*a, 1);
  EXPECT_TRUE(a->VerifyAuditChain()->ok()) << "appending after a drop";
  // Rows 10 and 11 record the two drops.
  EXPECT_EQ(a->QueryAudit({.limit = 1})->at(0).id, 12) << "ids are never reused";
  EXPECT_EQ(a->AuditRowTotals()->appended, 12);
  EXPECT_EQ(a->AuditRowTotals()->dropped, 8);
}

// The column names and types of `table`, and the names and SQL of its triggers and indexes.
std::string Shape(store::Db& db) {
  std::ostringstream out;
  for (const char* table : {"audit", "audit_chain", "api_tokens"}) {
    Result<store::Stmt> cols = db.Prepare(std::string("PRAGMA table_info(") + table + ")");
    while (*cols->Step()) {
      out << table << "." << cols->Text(1) << " " << cols->Text(2) << " notnull=" << cols->Int(3)
          << " default=" << cols->Text(4) << "\n";
    }
  }
  Result<store::Stmt> objects = db.Prepare(
      "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'index')"
      " AND tbl_name IN ('audit', 'audit_chain', 'api_tokens') ORDER BY name");
  while (*objects->Step()) {
    out << objects->Text(0) << " " << objects->Text(1) << ": " << objects->Text(2) << "\n";
  }
  return out.str();
}

TEST_F(AuditLogTest, AVersion1LogIsUpgradedAndChainedOnce) {
  // A version 1 database with rows, as Sightline 0.1 left it.
  const std::string old_path = tmp_.path() + "/old.db";
  ASSERT_TRUE(store::Index::Open(old_path).ok());
  {
    std::ifstream in(SIGHTLINE_AUTH_TESTDATA "/schema_v1.sql");
    ASSERT_TRUE(in.good());
    const std::string v1((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::unique_ptr<store::Db> db = RawDb(old_path);
    ASSERT_TRUE(db->Exec(v1).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO meta (key, value) VALUES ('auth_schema_version', '1');"
                         "INSERT INTO audit (time_us, user, action) VALUES (1, 'a', 'login');"
                         "INSERT INTO audit (time_us, user, action, camera) VALUES (2, 'b', 'live', 'c');")
                    .ok());
  }
  std::unique_ptr<AccountStore> upgraded = Open(old_path);
  ASSERT_NE(upgraded, nullptr);
  Result<AuditChainReport> chain = upgraded->VerifyAuditChain();
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_TRUE(chain->ok());
  EXPECT_EQ(chain->rows, 2);
  Append(*upgraded, 1);
  EXPECT_TRUE(upgraded->VerifyAuditChain()->ok());
  upgraded.reset();
  ASSERT_NE(Open(old_path), nullptr) << "opening again changes nothing";

  std::unique_ptr<AccountStore> fresh = Open(path_);
  EXPECT_EQ(Shape(*RawDb(old_path)), Shape(*RawDb(path_)));
  std::unique_ptr<store::Db> db = RawDb(old_path);
  Result<store::Stmt> v = db->Prepare("SELECT value FROM meta WHERE key = 'auth_schema_version'");
  ASSERT_TRUE(*v->Step());
  EXPECT_EQ(v->Text(0), std::to_string(kAuthSchemaVersion));
}

// Version 3 gave API tokens an expiry (security-review-1 L5); tokens made before never expire.
TEST_F(AuditLogTest, AVersion2DatabaseGetsTokenExpiryAndOldTokensKeepWorking) {
  const std::string old_path = tmp_.path() + "/v2.db";
  ASSERT_TRUE(store::Index::Open(old_path).ok());
  const std::string token = NewToken();
  {
    std::ifstream in(SIGHTLINE_AUTH_TESTDATA "/schema_v2.sql");
    ASSERT_TRUE(in.good());
    const std::string v2((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::unique_ptr<store::Db> db = RawDb(old_path);
    ASSERT_TRUE(db->Exec(v2).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO meta (key, value) VALUES ('auth_schema_version', '2');"
                         "INSERT INTO users (name, password_hash, role, created_us)"
                         " VALUES ('old', 'x', 'admin', 1);"
                         "INSERT INTO api_tokens (user_id, name, token_hash, created_us)"
                         " SELECT id, 'cron', '" + TokenDigest(token) + "', 1 FROM users;")
                    .ok());
  }
  std::unique_ptr<AccountStore> upgraded = Open(old_path);
  ASSERT_NE(upgraded, nullptr);
  Result<std::vector<ApiTokenInfo>> tokens = upgraded->ApiTokens("old");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_EQ((*tokens)[0].expires_us, 0) << "never";
  clock_.Advance(std::chrono::hours(24 * 3650));
  EXPECT_TRUE(upgraded->AuthenticateToken(token).ok());
  ASSERT_TRUE(upgraded->CreateApiToken({"cli", ""}, "old", "new", std::chrono::hours(24)).ok());
  upgraded.reset();
  ASSERT_NE(Open(old_path), nullptr) << "opening again changes nothing";

  std::unique_ptr<AccountStore> fresh = Open(path_);
  EXPECT_EQ(Shape(*RawDb(old_path)), Shape(*RawDb(path_)));
  std::unique_ptr<store::Db> db = RawDb(old_path);
  Result<store::Stmt> v = db->Prepare("SELECT value FROM meta WHERE key = 'auth_schema_version'");
  ASSERT_TRUE(*v->Step());
  EXPECT_EQ(v->Text(0), "3");
}

TEST(AuditRowHashTest, EveryFieldCountsAndFieldsCannotShift) {
  const AuditRecord base{.id = 1, .time_us = 2, .user = "ab", .action = "c", .detail = "d"};
  const std::string h = AuditRowHash(kAuditChainGenesis, base);
  AuditRecord shifted = base;
  shifted.user = "a";
  shifted.action = "bc";
  EXPECT_NE(AuditRowHash(kAuditChainGenesis, shifted), h);
  AuditRecord other = base;
  other.ok = false;
  EXPECT_NE(AuditRowHash(kAuditChainGenesis, other), h);
  EXPECT_NE(AuditRowHash(std::string(64, '1'), base), h);
  EXPECT_EQ(AuditRowHash(kAuditChainGenesis, base), h);
}

}  // namespace
}  // namespace sightline::auth
