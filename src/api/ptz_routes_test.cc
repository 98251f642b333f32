// The PTZ routes' own rules (role, grant, CSRF, validation, rate limit, audit) with the real
// router and a recording PtzControl; the ONVIF path against camsim is tests/ptz_test.cc.

#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/api_test_util.h"
#include "base/mutex.h"

namespace sightline::api::testing {
namespace {

using bhttp::verb;

// cam0 has a PTZ head; cam1 has none (FailedPrecondition, as for a camera not given as onvif:).
class RecordingPtz : public PtzControl {
 public:
  Result<PtzInfo> Info(std::string_view camera) override {
    RETURN_IF_ERROR(Check(camera, "info"));
    PtzInfo info;
    info.pan = 0.25;
    info.tilt = -0.5;
    info.move_status = "idle";
    MutexLock lock(mu_);
    for (const auto& [token, name] : presets_) info.presets.push_back({token, name});
    return info;
  }
  Status Move(std::string_view camera, const PtzMove& move) override {
    RETURN_IF_ERROR(Check(camera, "move"));
    MutexLock lock(mu_);
    last_move_ = move;
    return Status::Ok();
  }
  Status Stop(std::string_view camera) override { return Check(camera, "stop"); }
  Status GotoPreset(std::string_view camera, const std::string& token) override {
    RETURN_IF_ERROR(Check(camera, "goto " + token));
    MutexLock lock(mu_);
    if (!presets_.contains(token)) return InvalidArgumentError("SOAP Fault: no preset " + token);
    return Status::Ok();
  }
  Result<std::string> SetPreset(std::string_view camera, const std::string& name) override {
    RETURN_IF_ERROR(Check(camera, "set " + name));
    MutexLock lock(mu_);
    const std::string token = "t" + std::to_string(++next_);
    presets_[token] = name;
    return token;
  }
  Status RemovePreset(std::string_view camera, const std::string& token) override {
    RETURN_IF_ERROR(Check(camera, "remove " + token));
    MutexLock lock(mu_);
    presets_.erase(token);
    return Status::Ok();
  }

  std::vector<std::string> calls() {
    MutexLock lock(mu_);
    return calls_;
  }
  PtzMove last_move() {
    MutexLock lock(mu_);
    return last_move_;
  }

 private:
  Status Check(std::string_view camera, const std::string& call) {
    MutexLock lock(mu_);
    calls_.push_back(std::string(camera) + " " + call);
    if (camera == "cam1") return FailedPreconditionError("camera cam1 is not an ONVIF camera (onvif: in sightline.yaml)");
    return Status::Ok();
  }

  Mutex mu_;
  std::vector<std::string> calls_ SL_GUARDED_BY(mu_);
  PtzMove last_move_ SL_GUARDED_BY(mu_);
  std::map<std::string, std::string> presets_ SL_GUARDED_BY(mu_);
  int next_ SL_GUARDED_BY(mu_) = 0;
};

class PtzRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.AddUser("admin", "admin-password", auth::Role::kAdmin);
    h_.AddUser("viewer1", "viewer-password", auth::Role::kViewer, {"cam0", "cam1"});
    h_.AddUser("op1", "operator-password", auth::Role::kOperator, {"cam0", "cam1"});
    h_.AddUser("op2", "operator-password", auth::Role::kOperator, {"cam1"});
  }

  std::vector<auth::AuditRecord> PtzRows() {
    Result<std::vector<auth::AuditRecord>> rows = h_.accounts().QueryAudit({.action = "ptz", .limit = 1000});
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<auth::AuditRecord>{};  // newest first
  }

  RecordingPtz ptz_;
  ApiHarness h_{{.password_cost = auth::kTestPasswordCost}, {}, false, &ptz_};
};

