// PTZ end to end (issue 15, deliverable 5): `sightline run` with an `onvif:` camera on camsim's
// ONVIF services (`camsim --onvif`, whose PTZ head reports its position in GetStatus). The
// API's move changes the position camsim reports, the stop holds it, a move's timeout ends it,
// presets are set, gone to and removed, a viewer cannot move the camera, and every command is
// an audit row.
//
// Needs camsim with --onvif (tools/camsim, branch camsim-onvif); skipped with a message when
// the camsim in this build has no ONVIF.

#include <chrono>
#include <fstream>
#include <thread>

#include <sys/stat.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "record_harness.h"
#include "store/sqlite.h"
#include "support/http_client.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kPets360 = "pets2009_s2l1_360p10_400k.h264.mp4";
constexpr const char* kPassword = "ptz-password-1";

class PtzTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> media = SharedMediaFile(kPets360);
    if (!media) GTEST_SKIP() << "needs ../shared/media (" << kPets360 << ")";
    Result<std::unique_ptr<ChildProcess>> camsim = ChildProcess::Start(
        SIGHTLINE_BINARY, {"camsim", "--listen", "127.0.0.1:0", "--onvif", "127.0.0.1:0", "--stats-interval", "0",
                           "--user", "cam", "--password", "cam-secret", "--camera", "name=cam0,file=" + *media});
    ASSERT_TRUE(camsim.ok()) << camsim.status();
    camsim_ = std::move(*camsim);
    ASSERT_TRUE(camsim_->WaitForLinePrefix("camsim: serving", 10'000).ok());
    Result<std::string> onvif = camsim_->WaitForLinePrefix("camsim: onvif ", 5'000);
    ASSERT_TRUE(onvif.ok()) << onvif.status();
    // "camsim: onvif http://127.0.0.1:PORT/onvif/NAME/device_service", after the prefix.
    std::string url = *onvif;
    url.replace(url.find("NAME"), 4, "cam0");

    config_ = tmp_.path() + "/sightline.yaml";
    ASSERT_EQ(::mkdir((tmp_.path() + "/disk").c_str(), 0755), 0);
    std::ofstream(config_) << "storage:\n  dirs: [" << tmp_.path() << "/disk]\n"
                           << "http:\n  listen: 127.0.0.1:0\n"
                           << "cameras:\n  gate:\n    onvif: { host: \"" << url
                           << "\", user: cam, password: cam-secret }\n"
                           << "  plain:\n    streams:\n      main:\n        url: rtsp://127.0.0.1:1/none\n"
                           << "        roles: [record]\n";
    for (const auto& [name, role] : std::vector<std::pair<std::string, std::string>>{
             {"admin", "admin"}, {"op", "operator"}, {"viewer", "viewer"}, {"other", "operator"}}) {
      CommandResult r = Shell("printf '%s\\n' " + std::string(kPassword) + " | " + Quote(SIGHTLINE_BINARY) +
                              " user add " + name + " --role " + role + " --password-stdin --config " + Quote(config_));
      ASSERT_EQ(r.code, 0) << r.output;
    }
    for (const char* user : {"op", "viewer"}) {
      CommandResult r = Shell(Quote(SIGHTLINE_BINARY) + " user grant " + user + " --camera gate --config " + Quote(config_));
      ASSERT_EQ(r.code, 0) << r.output;
    }
    Result<SightlineRun> run = StartSightlineRun(config_);
    ASSERT_TRUE(run.ok()) << run.status();
    run_ = std::move(run->process);
    port_ = run->http_port;
  }

  void TearDown() override {
    if (run_ != nullptr) StopSightlineRun(*run_);
  }

  HttpReply Send(const std::string& method, const std::string& target, const std::string& cookie,
                 const std::string& json = "") {
    HttpRequest r;
    r.method = method;
    r.target = target;
    if (!cookie.empty()) r.headers.push_back({"Cookie", cookie});
    if (!json.empty()) {
      r.headers.push_back({"Content-Type", "application/json"});
      r.body = json;
    }
    Result<HttpReply> reply = Fetch(port_, r);
    EXPECT_TRUE(reply.ok()) << target << ": " << reply.status();
    return reply.ok() ? *reply : HttpReply{};
  }

  std::string Cookie(const std::string& user) {
    HttpReply r = Send("POST", "/api/login", "", R"({"username":")" + user + R"(","password":")" + kPassword + "\"}");
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string set = r.Header("Set-Cookie");
    return set.substr(0, set.find(';'));
  }

  // GET .../ptz as `cookie`: the JSON, or null on an error.
  nlohmann::json Info(const std::string& cookie) {
    HttpReply r = Send("GET", "/api/cameras/gate/ptz", cookie);
    EXPECT_EQ(r.status, 200) << r.body;
    nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
    return j.is_discarded() ? nlohmann::json() : j;
  }
  double Pan(const std::string& cookie) {
    nlohmann::json j = Info(cookie);
    EXPECT_TRUE(j.is_object() && j["position"]["pan"].is_number()) << j.dump();
    return j.is_object() && j["position"]["pan"].is_number() ? j["position"]["pan"].get<double>() : -99;
  }

  // The `ptz` audit rows, oldest first, read from the index once the recorder has stopped.
  std::vector<std::pair<std::string, std::string>> PtzRows() {
    StopSightlineRun(*run_);
    run_.reset();
    std::vector<std::pair<std::string, std::string>> rows;
    Result<std::unique_ptr<store::Db>> db = store::Db::Open(tmp_.path() + "/disk/index.db", /*read_only=*/true);
    EXPECT_TRUE(db.ok()) << db.status();
    if (!db.ok()) return rows;
    Result<store::Stmt> s = (*db)->Prepare("SELECT user, detail, ok FROM audit WHERE action = 'ptz' ORDER BY id");
    EXPECT_TRUE(s.ok()) << s.status();
    while (*s->Step()) rows.push_back({s->Text(0), s->Text(1) + (s->Int(2) ? "" : " (failed)")});
    return rows;
  }

  TempDir tmp_;
  std::unique_ptr<ChildProcess> camsim_;
  std::unique_ptr<ChildProcess> run_;
  uint16_t port_ = 0;
  std::string config_;
};

