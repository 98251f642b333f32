// The handlers of the user, session, camera and evidence-lock routes against the real router,
// account store and index (api_test_util.h): who may do what, what each answer holds, and the
// audit row each change leaves.

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "api/api_test_util.h"

namespace sightline::api::testing {
namespace {

using bhttp::verb;
using nlohmann::json;

class AdminRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.AddUser("admin", "admin-password", auth::Role::kAdmin);
    h_.AddUser("viewer1", "viewer-password", auth::Role::kViewer, {"cam0"});
    h_.AddUser("op1", "operator-password", auth::Role::kOperator, {"cam0"});
    admin_ = h_.Login("admin", "admin-password");
  }

  // The audit rows of `action`, newest first, after writing whatever is pending.
  std::vector<auth::AuditRecord> AuditRows(std::string_view action) {
    EXPECT_TRUE(h_.accounts().FlushAudit(/*all=*/true).ok());
    auth::AuditFilter f;
    f.action = std::string(action);
    Result<std::vector<auth::AuditRecord>> rows = h_.accounts().QueryAudit(f);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<auth::AuditRecord>{};
  }

  ApiHarness h_;
  std::string admin_;
};

TEST_F(AdminRoutesTest, AdminsCreateUsersWithCheckedFields) {
  ClientResponse r = h_.Send(verb::post, "/api/users", admin_,
                             R"({"name":"night1","password":"night-password","role":"operator","cameras":["cam1"]})");
  ASSERT_EQ(r.result_int(), 201) << r.body();
  const json created = json::parse(r.body());
  EXPECT_EQ(created["name"], "night1");
  EXPECT_EQ(created["role"], "operator");
  EXPECT_EQ(created["cameras"], json::array({"cam1"}));
  EXPECT_EQ(h_.Send(verb::get, "/api/me", h_.Login("night1", "night-password")).result_int(), 200);
  ASSERT_FALSE(AuditRows(auth::kAuditUserAdd).empty());
  EXPECT_EQ(AuditRows(auth::kAuditUserAdd).front().user, "admin");

  // Each bad field is refused with a message that names it, and nothing is created.
  struct Bad {
    const char* body;
    int status;
    const char* says;
  };
  for (const Bad& bad : {Bad{R"({"name":"night1","password":"night-password","role":"viewer"})", 409, "night1"},
                         Bad{R"({"name":"x2","password":"short","role":"viewer"})", 400, "assword"},
                         Bad{R"({"name":"x3","password":"long-enough-password","role":"emperor"})", 400, "role"},
                         Bad{R"({"name":"bad/name","password":"long-enough-password","role":"viewer"})", 400, "name"},
                         Bad{R"({"name":"x5","password":"long-enough-password","role":"viewer","cameras":["nocam"]})", 400, "nocam"},
                         Bad{R"({"name":"x6","password":"long-enough-password","role":"viewer","cameras":"cam0"})", 400, "cameras"}}) {
    ClientResponse refused = h_.Send(verb::post, "/api/users", admin_, bad.body);
    EXPECT_EQ(refused.result_int(), bad.status) << bad.body << ": " << refused.body();
    EXPECT_NE(refused.body().find(bad.says), std::string::npos) << refused.body();
  }
  ClientResponse list = h_.Send(verb::get, "/api/users", admin_);
  ASSERT_EQ(list.result_int(), 200);
  std::vector<std::string> names;
  const json users = json::parse(list.body());
  for (const json& u : users["users"]) names.push_back(u["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"admin", "night1", "op1", "viewer1"}));
}

TEST_F(AdminRoutesTest, OnlyAdminsReadOrChangeUsersAuditAndSystem) {
  const std::string op = h_.Login("op1", "operator-password");
  const std::string viewer = h_.Login("viewer1", "viewer-password");
  for (const std::string& who : {op, viewer}) {
    EXPECT_EQ(h_.Send(verb::get, "/api/users", who).result_int(), 403);
    EXPECT_EQ(h_.Send(verb::post, "/api/users", who, R"({"name":"x","password":"long-enough-password","role":"admin"})").result_int(), 403);
    EXPECT_EQ(h_.Send(verb::patch, "/api/users/viewer1", who, R"({"role":"admin"})").result_int(), 403);
    EXPECT_EQ(h_.Send(verb::delete_, "/api/users/admin", who).result_int(), 403);
    EXPECT_EQ(h_.Send(verb::get, "/api/audit", who).result_int(), 403);
    EXPECT_EQ(h_.Send(verb::get, "/api/audit/actions", who).result_int(), 403);
    EXPECT_EQ(h_.Send(verb::get, "/api/system", who).result_int(), 403);
  }
  EXPECT_EQ(h_.Send(verb::get, "/api/system", admin_).result_int(), 200);
  // Every refusal above left a row.
  EXPECT_GE(AuditRows(auth::kAuditDenied).size(), 14u);
}

TEST_F(AdminRoutesTest, DeletingAUserEndsTheirSessionAndIsAudited) {
  const std::string viewer = h_.Login("viewer1", "viewer-password");
  ASSERT_EQ(h_.Send(verb::get, "/api/me", viewer).result_int(), 200);
  ClientResponse del = h_.Send(verb::delete_, "/api/users/viewer1", admin_);
  ASSERT_EQ(del.result_int(), 204) << del.body();
  EXPECT_EQ(h_.Send(verb::get, "/api/me", viewer).result_int(), 401);
  EXPECT_EQ(h_.Send(verb::delete_, "/api/users/viewer1", admin_).result_int(), 404);
  const std::vector<auth::AuditRecord> rows = AuditRows(auth::kAuditUserDelete);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].user, "admin");
  EXPECT_NE(rows[0].detail.find("viewer1"), std::string::npos) << rows[0].detail;
}