TEST_F(PtzRoutesTest, ViewersAndOperatorsWithoutTheGrantCannotMove) {
  const std::string viewer = h_.Login("viewer1", "viewer-password");
  const std::string op2 = h_.Login("op2", "operator-password");
  const std::string move = R"({"pan":0.5})";
  EXPECT_EQ(h_.Send(verb::get, "/api/cameras/cam0/ptz", viewer).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/move", viewer, move).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/stop", viewer).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/presets", viewer, R"({"name":"x"})").result_int(), 403);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/move", op2, move).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/presets/t1/goto", op2).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::delete_, "/api/cameras/cam0/ptz/presets/t1", op2).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/move", "", move).result_int(), 401);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/nosuch/ptz/move", h_.Login("admin", "admin-password"), move).result_int(), 404);
  EXPECT_TRUE(ptz_.calls().empty());
  Result<std::vector<auth::AuditRecord>> denied = h_.accounts().QueryAudit({.action = "denied"});
  ASSERT_TRUE(denied.ok());
  EXPECT_GE(denied->size(), 7u);
}

TEST_F(PtzRoutesTest, ForeignOriginIsRefusedBeforeTheCamera) {
  const std::string op = h_.Login("op1", "operator-password");
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/move", op, R"({"pan":1})",
                    {{"Origin", "http://evil.example"}}).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/stop", op, "", {{"Sec-Fetch-Site", "cross-site"}}).result_int(), 403);
  // A form post cannot send JSON: 415.
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/move", op, "", {{"Content-Type", "text/plain"}}).result_int(), 415);
  EXPECT_TRUE(ptz_.calls().empty());
}

TEST_F(PtzRoutesTest, MovesAreValidated) {
  const std::string op = h_.Login("op1", "operator-password");
  for (const char* bad : {R"({"pan":1.5})", R"({"tilt":-2})", R"({"zoom":"in"})", R"({"pan":0,"tilt":0})",
                          R"({"pan":0.5,"timeout_ms":10001})", R"({"pan":0.5,"timeout_ms":0})",
                          R"({"pan":0.5,"timeout_ms":1.5})", "[1]"}) {
    ClientResponse r = h_.Send(verb::post, "/api/cameras/cam0/ptz/move", op, bad);
    EXPECT_EQ(r.result_int(), 400) << bad << ": " << r.body();
  }
  EXPECT_TRUE(ptz_.calls().empty());
  ClientResponse ok = h_.Send(verb::post, "/api/cameras/cam0/ptz/move", op, R"({"pan":-1,"tilt":0.5,"zoom":1,"timeout_ms":10000})");
  EXPECT_EQ(ok.result_int(), 204) << ok.body();
  EXPECT_EQ(ptz_.last_move().pan, -1);
  EXPECT_EQ(ptz_.last_move().tilt, 0.5);
  EXPECT_EQ(ptz_.last_move().timeout_ms, 10000);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/move", op, R"({"zoom":0.5})").result_int(), 204);
  EXPECT_EQ(ptz_.last_move().timeout_ms, 1000);  // the default: a lost stop ends within a second

  // Preset names and tokens.
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/presets", op, R"({"name":""})").result_int(), 400);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/presets", op, R"({"name":"a\u0001b"})").result_int(), 400);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/presets", op, R"({"name":")" + std::string(65, 'x') + "\"}").result_int(), 400);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/presets/" + std::string(65, 'x') + "/goto", op).result_int(), 400);
}

