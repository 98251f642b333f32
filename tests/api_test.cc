// Acceptance for the HTTP API (docs/ref/api.md), end to end against `sightline run` recording
// camsim's real footage: authentication on every route, roles and per-camera permissions,
// recordings, HLS with byte ranges into the stored files, export, live view over a WebSocket,
// the audit log, and hostile input (path traversal, oversized requests, login brute force).

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "record_harness.h"
#include "support/http_client.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kPets360 = "pets2009_s2l1_360p10_400k.h264.mp4";
constexpr const char* kAdminPassword = "admin-password-1";
constexpr const char* kViewerPassword = "viewer-password-1";

int64_t NowUs() { return UnixMicros(std::chrono::system_clock::now()); }

// One recorder for the whole suite: camsim with two cameras, cam0 recorded (main) plus a
// live-only substream, cam1 recorded; an admin and a viewer allowed only cam0.
class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::optional<std::string> media = SharedMediaFile(kPets360);
    if (!media) return;
    tmp_ = new TempDir();
    const std::string dir = tmp_->path();
    Result<Camsim> camsim = StartCamsim({"name=cam{0..1},file=" + *media});
    ASSERT_TRUE(camsim.ok()) << camsim.status();
    camsim_ = new Camsim(std::move(*camsim));
    config_ = dir + "/sightline.yaml";
    std::ofstream cfg(config_);
    const std::string url = "rtsp://127.0.0.1:" + camsim_->port + "/";
    cfg << "storage:\n  dirs: [" << dir << "/disk]\n  segment_duration: 10s\n"
        << "http:\n  listen: 127.0.0.1:0\n"
        << "cameras:\n"
        << "  cam0:\n    streams:\n"
        << "      main: {url: " << url << "cam0, roles: [record]}\n"
        << "      sub: {url: " << url << "cam0, roles: [live, detect]}\n"
        << "  cam1:\n    streams:\n"
        << "      main: {url: " << url << "cam1, roles: [record]}\n";
    cfg.close();
    const std::string bin = Quote(SIGHTLINE_BINARY), conf = " --config " + Quote(config_);
    CommandResult add = Shell("mkdir -p " + Quote(dir + "/disk") + " && printf '%s\\n' " +
                              kAdminPassword + " | " + bin + " user add admin --role admin --password-stdin" + conf);
    ASSERT_EQ(add.code, 0) << add.output;
    add = Shell("printf '%s\\n' " + std::string(kViewerPassword) + " | " + bin +
                " user add viewer --role viewer --password-stdin" + conf);
    ASSERT_EQ(add.code, 0) << add.output;
    add = Shell(bin + " user grant viewer --camera cam0" + conf);
    ASSERT_EQ(add.code, 0) << add.output;

    started_us_ = NowUs();
    Result<SightlineRun> run = StartSightlineRun(config_);
    ASSERT_TRUE(run.ok()) << run.status();
    run_ = run->process.release();
    port_ = run->http_port;
  }

  // Waits until the recorder has run `seconds`: tests that need recordings call it. (CTest
  // runs each test in its own process, with its own recorder.)
  static void WaitForRecording(int seconds) {
    const int64_t until = started_us_ + seconds * 1'000'000LL;
    while (NowUs() < until) std::this_thread::sleep_for(100ms);
  }

  static void TearDownTestSuite() {
    if (run_ != nullptr) {
      StopSightlineRun(*run_);
    }
    delete run_;
    delete camsim_;
    delete tmp_;
    run_ = nullptr;
    camsim_ = nullptr;
    tmp_ = nullptr;
  }

  void SetUp() override {
    if (tmp_ == nullptr) GTEST_SKIP() << "needs ../shared/media (" << kPets360 << ")";
  }

  static HttpReply Get(const std::string& target, const std::string& cookie = "") {
    HttpRequest r;
    r.target = target;
    if (!cookie.empty()) r.headers.push_back({"Cookie", cookie});
    Result<HttpReply> reply = Fetch(port_, r);
    EXPECT_TRUE(reply.ok()) << target << ": " << reply.status();
    return reply.ok() ? *reply : HttpReply{};
  }

  static HttpReply Post(const std::string& target, const std::string& json,
                        const std::string& cookie = "") {
    HttpRequest r;
    r.method = "POST";
    r.target = target;
    r.body = json;
    r.headers.push_back({"Content-Type", "application/json"});
    if (!cookie.empty()) r.headers.push_back({"Cookie", cookie});
    Result<HttpReply> reply = Fetch(port_, r);
    EXPECT_TRUE(reply.ok()) << target << ": " << reply.status();
    return reply.ok() ? *reply : HttpReply{};
  }

  // Logs in and returns the "sl_session=..." cookie.
  static std::string Login(const std::string& user, const std::string& password) {
    HttpReply r = Post("/api/login", R"({"username":")" + user + R"(","password":")" + password + "\"}");
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string set = r.Header("Set-Cookie");
    return set.substr(0, set.find(';'));
  }

  static std::string Range() {
    return "start_us=" + std::to_string(started_us_ - 60'000'000) +
           "&end_us=" + std::to_string(NowUs() + 1'000'000);
  }

  static TempDir* tmp_;
  static Camsim* camsim_;
  static ChildProcess* run_;
  static std::string config_;
  static uint16_t port_;
  static int64_t started_us_;
};