TEST_F(AdminRoutesTest, AdminsCannotLockThemselvesOut) {
  ClientResponse self_delete = h_.Send(verb::delete_, "/api/users/admin", admin_);
  EXPECT_EQ(self_delete.result_int(), 409) << self_delete.body();
  EXPECT_EQ(h_.Send(verb::patch, "/api/users/admin", admin_, R"({"role":"viewer"})").result_int(), 409);
  EXPECT_EQ(h_.Send(verb::patch, "/api/users/admin", admin_, R"({"disabled":true})").result_int(), 409);
  ClientResponse me = h_.Send(verb::get, "/api/me", admin_);
  ASSERT_EQ(me.result_int(), 200);
  EXPECT_EQ(json::parse(me.body())["role"], "admin");
}

TEST_F(AdminRoutesTest, DisablingAUserEndsTheirSessionsAndRefusesTheirLogin) {
  const std::string viewer = h_.Login("viewer1", "viewer-password");
  ClientResponse r = h_.Send(verb::patch, "/api/users/viewer1", admin_, R"({"disabled":true})");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(json::parse(r.body())["disabled"], true);
  EXPECT_EQ(h_.Send(verb::get, "/api/me", viewer).result_int(), 401);
  EXPECT_EQ(h_.Send(verb::post, "/api/login", "", R"({"username":"viewer1","password":"viewer-password"})").result_int(), 401);
  ASSERT_EQ(h_.Send(verb::patch, "/api/users/viewer1", admin_, R"({"disabled":false})").result_int(), 200);
  EXPECT_EQ(h_.Send(verb::get, "/api/me", h_.Login("viewer1", "viewer-password")).result_int(), 200);
}

TEST_F(AdminRoutesTest, LogoutEndsTheSessionAndClearsTheCookie) {
  const std::string viewer = h_.Login("viewer1", "viewer-password");
  ClientResponse out = h_.Send(verb::post, "/api/logout", viewer);
  ASSERT_EQ(out.result_int(), 204);
  const std::string set_cookie(out[bhttp::field::set_cookie]);
  EXPECT_NE(set_cookie.find("Max-Age=0"), std::string::npos) << set_cookie;
  EXPECT_EQ(h_.Send(verb::get, "/api/me", viewer).result_int(), 401);
  // Logging out twice, or without a session, is harmless.
  EXPECT_EQ(h_.Send(verb::post, "/api/logout", viewer).result_int(), 204);
  EXPECT_EQ(h_.Send(verb::post, "/api/logout").result_int(), 204);
  EXPECT_EQ(AuditRows(auth::kAuditLogout).size(), 1u);
}

TEST_F(AdminRoutesTest, UsersSeeOnlyTheirCameras) {
  const std::string viewer = h_.Login("viewer1", "viewer-password");
  ClientResponse me = h_.Send(verb::get, "/api/me", viewer);
  ASSERT_EQ(me.result_int(), 200);
  EXPECT_EQ(json::parse(me.body())["cameras"], json::array({"cam0"}));
  ClientResponse cams = h_.Send(verb::get, "/api/cameras", viewer);
  ASSERT_EQ(cams.result_int(), 200) << cams.body();
  std::vector<std::string> names;
  const json cameras = json::parse(cams.body());
  for (const json& c : cameras["cameras"]) names.push_back(c["name"]);
  EXPECT_EQ(names, std::vector<std::string>{"cam0"});
  EXPECT_EQ(h_.Send(verb::get, "/api/cameras/cam1", viewer).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::get, "/api/cameras/cam0", viewer).result_int(), 200);
  EXPECT_EQ(h_.Send(verb::get, "/api/cameras/nocam", viewer).result_int(), 404);
}

