// The camera set-up routes' own rules (admin only, CSRF, validation, audit without passwords)
// with the real router and a recording CameraSetup; the ONVIF and file side is tested in
// config/camera_insert_test.cc, config/config_file_test.cc and app's e2e (web/e2e).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/api_test_util.h"
#include "base/mutex.h"

namespace sightline::api::testing {
namespace {

using bhttp::verb;

class RecordingSetup : public CameraSetup {
 public:
  Result<std::vector<DiscoveredCamera>> Discover(const DiscoverRequest& request) override {
    MutexLock lock(mu_);
    discovers_.push_back(request);
    DiscoveredCamera c;
    c.address = "http://10.0.0.7/onvif/device_service";
    c.manufacturer = "Acme";
    c.model = "Dome 4K";
    c.main = DiscoveredStream{"H265", 3840, 2160, 25};
    c.clock_offset_ms = -1500;
    c.configured_as = "cam0";
    c.suggested_name = "dome-4k";
    DiscoveredCamera d;
    d.address = "http://10.0.0.8/onvif/device_service";
    d.needs_credentials = true;
    return std::vector<DiscoveredCamera>{c, d};
  }
  Result<CamerasAdded> AddCameras(const std::vector<NewCamera>& cameras, const std::string& note) override {
    MutexLock lock(mu_);
    adds_.push_back(cameras);
    note_ = note;
    if (cameras[0].name == "refused") return InvalidArgumentError("camera refused: a reason naming it");
    CamerasAdded added{"/etc/sightline/sightline.yaml", "/etc/sightline/sightline.yaml.bak-20260101T000000", {}};
    for (const NewCamera& c : cameras) added.names.push_back(c.name);
    return added;
  }

  size_t calls() {
    MutexLock lock(mu_);
    return discovers_.size() + adds_.size();
  }
  DiscoverRequest last_discover() {
    MutexLock lock(mu_);
    return discovers_.back();
  }
  std::vector<NewCamera> last_add() {
    MutexLock lock(mu_);
    return adds_.back();
  }
  std::string note() {
    MutexLock lock(mu_);
    return note_;
  }

 private:
  Mutex mu_;
  std::vector<DiscoverRequest> discovers_ SL_GUARDED_BY(mu_);
  std::vector<std::vector<NewCamera>> adds_ SL_GUARDED_BY(mu_);
  std::string note_ SL_GUARDED_BY(mu_);
};

constexpr char kAdd[] =
    R"({"cameras":[{"name":"door","host":"http://10.0.0.8/onvif/device_service","user":"admin","password":"hunter2-secret"}]})";
constexpr char kDiscover[] = R"({"range":"10.0.0.0/24","hosts":["10.0.0.9:8000"],"user":"admin","password":"hunter2-secret"})";

class CameraSetupRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.AddUser("admin", "admin-password", auth::Role::kAdmin);
    h_.AddUser("op1", "operator-password", auth::Role::kOperator, {"cam0", "cam1"});
    h_.AddUser("viewer1", "viewer-password", auth::Role::kViewer, {"cam0"});
  }

  std::vector<auth::AuditRecord> Rows(const std::string& action) {
    Result<std::vector<auth::AuditRecord>> rows = h_.accounts().QueryAudit({.action = action, .limit = 100});
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<auth::AuditRecord>{};
  }

  RecordingSetup setup_;
  ApiHarness h_{{.password_cost = auth::kTestPasswordCost}, {}, false, nullptr, &setup_};
};