TempDir* ApiTest::tmp_ = nullptr;
Camsim* ApiTest::camsim_ = nullptr;
ChildProcess* ApiTest::run_ = nullptr;
std::string ApiTest::config_;
uint16_t ApiTest::port_ = 0;
int64_t ApiTest::started_us_ = 0;

TEST_F(ApiTest, EveryRouteButHealthAndLoginNeedsAuthentication) {
  EXPECT_EQ(Get("/api/health").status, 200);
  const std::string range = Range();
  for (const std::string& target : std::vector<std::string>{"/api/me", "/api/cameras", "/api/cameras/cam0", "/api/cameras/cam0/snapshot.jpg",
        "/api/cameras/cam0/recordings?" + range,
        "/api/cameras/cam0/streams/main/playlist.m3u8?" + range,
        "/api/cameras/cam0/streams/main/segments/1.mp4",
        "/api/events", "/api/users", "/api/audit", "/api/system"}) {
    EXPECT_EQ(Get(target).status, 401) << target;
    EXPECT_EQ(Get(target, "sl_session=forged").status, 401) << target;
  }
  EXPECT_EQ(Post("/api/cameras/cam0/protect", R"({"start_us":1,"end_us":2})").status, 401);
  EXPECT_EQ(Post("/api/cameras/cam0/export", R"({"start_us":1,"end_us":2})").status, 401);
  EXPECT_EQ(Post("/api/users", R"({"name":"x","password":"12345678","role":"admin"})").status, 401);
  Result<std::unique_ptr<WsClient>> ws = WsClient::Connect(port_, "/api/cameras/cam0/live", {});
  ASSERT_FALSE(ws.ok());
  EXPECT_NE(ws.status().message().find("status 401"), std::string::npos) << ws.status();
}

TEST_F(ApiTest, LoginSetsAStrictHttpOnlyCookieAndRefusesWrongPasswords) {
  HttpReply bad = Post("/api/login", R"({"username":"admin","password":"wrong-password"})");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.Header("Set-Cookie"), "");
  HttpReply ok = Post("/api/login", std::string(R"({"username":"admin","password":")") +
                                        kAdminPassword + "\"}");
  ASSERT_EQ(ok.status, 200) << ok.body;
  const std::string cookie = ok.Header("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  HttpReply me = Get("/api/me", cookie.substr(0, cookie.find(';')));
  EXPECT_EQ(me.status, 200);
  EXPECT_NE(me.body.find("\"role\":\"admin\""), std::string::npos) << me.body;

  HttpRequest form;
  form.method = "POST";
  form.target = "/api/login";
  form.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  form.body = "username=admin&password=x";
  Result<HttpReply> r = Fetch(port_, form);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 415);
}