class EvidenceLockTest : public AdminRoutesTest {
 protected:
  // Three closed segments of cam0/main: [0,10), [10,20), [20,30) s.
  void SetUp() override {
    AdminRoutesTest::SetUp();
    Result<std::unique_ptr<store::Index>> index = store::Index::Open(h_.index_path());
    ASSERT_TRUE(index.ok()) << index.status();
    Result<int64_t> dir = (*index)->AddDir("00000000-0000-0000-0000-000000000001", "/nonexistent");
    ASSERT_TRUE(dir.ok()) << dir.status();
    Result<int64_t> stream = (*index)->EnsureStream("cam0", "main");
    ASSERT_TRUE(stream.ok()) << stream.status();
    stream_id_ = *stream;
    std::vector<store::SegmentRow> rows;
    for (int i = 0; i < 3; ++i) {
      store::SegmentRow s;
      s.stream_id = stream_id_;
      s.seq = i + 1;
      s.dir_id = *dir;
      s.start_us = kBase + i * 10'000'000;
      s.end_us = s.start_us + 10'000'000;
      s.codec = "avc1.640028";
      s.open = false;
      rows.push_back(s);
    }
    ASSERT_TRUE((*index)->CommitSegments(rows).ok());
  }

  std::vector<bool> Locked() {
    Result<std::unique_ptr<store::Index>> index = store::Index::Open(h_.index_path());
    EXPECT_TRUE(index.ok());
    Result<std::vector<store::SegmentRow>> rows = (*index)->SegmentsInRange(stream_id_, 0, kBase * 2);
    EXPECT_TRUE(rows.ok());
    std::vector<bool> out;
    for (const store::SegmentRow& r : *rows) out.push_back(r.is_protected);
    return out;
  }

  static std::string Body(int64_t start_s, int64_t end_s, bool on = true) {
    return json{{"start_us", kBase + start_s * 1'000'000},
                {"end_us", kBase + end_s * 1'000'000},
                {"protect", on}}.dump();
  }

  static constexpr int64_t kBase = 1'700'000'000'000'000;
  int64_t stream_id_ = 0;
};

TEST_F(EvidenceLockTest, OperatorsLockAndUnlockTheSegmentsOfARange) {
  const std::string op = h_.Login("op1", "operator-password");
  ClientResponse r = h_.Send(verb::post, "/api/cameras/cam0/protect", op, Body(5, 15));
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(json::parse(r.body())["segments"], 2);
  EXPECT_EQ(Locked(), (std::vector<bool>{true, true, false}));

  r = h_.Send(verb::post, "/api/cameras/cam0/protect", op, Body(0, 10, false));
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(json::parse(r.body())["segments"], 1);
  EXPECT_EQ(Locked(), (std::vector<bool>{false, true, false}));

  const std::vector<auth::AuditRecord> rows = AuditRows(auth::kAuditEvidenceLock);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].user, "op1");
  EXPECT_EQ(rows[1].camera, "cam0");
  EXPECT_EQ(rows[1].start_us, kBase + 5'000'000);
  EXPECT_EQ(rows[1].end_us, kBase + 15'000'000);
  EXPECT_NE(rows[1].detail.find("lock"), std::string::npos);
  EXPECT_NE(rows[0].detail.find("unlock"), std::string::npos);
}

TEST_F(EvidenceLockTest, ViewersAndUngrantedCamerasAndBadRangesAreRefused) {
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/protect", h_.Login("viewer1", "viewer-password"),
                    Body(0, 30)).result_int(), 403);
  const std::string op = h_.Login("op1", "operator-password");
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam1/protect", op, Body(0, 30)).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/protect", op, Body(20, 10)).result_int(), 400);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/protect", op, R"({"start_us":1})").result_int(), 400);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/protect", op, "not json").result_int(), 400);
  EXPECT_EQ(Locked(), (std::vector<bool>{false, false, false}));
}

}  // namespace
}  // namespace sightline::api::testing