TEST_F(CameraSetupRoutesTest, OnlyAdminsMaySearchOrAdd) {
  for (const auto& [user, password] : {std::pair{"op1", "operator-password"}, std::pair{"viewer1", "viewer-password"}}) {
    const std::string cookie = h_.Login(user, password);
    EXPECT_EQ(h_.Send(verb::post, "/api/onvif/discover", cookie, kDiscover).result_int(), 403) << user;
    EXPECT_EQ(h_.Send(verb::post, "/api/config/cameras", cookie, kAdd).result_int(), 403) << user;
  }
  EXPECT_EQ(h_.Send(verb::post, "/api/onvif/discover", "", kDiscover).result_int(), 401);
  EXPECT_EQ(h_.Send(verb::post, "/api/config/cameras", "", kAdd).result_int(), 401);
  EXPECT_EQ(setup_.calls(), 0u);
  EXPECT_GE(Rows("denied").size(), 4u);
}

TEST_F(CameraSetupRoutesTest, ForeignOriginsAndFormPostsAreRefused) {
  const std::string admin = h_.Login("admin", "admin-password");
  EXPECT_EQ(h_.Send(verb::post, "/api/config/cameras", admin, kAdd, {{"Origin", "http://evil.example"}}).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::post, "/api/config/cameras", admin, kAdd, {{"Sec-Fetch-Site", "cross-site"}}).result_int(), 403);
  EXPECT_EQ(h_.Send(verb::post, "/api/onvif/discover", admin, kDiscover, {{"Origin", "http://evil.example"}}).result_int(),
            403);
  EXPECT_EQ(h_.Send(verb::post, "/api/config/cameras", admin, "", {{"Content-Type", "text/plain"}}).result_int(), 415);
  EXPECT_EQ(setup_.calls(), 0u);
}

TEST_F(CameraSetupRoutesTest, DiscoverPassesTheRequestAndAnswersTheDevices) {
  const std::string admin = h_.Login("admin", "admin-password");
  ClientResponse r = h_.Send(verb::post, "/api/onvif/discover", admin, kDiscover);
  ASSERT_EQ(r.result_int(), 200) << r.body();
  const DiscoverRequest req = setup_.last_discover();
  EXPECT_TRUE(req.multicast);
  EXPECT_EQ(req.range, "10.0.0.0/24");
  EXPECT_EQ(req.hosts, std::vector<std::string>{"10.0.0.9:8000"});
  EXPECT_EQ(req.user, "admin");
  EXPECT_EQ(req.password, "hunter2-secret");
  EXPECT_EQ(r.body().find("hunter2"), std::string::npos);
  const nlohmann::json j = nlohmann::json::parse(r.body());
  ASSERT_EQ(j["cameras"].size(), 2u);
  const nlohmann::json& c = j["cameras"][0];
  EXPECT_EQ(c["address"], "http://10.0.0.7/onvif/device_service");
  EXPECT_EQ(c["model"], "Dome 4K");
  EXPECT_EQ(c["main"]["codec"], "H265");
  EXPECT_EQ(c["main"]["width"], 3840);
  EXPECT_TRUE(c["sub"].is_null());
  EXPECT_EQ(c["clock_offset_ms"], -1500);
  EXPECT_EQ(c["configured"], true);
  EXPECT_EQ(c["configured_as"], "cam0");
  EXPECT_EQ(c["suggested_name"], "dome-4k");
  EXPECT_EQ(j["cameras"][1]["needs_credentials"], true);
  EXPECT_TRUE(j["cameras"][1]["clock_offset_ms"].is_null());

  const std::vector<auth::AuditRecord> rows = Rows("onvif_discover");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].user, "admin");
  EXPECT_EQ(rows[0].detail, "multicast=yes range=10.0.0.0/24 hosts=1 credentials=yes found=2");
  EXPECT_TRUE(rows[0].ok);
}