TEST_F(ApiTest, ViewerSeesOnlyPermittedCamerasAndCannotExportOrAdminister) {
  const std::string viewer = Login("viewer", kViewerPassword);
  HttpReply cams = Get("/api/cameras", viewer);
  ASSERT_EQ(cams.status, 200);
  EXPECT_NE(cams.body.find("\"cam0\""), std::string::npos) << cams.body;
  EXPECT_EQ(cams.body.find("\"cam1\""), std::string::npos) << cams.body;
  const std::string range = Range();
  for (const std::string& target : std::vector<std::string>{"/api/cameras/cam1", "/api/cameras/cam1/recordings?" + range,
        "/api/cameras/cam1/streams/main/playlist.m3u8?" + range,
        "/api/cameras/cam1/snapshot.jpg"}) {
    EXPECT_EQ(Get(target, viewer).status, 403) << target;
  }
  Result<std::unique_ptr<WsClient>> ws =
      WsClient::Connect(port_, "/api/cameras/cam1/live", {{"Cookie", viewer}});
  ASSERT_FALSE(ws.ok());
  EXPECT_NE(ws.status().message().find("status 403"), std::string::npos) << ws.status();
  EXPECT_EQ(Post("/api/cameras/cam0/export", R"({"start_us":1,"end_us":2})", viewer).status, 403);
  EXPECT_EQ(Get("/api/users", viewer).status, 403);
  EXPECT_EQ(Get("/api/audit", viewer).status, 403);
  EXPECT_EQ(Post("/api/cameras/cam0/protect", R"({"start_us":1,"end_us":2})", viewer).status, 403);
}

TEST_F(ApiTest, PlaylistByteRangesServeTheStoredBytes) {
  WaitForRecording(6);
  const std::string admin = Login("admin", kAdminPassword);
  HttpReply rec = Get("/api/cameras/cam0/recordings?" + Range(), admin);
  ASSERT_EQ(rec.status, 200) << rec.body;
  EXPECT_NE(rec.body.find("\"spans\":[{"), std::string::npos) << rec.body;

  HttpReply pl = Get("/api/cameras/cam0/streams/main/playlist.m3u8?" + Range(), admin);
  ASSERT_EQ(pl.status, 200) << pl.body;
  EXPECT_EQ(pl.body.rfind("#EXTM3U\n#EXT-X-VERSION:7\n", 0), 0u) << pl.body;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(pl.body, m,
                                std::regex("#EXT-X-BYTERANGE:([0-9]+)@([0-9]+)\n(segments/[0-9]+\\.mp4)")))
      << pl.body;
  const uint64_t length = std::stoull(m[1]), offset = std::stoull(m[2]);
  HttpRequest r;
  r.target = "/api/cameras/cam0/streams/main/" + m[3].str();
  r.headers = {{"Cookie", admin},
               {"Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1)}};
  Result<HttpReply> part = Fetch(port_, r);
  ASSERT_TRUE(part.ok()) << part.status();
  EXPECT_EQ(part->status, 206);
  ASSERT_EQ(part->body.size(), length);
  // A fragment as stored: prft, then moof.
  EXPECT_EQ(part->body.substr(4, 4), "prft");
  EXPECT_EQ(part->body.substr(32 + 4, 4), "moof");

  r.headers = {{"Cookie", admin}, {"Range", "bytes=999999999-"}};
  part = Fetch(port_, r);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->status, 416);
}

TEST_F(ApiTest, ExportIsAValidMp4) {
  WaitForRecording(10);
  const std::string admin = Login("admin", kAdminPassword);
  const int64_t end = NowUs() - 3'000'000, start = end - 4'000'000;
  HttpReply r = Post("/api/cameras/cam0/export",
                     R"({"start_us":)" + std::to_string(start) + R"(,"end_us":)" + std::to_string(end) + "}",
                     admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "video/mp4");
  const std::string path = tmp_->path() + "/export.mp4";
  std::ofstream(path, std::ios::binary) << r.body;
  CommandResult probe = Shell("ffprobe -v error -show_entries format=duration -of csv=p=0 " + Quote(path));
  EXPECT_EQ(probe.code, 0) << probe.output;
  const double duration = std::atof(probe.output.c_str());
  EXPECT_GT(duration, 3.5) << probe.output;
  EXPECT_LT(duration, 7.0) << probe.output;
}

