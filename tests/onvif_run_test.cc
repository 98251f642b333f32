// `sightline run` with cameras given as `onvif:` (issue 15), against camsim's ONVIF devices: the
// recorder finds each camera's main and sub streams from its profiles and plays both (a camera
// with one profile serves both from it); a camera clock 90 s off is measured and the
// authentication dated on it passes; a device that answers only after the recorder started is
// found when it does; `sightline discover --host` reports the same streams.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "record_harness.h"
#include "store/index.h"
#include "support/child_process.h"
#include "support/free_port.h"
#include "support/http_client.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kUser = "admin";
constexpr const char* kPassword = "onvif-pass-1";

struct OnvifCamsim {
  std::unique_ptr<ChildProcess> process;
  std::string rtsp_port;
  std::string onvif_port;
};

// camsim serving `specs` over RTSP on a free port and ONVIF on `onvif_listen`, with
// credentials; reads its "serving" and "onvif" lines for the ports.
Result<OnvifCamsim> StartOnvifCamsim(const std::vector<std::string>& specs, const std::string& onvif_listen) {
  std::vector<std::string> args = {"camsim",     "--listen", "127.0.0.1:0", "--onvif", onvif_listen,
                                   "--user",     kUser,      "--password",  kPassword, "--stats-interval",
                                   "0"};
  for (const std::string& s : specs) args.insert(args.end(), {"--camera", s});
  ASSIGN_OR_RETURN(std::unique_ptr<ChildProcess> p, ChildProcess::Start(SIGHTLINE_BINARY, args));
  ASSIGN_OR_RETURN(std::string serving, p->WaitForLinePrefix("camsim: serving", 10'000));
  ASSIGN_OR_RETURN(std::string onvif, p->WaitForLinePrefix("camsim: onvif http://127.0.0.1:", 5'000));
  const size_t colon = serving.rfind(':');
  const size_t slash = serving.rfind('/');
  if (colon == std::string::npos || slash == std::string::npos || slash < colon) {
    return InternalError("camsim printed an unexpected line: " + serving);
  }
  OnvifCamsim c;
  c.process = std::move(p);
  c.rtsp_port = serving.substr(colon + 1, slash - colon - 1);
  c.onvif_port = onvif.substr(0, onvif.find('/'));
  return c;
}

constexpr const char* kMetricsToken = "onvif-run-test-token-0123456789";

// A config with the given `onvif:` cameras (name -> host) and /metrics on.
void WriteConfig(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& cameras) {
  std::ofstream cfg(dir + "/sightline.yaml");
  cfg << "storage:\n  dirs: [" << dir << "/disk]\n  segment_duration: 10s\n"
      << "http:\n  listen: 127.0.0.1:0\n"
      << "metrics:\n  enabled: true\n  token: " << kMetricsToken << "\n"
      << "cameras:\n";
  for (const auto& [name, host] : cameras) {
    cfg << "  " << name << ":\n    onvif: {host: \"" << host << "\", user: " << kUser << ", password: " << kPassword
        << "}\n";
  }
}

std::string Scrape(uint16_t port) {
  HttpRequest r;
  r.target = "/metrics";
  r.headers.push_back({"Authorization", std::string("Bearer ") + kMetricsToken});
  Result<HttpReply> reply = Fetch(port, r, 10s);
  return reply.ok() ? reply->body : std::string();
}

// Scrapes until every line of `want` is in the body (bounded), returning the last body.
std::string ScrapeUntil(uint16_t port, const std::vector<std::string>& want, std::chrono::seconds limit) {
  std::string body;
  for (auto until = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < until;) {
    body = Scrape(port);
    bool all = true;
    for (const std::string& w : want) all = all && body.find(w) != std::string::npos;
    if (all) return body;
    std::this_thread::sleep_for(250ms);
  }
  std::string missing;
  for (const std::string& w : want) {
    if (body.find(w) == std::string::npos) missing += "\n  " + w;
  }
  ADD_FAILURE() << "not within " << limit.count() << " s:" << missing << "\nlast scrape:\n" << body;
  return body;
}

std::string Up(const std::string& camera, const std::string& stream) {
  return "sightline_camera_up{camera=\"" + camera + "\",stream=\"" + stream + "\"} 1\n";
}

// The value of the sample `series` (`name{labels}`), or NaN.
double Value(const std::string& body, const std::string& series) {
  const std::string key = "\n" + series + " ";
  const size_t at = body.find(key);
  return at == std::string::npos ? std::nan("") : std::stod(body.substr(at + key.size()));
}

double Gauge(const std::string& body, const std::string& name, const std::string& camera) {
  return Value(body, name + "{camera=\"" + camera + "\"}");
}

constexpr const char* kAdminPassword = "onvif-run-admin-pw";

// Adds an admin to the config's index (before `sightline run` starts).
void AddAdmin(const std::string& dir) {
  const CommandResult add = Shell("printf '%s\\n' " + std::string(kAdminPassword) + " | " + Quote(SIGHTLINE_BINARY) +
                                  " user add admin --role admin --password-stdin --config " + Quote(dir + "/sightline.yaml"));
  ASSERT_EQ(add.code, 0) << add.output;
}

// GET /api/cameras as the admin: {"cameras": [...]}, or null.
nlohmann::json CamerasAsAdmin(uint16_t port) {
  HttpRequest login;
  login.method = "POST";
  login.target = "/api/login";
  login.headers.push_back({"Content-Type", "application/json"});
  login.body = std::string(R"({"username":"admin","password":")") + kAdminPassword + "\"}";
  Result<HttpReply> session = Fetch(port, login, 10s);
  if (!session.ok() || session->status != 200) return nullptr;
  const std::string cookie = session->Header("Set-Cookie");
  HttpRequest get;
  get.target = "/api/cameras";
  get.headers.push_back({"Cookie", cookie.substr(0, cookie.find(';'))});
  Result<HttpReply> reply = Fetch(port, get, 10s);
  return reply.ok() ? nlohmann::json::parse(reply->body, nullptr, false) : nlohmann::json();
}

class OnvifRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    main_file_ = SharedMediaFile(kPets1080H265).value_or("");
    sub_file_ = SharedMediaFile(kPets360H264).value_or("");
    if (main_file_.empty() || sub_file_.empty()) GTEST_SKIP() << kNoSharedMediaMessage;
    ASSERT_EQ(::mkdir((tmp_.path() + "/disk").c_str(), 0755), 0);
  }

  std::vector<std::string> Specs() const {
    return {"name=door,file=" + main_file_ + ",sub=door_sub,start=0,clock_offset=90000",
            "name=door_sub,file=" + sub_file_ + ",start=0",
            // One profile only, and a camera that takes only HTTP Digest.
            "name=yard,file=" + sub_file_ + ",quirk=onvif-digest-only"};
  }

  TempDir tmp_;
  std::string main_file_, sub_file_;
};

TEST_F(OnvifRunTest, RecordsTheMainStreamAndPlaysTheSubStreamTheDeviceNames) {
  Result<OnvifCamsim> cam = StartOnvifCamsim(Specs(), "127.0.0.1:0");
  ASSERT_TRUE(cam.ok()) << cam.status();
  const std::string base = "http://127.0.0.1:" + cam->onvif_port + "/onvif/";
  WriteConfig(tmp_.path(), {{"door", base + "door/device_service"}, {"yard", base + "yard/device_service"}});
  AddAdmin(tmp_.path());
  Result<SightlineRun> run = StartSightlineRun(tmp_.path() + "/sightline.yaml");
  ASSERT_TRUE(run.ok()) << run.status();

  const std::string body = ScrapeUntil(run->http_port,
                                       {Up("door", "main"), Up("door", "sub"), Up("yard", "main"), Up("yard", "sub"),
                                        "sightline_onvif_resolved{camera=\"door\"} 1\n",
                                        "sightline_onvif_resolved{camera=\"yard\"} 1\n"},
                                       40s);
  // camsim's door camera runs 90 s ahead; the measure is good to the round trip and a second's
  // rounding of the camera's answer.
  EXPECT_NEAR(Gauge(body, "sightline_camera_clock_offset_seconds", "door"), 90.0, 1.5) << body;
  EXPECT_NEAR(Gauge(body, "sightline_camera_clock_offset_seconds", "yard"), 0.0, 1.5) << body;
  // The API (and so the System page) says the same per camera, with the event subscription.
  ScrapeUntil(run->http_port, {"sightline_camera_events_subscribed{camera=\"door\"} 1\n"}, 20s);
  const nlohmann::json cams = CamerasAsAdmin(run->http_port);
  ASSERT_TRUE(cams.contains("cameras")) << cams.dump();
  for (const nlohmann::json& c : cams["cameras"]) {
    ASSERT_TRUE(c.contains("onvif")) << c.dump();
    EXPECT_EQ(c["onvif"]["resolved"], true) << c.dump();
    if (c["name"] == "door") {
      EXPECT_NEAR(c["onvif"]["clock_offset_ms"].get<double>(), 90'000, 1'500) << c.dump();
      EXPECT_EQ(c["onvif"]["events"], "subscribed") << c.dump();
    }
  }
  // Two GOPs written (bounded: 20 s), so the index has the open segment.
  const std::string gops = "sightline_recorder_gops_written_total{camera=\"door\",stream=\"main\"}";
  for (auto until = std::chrono::steady_clock::now() + 20s;
       !(Value(Scrape(run->http_port), gops) >= 2) && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(250ms);
  }
  StopSightlineRun(*run->process);

  auto index = store::Index::Open(tmp_.path() + "/disk/index.db", /*read_only=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  auto door = (*index)->FindStream("door", "main");
  ASSERT_TRUE(door.ok()) << door.status();
  ASSERT_TRUE(door->has_value()) << "no stream door/main in the index";
  auto segments = (*index)->SegmentsInRange((*door)->id, 0, INT64_MAX);
  ASSERT_TRUE(segments.ok()) << segments.status();
  ASSERT_FALSE(segments->empty()) << "nothing recorded of door/main";
  // The main stream is the 1080p H.265 profile, not the 360p substream.
  EXPECT_EQ((*segments)[0].width, 1920);
  EXPECT_EQ((*segments)[0].height, 1080);
  EXPECT_GT((*segments)[0].frames, 0);
}

TEST_F(OnvifRunTest, ADeviceThatAnswersAfterTheRecorderStartedIsFoundWhenItDoes) {
  const std::string onvif_port = std::to_string(FreePort());
  WriteConfig(tmp_.path(), {{"door", "127.0.0.1:" + onvif_port + "/onvif/door/device_service"}});
  Result<SightlineRun> run = StartSightlineRun(tmp_.path() + "/sightline.yaml");
  ASSERT_TRUE(run.ok()) << run.status();
  // Nothing answers yet: the recorder runs, says so, and records nothing.
  ScrapeUntil(run->http_port, {"sightline_onvif_resolved{camera=\"door\"} 0\n"}, 10s);
  Result<OnvifCamsim> cam = StartOnvifCamsim(Specs(), "127.0.0.1:" + onvif_port);
  ASSERT_TRUE(cam.ok()) << cam.status();
  // Probes are retried after 2, 4, 8 s...: the device is found within about 15 s of answering,
  // and its streams' clients connect at once (without waiting out their own backoff).
  ScrapeUntil(run->http_port, {Up("door", "main"), Up("door", "sub")}, 25s);
  StopSightlineRun(*run->process);
}

TEST_F(OnvifRunTest, DiscoverByHostReportsTheStreamsTheRecorderUses) {
  Result<OnvifCamsim> cam = StartOnvifCamsim(Specs(), "127.0.0.1:0");
  ASSERT_TRUE(cam.ok()) << cam.status();
  // In a subshell whose stderr (the log) is dropped: stdout is the JSON.
  const CommandResult r = Shell("(" + Quote(SIGHTLINE_BINARY) + " discover --no-multicast --json --host " +
                                "http://127.0.0.1:" + cam->onvif_port + "/onvif/door/device_service --user " +
                                kUser + " --password " + kPassword + " 2>/dev/null)");
  ASSERT_EQ(r.code, 0) << r.output;
  const nlohmann::json j = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_TRUE(j.is_array() && j.size() == 1) << r.output;
  const nlohmann::json& d = j[0];
  const std::string rtsp = "rtsp://127.0.0.1:" + cam->rtsp_port + "/";
  EXPECT_EQ(d["main"]["uri"], rtsp + "door") << r.output;
  EXPECT_EQ(d["main"]["width"], 1920);
  EXPECT_EQ(d["main"]["codec"], "H265");
  EXPECT_EQ(d["sub"]["uri"], rtsp + "door_sub") << r.output;
  EXPECT_EQ(d["sub"]["width"], 640);
  EXPECT_NEAR(d["clock_offset_ms"].get<double>(), 90'000, 1'500);
  EXPECT_EQ(d["needs_credentials"], false);

  // Without credentials the camera tells its clock but not its streams.
  const CommandResult anon = Shell("(" + Quote(SIGHTLINE_BINARY) + " discover --no-multicast --json --host " +
                                   "http://127.0.0.1:" + cam->onvif_port + "/onvif/door/device_service 2>/dev/null)");
  ASSERT_EQ(anon.code, 0) << anon.output;
  const nlohmann::json a = nlohmann::json::parse(anon.output, nullptr, false);
  ASSERT_TRUE(a.is_array() && a.size() == 1) << anon.output;
  EXPECT_EQ(a[0]["needs_credentials"], true) << anon.output;
}

// A camera 90 s off is set to our clock by `discover --set-clock` (issue 15, deliverable 3),
// and keeps it; `--set-ntp` makes it follow an NTP server.
TEST_F(OnvifRunTest, DiscoverSetsACameraClock) {
  Result<OnvifCamsim> cam = StartOnvifCamsim(Specs(), "127.0.0.1:0");
  ASSERT_TRUE(cam.ok()) << cam.status();
  const std::string host = "http://127.0.0.1:" + cam->onvif_port + "/onvif/door/device_service";
  auto discover = [&](const std::string& extra) {
    const CommandResult r = Shell("(" + Quote(SIGHTLINE_BINARY) + " discover --no-multicast --json --host " + host +
                                  " --user " + kUser + " --password " + kPassword + " " + extra + " 2>/dev/null)");
    EXPECT_EQ(r.code, 0) << r.output;
    const nlohmann::json j = nlohmann::json::parse(r.output, nullptr, false);
    EXPECT_TRUE(j.is_array() && j.size() == 1) << r.output;
    return j.is_array() && j.size() == 1 ? j[0] : nlohmann::json();
  };
  EXPECT_NEAR(discover("")["clock_offset_ms"].get<double>(), 90'000, 1'500);
  const nlohmann::json set = discover("--set-clock");
  EXPECT_EQ(set["clock_action"], "clock set") << set.dump();
  EXPECT_NEAR(set["clock_offset_ms"].get<double>(), 0, 1'500) << set.dump();
  EXPECT_NEAR(discover("")["clock_offset_ms"].get<double>(), 0, 1'500);
  EXPECT_EQ(discover("--set-ntp ntp.example.org")["clock_action"], "follows NTP ntp.example.org");
  // Without --host there is nothing to set: refused before anything is sent.
  EXPECT_EQ(Shell("(" + Quote(SIGHTLINE_BINARY) + " discover --no-multicast --set-clock --user a --password b 2>&1)").code, 2);
}

// The camera's own motion (ONVIF events, issue 15 deliverable 4) becomes Sightline events, kept
// with their source; after the camera restarts (its subscription gone) they keep coming within
// 30 s of its return.
TEST_F(OnvifRunTest, CameraEventsAreStoredAndSurviveACameraRestart) {
  const std::string onvif_port = std::to_string(FreePort());
  const std::vector<std::string> specs = {"name=door,file=" + sub_file_ + ",events=2/4"};
  Result<OnvifCamsim> cam = StartOnvifCamsim(specs, "127.0.0.1:" + onvif_port);
  ASSERT_TRUE(cam.ok()) << cam.status();
  WriteConfig(tmp_.path(), {{"door", "127.0.0.1:" + onvif_port + "/onvif/door/device_service"}});
  Result<SightlineRun> run = StartSightlineRun(tmp_.path() + "/sightline.yaml");
  ASSERT_TRUE(run.ok()) << run.status();
  const std::string events = "sightline_camera_events_total{camera=\"door\"}";
  std::string body = ScrapeUntil(run->http_port, {"sightline_camera_events_subscribed{camera=\"door\"} 1\n"}, 20s);
  for (auto until = std::chrono::steady_clock::now() + 15s;
       !(Value(Scrape(run->http_port), events) >= 2) && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(250ms);
  }
  ASSERT_GE(Value(Scrape(run->http_port), events), 2) << Scrape(run->http_port);

  cam->process.reset();  // the camera loses power
  ScrapeUntil(run->http_port, {"sightline_camera_events_subscribed{camera=\"door\"} 0\n"}, 20s);
  const double before = Value(Scrape(run->http_port), events);
  cam = StartOnvifCamsim(specs, "127.0.0.1:" + onvif_port);
  ASSERT_TRUE(cam.ok()) << cam.status();
  bool resumed = false;
  for (auto until = std::chrono::steady_clock::now() + 30s; !resumed && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(250ms);
    resumed = Value(Scrape(run->http_port), events) > before;
  }
  EXPECT_TRUE(resumed) << "no camera event within 30 s of the camera's return\n" << Scrape(run->http_port);
  StopSightlineRun(*run->process);

  auto index = store::Index::Open(tmp_.path() + "/disk/index.db", /*read_only=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  auto rows = (*index)->MotionEvents("door", 0, INT64_MAX, 100);
  ASSERT_TRUE(rows.ok()) << rows.status();
  int from_camera = 0, as_long_as_the_cameras = 0;
  for (const store::MotionEventRow& e : *rows) {
    // Sightline's own analysis of the sub stream finds motion too: those keep source "".
    if (e.stream == "sub") {
      EXPECT_EQ(e.source, "") << e.id;
      continue;
    }
    ++from_camera;
    EXPECT_EQ(e.source, "onvif:motion") << e.id;
    EXPECT_EQ(e.stream, "") << e.id;
    EXPECT_GT(e.end_us, 0) << "the recorder's stop ends open events";
    EXPECT_GE(e.end_us, e.start_us);
    // One event may span the outage (it ends when the camera, back, says motion is over).
    EXPECT_LE(e.end_us - e.start_us, 60'000'000) << e.id;
    // camsim's motion lasts 2 s; the clocks agree, so the times are the camera's to a second.
    if (e.end_us - e.start_us >= 1'000'000 && e.end_us - e.start_us <= 3'000'000) ++as_long_as_the_cameras;
  }
  EXPECT_GE(from_camera, 3);
  EXPECT_GE(as_long_as_the_cameras, 2);
}

}  // namespace
}  // namespace sightline::testing