TEST_F(CameraSetupRoutesTest, BadRequestsNameTheField) {
  const std::string admin = h_.Login("admin", "admin-password");
  auto error = [&](const std::string& target, const std::string& body) {
    ClientResponse r = h_.Send(verb::post, target, admin, body);
    EXPECT_EQ(r.result_int(), 400) << body << ": " << r.body();
    return nlohmann::json::parse(r.body())["error"].get<std::string>();
  };
  EXPECT_NE(error("/api/onvif/discover", R"({"hosts":"10.0.0.1"})").find("hosts"), std::string::npos);
  EXPECT_NE(error("/api/onvif/discover", R"({"hosts":["ok", ""]})").find("hosts[1]"), std::string::npos);
  EXPECT_NE(error("/api/onvif/discover", R"({"password":"x"})").find("needs a user"), std::string::npos);
  EXPECT_NE(error("/api/onvif/discover", R"({"multicast":false})").find("Nothing to search"), std::string::npos);
  EXPECT_NE(error("/api/onvif/discover", R"({"range":5})").find("range"), std::string::npos);
  EXPECT_NE(error("/api/config/cameras", R"({"cameras":[]})").find("at least one"), std::string::npos);
  EXPECT_NE(error("/api/config/cameras", R"({"cameras":[{"name":"a","host":"h"},{"name":"b"}]})").find("cameras[1].host"),
            std::string::npos);
  EXPECT_NE(error("/api/config/cameras", R"({"cameras":[{"name":"a\nb","host":"h"}]})").find("cameras[0].name"),
            std::string::npos);
  EXPECT_NE(error("/api/config/cameras", R"({"cameras":[{"name":"a","host":"h","password":"p"}]})").find("Camera a"),
            std::string::npos);
  EXPECT_EQ(setup_.calls(), 0u);
}

TEST_F(CameraSetupRoutesTest, AddingIsAuditedWithoutThePassword) {
  const std::string admin = h_.Login("admin", "admin-password");
  ClientResponse r = h_.Send(verb::post, "/api/config/cameras", admin, kAdd);
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(r.body().find("hunter2"), std::string::npos);
  const nlohmann::json j = nlohmann::json::parse(r.body());
  EXPECT_EQ(j["added"], nlohmann::json::array({"door"}));
  EXPECT_EQ(j["restart_required"], true);
  EXPECT_EQ(j["backup"], "/etc/sightline/sightline.yaml.bak-20260101T000000");
  EXPECT_NE(j["message"].get<std::string>().find("after Sightline restarts"), std::string::npos);
  ASSERT_EQ(setup_.last_add().size(), 1u);
  EXPECT_EQ(setup_.last_add()[0].password, "hunter2-secret");
  EXPECT_EQ(setup_.note().rfind("added by admin on the web UI's Add cameras page, ", 0), 0u) << setup_.note();

  ClientResponse refused = h_.Send(verb::post, "/api/config/cameras", admin, R"({"cameras":[{"name":"refused","host":"h"}]})");
  EXPECT_EQ(refused.result_int(), 400);
  EXPECT_NE(refused.body().find("a reason naming it"), std::string::npos);

  const std::vector<auth::AuditRecord> rows = Rows("config_cameras");  // newest first
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].detail, "cameras=door backup=/etc/sightline/sightline.yaml.bak-20260101T000000");
  EXPECT_TRUE(rows[1].ok);
  EXPECT_EQ(rows[0].detail, "cameras=refused");
  EXPECT_FALSE(rows[0].ok);
  Result<std::vector<auth::AuditRecord>> all = h_.accounts().QueryAudit({.limit = 1000});
  ASSERT_TRUE(all.ok());
  for (const auth::AuditRecord& a : *all) EXPECT_EQ(a.detail.find("hunter2"), std::string::npos) << a.detail;
}

TEST(CameraSetupWithoutSetupTest, AnswersConflict) {
  ApiHarness h;
  h.AddUser("admin", "admin-password", auth::Role::kAdmin);
  const std::string admin = h.Login("admin", "admin-password");
  ClientResponse r = h.Send(verb::post, "/api/config/cameras", admin, kAdd);
  EXPECT_EQ(r.result_int(), 409);
  EXPECT_NE(r.body().find("not available"), std::string::npos);
}

}  // namespace
}  // namespace sightline::api::testing