TEST_F(ApiTest, LiveStartsAtAKeyframeAtOnceAndWorksForAStreamThatIsNotRecorded) {
  WaitForRecording(3);
  const std::string viewer = Login("viewer", kViewerPassword);
  for (const std::string stream : {"main", "sub"}) {
    SCOPED_TRACE(stream);
    const auto opened = std::chrono::steady_clock::now();
    Result<std::unique_ptr<WsClient>> ws =
        WsClient::Connect(port_, "/api/cameras/cam0/live?stream=" + stream, {{"Cookie", viewer}});
    ASSERT_TRUE(ws.ok()) << ws.status();
    Result<WsMessage> init = (*ws)->Read(5s);
    ASSERT_TRUE(init.ok()) << init.status();
    EXPECT_FALSE(init->binary);
    EXPECT_NE(init->data.find("\"codec\":\"avc1."), std::string::npos) << init->data;
    Result<WsMessage> ftyp = (*ws)->Read(5s);
    ASSERT_TRUE(ftyp.ok());
    EXPECT_EQ(ftyp->data.substr(4, 4), "ftyp");
    Result<WsMessage> first = (*ws)->Read(5s);
    ASSERT_TRUE(first.ok());
    const auto delay = std::chrono::steady_clock::now() - opened;
    EXPECT_EQ(first->data.substr(4, 4), "moof");
    // The GOP in progress is sent at once: no wait for the next keyframe (2 s GOPs).
    EXPECT_LT(delay, 1500ms);
    Result<WsMessage> next = (*ws)->Read(5s);
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->data.substr(4, 4), "moof");
  }
}

TEST_F(ApiTest, MotionEventsAppearWithThumbnailsAndTheSearchValidatesItsRectangle) {
  const std::string viewer = Login("viewer", kViewerPassword);
  // PETS2009 has people walking all the time: an event starts within a few seconds.
  HttpReply events;
  for (int i = 0; i < 100; ++i) {
    events = Get("/api/events?camera=cam0", viewer);
    if (events.body.find("\"id\":") != std::string::npos) break;
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_EQ(events.status, 200);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(events.body, m, std::regex("\"id\":([0-9]+)"))) << events.body;
  EXPECT_NE(events.body.find("\"thumbnail\":true"), std::string::npos) << events.body;
  HttpReply jpeg = Get("/api/events/" + m[1].str() + "/thumbnail.jpg", viewer);
  ASSERT_EQ(jpeg.status, 200) << jpeg.body;
  EXPECT_EQ(jpeg.Header("Content-Type"), "image/jpeg");
  EXPECT_EQ(jpeg.body.substr(0, 2), "\xff\xd8");
  EXPECT_EQ(Get("/api/events?camera=cam1", viewer).status, 403);

  const std::string search = "/api/cameras/cam0/motion?" + Range();
  EXPECT_EQ(Get(search + "&x=0&y=0&w=1&h=1", viewer).status, 200);
  EXPECT_EQ(Get(search + "&x=0.5&y=0&w=0.8&h=1", viewer).status, 400);
  EXPECT_EQ(Get(search + "&x=0&y=0&w=1", viewer).status, 400);
  EXPECT_EQ(Get("/api/cameras/cam1/motion?" + Range() + "&x=0&y=0&w=1&h=1", viewer).status, 403);
}

// Opening a camera page loads a thumbnail per motion event: that is one viewing of
// thumbnails, not a snapshot per image.
TEST_F(ApiTest, EventThumbnailsAreAuditedOncePerViewingAndNotAsSnapshots) {
  const std::string viewer = Login("viewer", kViewerPassword);
  std::vector<std::string> ids;
  for (int i = 0; i < 100 && ids.empty(); ++i) {
    const nlohmann::json events = nlohmann::json::parse(Get("/api/events?camera=cam0", viewer).body);
    for (const nlohmann::json& e : events["events"]) {
      if (e["thumbnail"].get<bool>()) ids.push_back(std::to_string(e["id"].get<int64_t>()));
    }
    if (ids.empty()) std::this_thread::sleep_for(200ms);
  }
  ASSERT_FALSE(ids.empty()) << "no motion event";
  for (int load = 0; load < 3; ++load) {  // three page loads within a minute
    for (const std::string& id : ids) {
      ASSERT_EQ(Get("/api/events/" + id + "/thumbnail.jpg", viewer).status, 200) << id;
    }
  }
  const std::string admin = Login("admin", kAdminPassword);
  const nlohmann::json snapshots =
      nlohmann::json::parse(Get("/api/audit?user=viewer&action=snapshot", admin).body);
  EXPECT_TRUE(snapshots["records"].empty()) << snapshots.dump();
  const nlohmann::json thumbnails =
      nlohmann::json::parse(Get("/api/audit?user=viewer&action=thumbnail", admin).body);
  ASSERT_EQ(thumbnails["records"].size(), 1u) << thumbnails.dump();
  EXPECT_EQ(thumbnails["records"][0]["camera"], "cam0");
}