TEST_F(PtzRoutesTest, EveryCommandIsAuditedAndAHeldMoveOnce) {
  const std::string op = h_.Login("op1", "operator-password");
  const std::string move = R"({"pan":0.5,"timeout_ms":2000})";
  // A held button renews its move: one row for the press.
  for (int i = 0; i < 3; ++i) ASSERT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/move", op, move).result_int(), 204);
  ASSERT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/stop", op).result_int(), 204);
  // The next press is a new row, and so is a change of direction within a press.
  ASSERT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/move", op, move).result_int(), 204);
  ASSERT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/move", op, R"({"tilt":-0.5})").result_int(), 204);
  ClientResponse set = h_.Send(verb::post, "/api/cameras/cam0/ptz/presets", op, R"({"name":"Gate"})");
  ASSERT_EQ(set.result_int(), 201) << set.body();
  const std::string token = nlohmann::json::parse(set.body())["token"];
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/presets/" + token + "/goto", op).result_int(), 204);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/presets/nosuch/goto", op).result_int(), 400);
  EXPECT_EQ(h_.Send(verb::delete_, "/api/cameras/cam0/ptz/presets/" + token, op).result_int(), 204);

  std::vector<auth::AuditRecord> rows = PtzRows();
  std::vector<std::string> details;
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    EXPECT_EQ(it->user, "op1");
    EXPECT_EQ(it->camera, "cam0");
    details.push_back(it->detail + (it->ok ? "" : " (failed)"));
  }
  EXPECT_EQ(details, (std::vector<std::string>{
                         "move pan=0.5 tilt=0 zoom=0 timeout_ms=2000",
                         "stop",
                         "move pan=0.5 tilt=0 zoom=0 timeout_ms=2000",
                         "move pan=0 tilt=-0.5 zoom=0 timeout_ms=1000",
                         "preset_set name=Gate token=" + token,
                         "preset_goto token=" + token,
                         "preset_goto token=nosuch (failed)",
                         "preset_remove token=" + token,
                     }));
}

TEST_F(PtzRoutesTest, StatusAndCamerasWithoutPtz) {
  const std::string op = h_.Login("op1", "operator-password");
  ASSERT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/presets", op, R"({"name":"Yard"})").result_int(), 201);
  ClientResponse info = h_.Send(verb::get, "/api/cameras/cam0/ptz", op);
  ASSERT_EQ(info.result_int(), 200) << info.body();
  nlohmann::json j = nlohmann::json::parse(info.body());
  EXPECT_EQ(j["supported"], true);
  EXPECT_EQ(j["position"]["pan"], 0.25);
  EXPECT_TRUE(j["position"]["zoom"].is_null());
  ASSERT_EQ(j["presets"].size(), 1u);
  EXPECT_EQ(j["presets"][0]["name"], "Yard");

  ClientResponse none = h_.Send(verb::get, "/api/cameras/cam1/ptz", op);
  ASSERT_EQ(none.result_int(), 200);
  EXPECT_EQ(nlohmann::json::parse(none.body())["supported"], false);
  EXPECT_NE(nlohmann::json::parse(none.body())["reason"].get<std::string>().find("not an ONVIF camera"), std::string::npos);
  ClientResponse move = h_.Send(verb::post, "/api/cameras/cam1/ptz/move", op, R"({"pan":1})");
  EXPECT_EQ(move.result_int(), 409);
  EXPECT_NE(move.body().find("not an ONVIF camera"), std::string::npos);
}

TEST_F(PtzRoutesTest, CommandsAreRateLimitedPerUserButStopIsNot) {
  const std::string op = h_.Login("op1", "operator-password");
  const std::string admin = h_.Login("admin", "admin-password");
  int limited = 0;
  for (int i = 0; i < 40; ++i) {
    // Alternating directions: each is a new press, the worst case for the camera and the log.
    ClientResponse r = h_.Send(verb::post, "/api/cameras/cam0/ptz/move", op, i % 2 ? R"({"pan":1})" : R"({"pan":-1})");
    if (r.result_int() == 429) {
      ++limited;
      EXPECT_EQ(r[bhttp::field::retry_after], "1");
    } else {
      EXPECT_EQ(r.result_int(), 204);
    }
  }
  EXPECT_GE(limited, 10);
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/stop", op).result_int(), 204);
  // Another user has a bucket of their own.
  EXPECT_EQ(h_.Send(verb::post, "/api/cameras/cam0/ptz/move", admin, R"({"pan":1})").result_int(), 204);
}

TEST(PtzRoutesWithoutControlTest, AnswersConflict) {
  ApiHarness h;
  h.AddUser("admin", "admin-password", auth::Role::kAdmin);
  const std::string admin = h.Login("admin", "admin-password");
  ClientResponse r = h.Send(verb::post, "/api/cameras/cam0/ptz/move", admin, R"({"pan":1})");
  EXPECT_EQ(r.result_int(), 409);
  EXPECT_NE(r.body().find("PTZ is not available"), std::string::npos);
}

}  // namespace
}  // namespace sightline::api::testing