TEST_F(PtzTest, MovesStopsPresetsAndAudits) {
  const std::string op = Cookie("op");
  nlohmann::json info = Info(op);
  ASSERT_EQ(info["supported"], true) << info.dump();
  const double start = Pan(op);

  // A move to the right for about half a second, then a stop: camsim's head moved and stays.
  ASSERT_EQ(Send("POST", "/api/cameras/gate/ptz/move", op, R"({"pan":0.5,"timeout_ms":10000})").status, 204);
  std::this_thread::sleep_for(600ms);
  ASSERT_EQ(Send("POST", "/api/cameras/gate/ptz/stop", op).status, 204);
  const double moved = Pan(op);
  EXPECT_GT(moved, start + 0.1);
  std::this_thread::sleep_for(500ms);
  EXPECT_NEAR(Pan(op), moved, 1e-6) << "the head kept moving after the stop";

  // Without a stop, the move's timeout ends it (a lost stop from a browser).
  ASSERT_EQ(Send("POST", "/api/cameras/gate/ptz/move", op, R"({"pan":-0.5,"timeout_ms":300})").status, 204);
  std::this_thread::sleep_for(800ms);
  const double timed_out = Pan(op);
  EXPECT_LT(timed_out, moved - 0.05);
  std::this_thread::sleep_for(500ms);
  EXPECT_NEAR(Pan(op), timed_out, 1e-6) << "the move outlived its timeout";

  // A preset here; away; back to it.
  HttpReply set = Send("POST", "/api/cameras/gate/ptz/presets", op, R"({"name":"Gate view"})");
  ASSERT_EQ(set.status, 201) << set.body;
  const std::string token = nlohmann::json::parse(set.body)["token"];
  ASSERT_FALSE(token.empty());
  ASSERT_EQ(Send("POST", "/api/cameras/gate/ptz/move", op, R"({"pan":1,"timeout_ms":400})").status, 204);
  std::this_thread::sleep_for(600ms);
  EXPECT_GT(Pan(op), timed_out + 0.1);
  ASSERT_EQ(Send("POST", "/api/cameras/gate/ptz/presets/" + token + "/goto", op).status, 204);
  EXPECT_NEAR(Pan(op), timed_out, 0.01);
  nlohmann::json listed = Info(op);
  ASSERT_EQ(listed["presets"].size(), 1u) << listed.dump();
  EXPECT_EQ(listed["presets"][0]["name"], "Gate view");
  EXPECT_EQ(listed["presets"][0]["token"], token);
  ASSERT_EQ(Send("DELETE", "/api/cameras/gate/ptz/presets/" + token, op).status, 204);
  EXPECT_TRUE(Info(op)["presets"].empty());
  HttpReply gone = Send("POST", "/api/cameras/gate/ptz/presets/" + token + "/goto", op);
  EXPECT_GE(gone.status, 400);
  EXPECT_LT(gone.status, 500) << gone.body;

  // Who may not: a viewer of the camera, an operator without its grant. The head stays.
  const double before = Pan(op);
  EXPECT_EQ(Send("POST", "/api/cameras/gate/ptz/move", Cookie("viewer"), R"({"pan":1})").status, 403);
  EXPECT_EQ(Send("POST", "/api/cameras/gate/ptz/move", Cookie("other"), R"({"pan":1})").status, 403);
  std::this_thread::sleep_for(300ms);
  EXPECT_NEAR(Pan(op), before, 1e-6);

  // A camera that is not onvif: has no PTZ, and says so.
  HttpReply plain = Send("GET", "/api/cameras/plain/ptz", Cookie("admin"));
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(nlohmann::json::parse(plain.body)["supported"], false);
  EXPECT_EQ(Send("POST", "/api/cameras/plain/ptz/move", Cookie("admin"), R"({"pan":1})").status, 409);

  std::vector<std::pair<std::string, std::string>> rows = PtzRows();
  std::vector<std::string> details;
  for (const auto& [user, detail] : rows) {
    if (user == "op") details.push_back(detail);
  }
  ASSERT_EQ(details.size(), 8u) << ::testing::PrintToString(details);
  EXPECT_EQ(details[0], "move pan=0.5 tilt=0 zoom=0 timeout_ms=10000");
  EXPECT_EQ(details[1], "stop");
  EXPECT_EQ(details[2], "move pan=-0.5 tilt=0 zoom=0 timeout_ms=300");
  EXPECT_EQ(details[3], "preset_set name=Gate view token=" + token);
  EXPECT_EQ(details[4], "move pan=1 tilt=0 zoom=0 timeout_ms=400");
  EXPECT_EQ(details[5], "preset_goto token=" + token);
  EXPECT_EQ(details[6], "preset_remove token=" + token);
  EXPECT_EQ(details[7], "preset_goto token=" + token + " (failed)");
  EXPECT_EQ(rows.back().first, "admin");  // the refused move on the camera without PTZ
}

}  // namespace
}  // namespace sightline::testing