// The audit page's filter offers GET /api/audit/actions: it must hold every action written.
TEST_F(ApiTest, AuditActionsListEveryActionWritten) {
  WaitForRecording(4);
  const std::string admin = Login("admin", kAdminPassword);
  Login("viewer", kViewerPassword);
  Get("/api/cameras/cam0/streams/main/playlist.m3u8?" + Range(), admin);
  Get("/api/cameras/cam0/snapshot.jpg", admin);
  EXPECT_EQ(Get("/api/audit/actions", Login("viewer", kViewerPassword)).status, 403);
  HttpReply reply = Get("/api/audit/actions", admin);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const nlohmann::json actions = nlohmann::json::parse(reply.body)["actions"];
  std::set<std::string> listed;
  for (const nlohmann::json& a : actions) listed.insert(a.get<std::string>());
  for (const char* a : {"login", "live", "playback", "export", "snapshot", "thumbnail"}) {
    EXPECT_TRUE(listed.contains(a)) << a;
  }
  for (const char* never_written : {"protect", "user_change", "permission", "token"}) {
    EXPECT_FALSE(listed.contains(never_written)) << never_written;
  }
  const nlohmann::json audit = nlohmann::json::parse(Get("/api/audit?limit=1000", admin).body);
  ASSERT_FALSE(audit["records"].empty());
  for (const nlohmann::json& r : audit["records"]) {
    EXPECT_TRUE(listed.contains(r["action"].get<std::string>())) << r.dump();
  }
}

TEST_F(ApiTest, PathTraversalIsRefusedEverywhere) {
  const std::string admin = Login("admin", kAdminPassword);
  for (const std::string& target : std::vector<std::string>{"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/api/cameras/..%2f..%2fetc",
        "/api/cameras/cam0/streams/main/segments/..%2f..%2findex.db",
        "/api/cameras/cam0/streams/main/segments/%2e%2e", "/assets/..%5c..%5cindex.db",
        "/api/cameras/cam0/streams/..%2f..%2f..%2fdisk/segments/1.mp4"}) {
    HttpReply r = Get(target, admin);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << target << " -> " << r.status;
    EXPECT_EQ(r.body.find("SQLite"), std::string::npos) << target;
  }
}

TEST_F(ApiTest, OversizedRequestsAreRefusedAndTheServerCarriesOn) {
  Result<std::string> big_header = FetchRaw(
      port_, "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
  ASSERT_TRUE(big_header.ok());
  EXPECT_EQ(big_header->rfind("HTTP/1.1 431", 0), 0u) << big_header->substr(0, 100);
  HttpReply big_body = Post("/api/login", std::string(2 << 20, ' '));
  EXPECT_EQ(big_body.status, 413);
  EXPECT_EQ(Get("/api/health").status, 200);
}

TEST_F(ApiTest, LoginBruteForceIsSlowedDown) {
  int last = 0;
  for (int i = 0; i < 8 && last != 429; ++i) {
    last = Post("/api/login", R"({"username":"victim","password":"guess-number-x"})").status;
  }
  EXPECT_EQ(last, 429);
}

TEST_F(ApiTest, AuditLogListsWhatPeopleDid) {
  WaitForRecording(8);
  const std::string admin = Login("admin", kAdminPassword);
  // Make sure each action happened at least once in this process.
  Get("/api/cameras/cam0/streams/main/playlist.m3u8?" + Range(), admin);
  Post("/api/cameras/cam0/export",
       R"({"start_us":)" + std::to_string(NowUs() - 5'000'000) + R"(,"end_us":)" +
           std::to_string(NowUs() - 3'000'000) + "}",
       admin);
  {
    Result<std::unique_ptr<WsClient>> ws =
        WsClient::Connect(port_, "/api/cameras/cam0/live", {{"Cookie", admin}});
    ASSERT_TRUE(ws.ok()) << ws.status();
  }
  HttpReply audit = Get("/api/audit?limit=1000", admin);
  ASSERT_EQ(audit.status, 200);
  for (const char* action : {"\"login\"", "\"live\"", "\"playback\"", "\"export\""}) {
    EXPECT_NE(audit.body.find(std::string("\"action\":") + action), std::string::npos) << action;
  }
  HttpReply filtered = Get("/api/audit?action=export&camera=cam0", admin);
  ASSERT_EQ(filtered.status, 200);
  EXPECT_EQ(filtered.body.find("\"action\":\"login\""), std::string::npos);
  EXPECT_NE(filtered.body.find("\"action\":\"export\""), std::string::npos);
}

}  // namespace
}  // namespace sightline::testing
