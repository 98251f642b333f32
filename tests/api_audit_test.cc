// Acceptance for the audit log (issue 11, security review M6 and L10), end to end against
// `sightline run` recording camsim: the video bytes of playback are audited with the real
// span, grouped per run; refused requests, searches and lists are audited; failed logins are
// one summary row per address and minute; nothing pending is lost at a clean stop; and
// `sightline check` verifies the hash chain and names an edited row.
//
// Each test starts its own recorder (CTest runs each test in its own process anyway) and
// stops it when it wants to read the rows that are written at the stop.

#include <chrono>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "record_harness.h"
#include "store/sqlite.h"
#include "support/http_client.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kPets360 = "pets2009_s2l1_360p10_400k.h264.mp4";
constexpr const char* kAdminPassword = "admin-password-1";
constexpr const char* kViewerPassword = "viewer-password-1";

int64_t NowUs() { return UnixMicros(std::chrono::system_clock::now()); }

struct AuditRow {
  int64_t id = 0;
  std::string user, action, camera, remote, detail;
  int64_t start_us = 0, end_us = 0;
  bool ok = true;
};

class ApiAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> media = SharedMediaFile(kPets360);
    if (!media) GTEST_SKIP() << "needs ../shared/media (" << kPets360 << ")";
    Result<Camsim> camsim = StartCamsim({"name=cam{0..1},file=" + *media});
    ASSERT_TRUE(camsim.ok()) << camsim.status();
    camsim_ = std::move(*camsim);
    config_ = tmp_.path() + "/sightline.yaml";
    WriteRecordConfig(config_, "  dirs: [" + tmp_.path() + "/disk]\n  segment_duration: 10s\n",
                      camsim_.port, {"cam0", "cam1"});
    ASSERT_EQ(Cli("mkdir -p " + Quote(tmp_.path() + "/disk") + " && printf '%s\\n' " +
                  kAdminPassword + " | " + Bin() + " user add admin --role admin --password-stdin")
                  .code,
              0);
    ASSERT_EQ(Cli("printf '%s\\n' " + std::string(kViewerPassword) + " | " + Bin() +
                  " user add viewer --role viewer --password-stdin")
                  .code,
              0);
    ASSERT_EQ(Cli(Bin() + " user grant viewer --camera cam0").code, 0);
    StartRecorder();
  }

  void TearDown() override {
    if (run_ != nullptr) StopRecorder();
  }

  static std::string Bin() { return Quote(SIGHTLINE_BINARY); }
  // A command with " --config FILE" appended.
  CommandResult Cli(const std::string& command) {
    CommandResult r = Shell(command + " --config " + Quote(config_));
    EXPECT_TRUE(r.code == 0 || command.find(" check") != std::string::npos) << command << "\n"
                                                                             << r.output;
    return r;
  }

  void StartRecorder() {
    started_us_ = NowUs();
    Result<SightlineRun> run = StartSightlineRun(config_);
    ASSERT_TRUE(run.ok()) << run.status();
    run_ = std::move(run->process);
    port_ = run->http_port;
  }

  // A clean stop (SIGINT): the recorder writes every pending audit row before it exits.
  void StopRecorder() {
    StopSightlineRun(*run_);
    run_.reset();
  }

  void WaitForRecording(int seconds) {
    while (NowUs() < started_us_ + seconds * 1'000'000LL) std::this_thread::sleep_for(100ms);
  }

  HttpReply Get(const std::string& target, const std::string& cookie,
                const std::string& range = "") {
    HttpRequest r;
    r.target = target;
    if (!cookie.empty()) r.headers.push_back({"Cookie", cookie});
    if (!range.empty()) r.headers.push_back({"Range", range});
    Result<HttpReply> reply = Fetch(port_, r);
    EXPECT_TRUE(reply.ok()) << target << ": " << reply.status();
    return reply.ok() ? *reply : HttpReply{};
  }

  HttpReply Login(const std::string& user, const std::string& password) {
    HttpRequest r;
    r.method = "POST";
    r.target = "/api/login";
    r.body = R"({"username":")" + user + R"(","password":")" + password + "\"}";
    r.headers.push_back({"Content-Type", "application/json"});
    Result<HttpReply> reply = Fetch(port_, r);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? *reply : HttpReply{};
  }
  std::string Cookie(const std::string& user, const std::string& password) {
    HttpReply r = Login(user, password);
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string set = r.Header("Set-Cookie");
    return set.substr(0, set.find(';'));
  }

  std::string Range() const {
    return "start_us=" + std::to_string(started_us_ - 60'000'000) +
           "&end_us=" + std::to_string(NowUs() + 1'000'000);
  }

  // The audit rows with `action`, oldest first, read from the index file.
  std::vector<AuditRow> Rows(const std::string& action) {
    Result<std::unique_ptr<store::Db>> db = store::Db::Open(IndexPath(), /*read_only=*/true);
    EXPECT_TRUE(db.ok()) << db.status();
    std::vector<AuditRow> rows;
    if (!db.ok()) return rows;
    Result<store::Stmt> s = (*db)->Prepare(
        "SELECT id, user, action, camera, remote, detail, start_us, end_us, ok FROM audit"
        " WHERE action = ? ORDER BY id");
    EXPECT_TRUE(s.ok()) << s.status();
    s->Bind(1, action);
    while (*s->Step()) {
      rows.push_back({s->Int(0), s->Text(1), s->Text(2), s->Text(3), s->Text(4), s->Text(5),
                      s->Int(6), s->Int(7), s->Int(8) != 0});
    }
    return rows;
  }
  std::string IndexPath() const { return tmp_.path() + "/disk/index.db"; }

  TempDir tmp_;
  Camsim camsim_;
  std::string config_;
  std::unique_ptr<ChildProcess> run_;
  uint16_t port_ = 0;
  int64_t started_us_ = 0;
};

TEST_F(ApiAuditTest, SegmentFetchesAreOneRowWithTheRealSpanWrittenAtTheStop) {
  WaitForRecording(17);  // segment 1 closed, segment 2 open with a few fragments
  const std::string viewer = Cookie("viewer", kViewerPassword);
  HttpReply pl = Get("/api/cameras/cam0/streams/main/playlist.m3u8?" + Range(), viewer);
  ASSERT_EQ(pl.status, 200) << pl.body;
  // Every byte range of the playlist, as hls.js fetches them: the init segment, then each
  // fragment in turn.
  struct Piece {
    std::string uri;
    uint64_t length, offset;
  };
  std::vector<Piece> pieces;
  const std::regex map_line("#EXT-X-MAP:URI=\"(segments/[0-9]+\\.mp4)\",BYTERANGE=\"([0-9]+)@0\"");
  const std::regex range_line("#EXT-X-BYTERANGE:([0-9]+)@([0-9]+)");
  std::istringstream lines(pl.body);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, map_line)) {
      pieces.push_back({m[1].str(), std::stoull(m[2]), 0});
    } else if (std::regex_search(line, m, range_line)) {
      std::string uri;
      std::getline(lines, uri);
      pieces.push_back({uri, std::stoull(m[1]), std::stoull(m[2])});
    }
  }
  int fragments = 0;
  std::set<std::string> ids;
  for (const Piece& p : pieces) {
    HttpReply part = Get("/api/cameras/cam0/streams/main/" + p.uri, viewer,
                         "bytes=" + std::to_string(p.offset) + "-" +
                             std::to_string(p.offset + p.length - 1));
    ASSERT_EQ(part.status, 206) << p.uri;
    if (p.offset != 0) ++fragments;
    ids.insert(p.uri.substr(9, p.uri.size() - 9 - 4));
  }
  ASSERT_GE(fragments, 3) << pl.body;
  ASSERT_EQ(ids.size(), 2u) << "two segments: " << pl.body;
  EXPECT_TRUE(Rows("recording_view").empty()) << "the run is still going";
  StopRecorder();

  std::vector<AuditRow> rows = Rows("recording_view");
  ASSERT_EQ(rows.size(), 1u) << "adjacent fetches of one user and stream are one row";
  const AuditRow& r = rows[0];
  EXPECT_EQ(r.user, "viewer");
  EXPECT_EQ(r.camera, "cam0");
  EXPECT_EQ(r.remote, "127.0.0.1");
  // The real span: from the first segment's start to the end of the last fragment sent.
  Result<std::unique_ptr<store::Db>> db = store::Db::Open(IndexPath(), true);
  ASSERT_TRUE(db.ok());
  Result<store::Stmt> s = (*db)->Prepare(
      "SELECT seq, start_us, end_us FROM segments WHERE id IN (" + *ids.begin() + ", " +
      *ids.rbegin() + ") ORDER BY seq");
  ASSERT_TRUE(s.ok() && *s->Step());
  const int64_t first_seq = s->Int(0);
  EXPECT_EQ(r.start_us, s->Int(1));
  ASSERT_TRUE(*s->Step());
  EXPECT_GT(r.end_us, s->Int(1)) << "into the second segment";
  EXPECT_LE(r.end_us, s->Int(2));
  EXPECT_NE(r.detail.find("stream=main segments=" + std::to_string(first_seq) + "-" +
                          std::to_string(s->Int(0)) + " fetches=" + std::to_string(fragments) + " "),
            std::string::npos)
      << r.detail << " (init segments show no picture and are not counted)";
}

TEST_F(ApiAuditTest, RefusalsSearchesListsAndAdminReadsAreAudited) {
  WaitForRecording(3);
  const std::string viewer = Cookie("viewer", kViewerPassword);
  const std::string range = Range();
  EXPECT_EQ(Get("/api/cameras/cam1/recordings?" + range, viewer).status, 403);
  Result<std::unique_ptr<WsClient>> ws =
      WsClient::Connect(port_, "/api/cameras/cam1/live", {{"Cookie", viewer}});
  EXPECT_FALSE(ws.ok());
  EXPECT_EQ(Get("/api/events?camera=cam1", viewer).status, 403);
  EXPECT_EQ(Get("/api/cameras/cam0/motion?" + range + "&x=0&y=0&w=0.5&h=1", viewer).status, 200);
  EXPECT_EQ(Get("/api/cameras/cam0/recordings?" + range, viewer).status, 200);
  EXPECT_EQ(Get("/api/events?camera=cam0&" + range, viewer).status, 200);
  const std::string admin = Cookie("admin", kAdminPassword);
  EXPECT_EQ(Get("/api/users", admin).status, 200);
  EXPECT_EQ(Get("/api/audit?limit=10", admin).status, 200);

  std::vector<AuditRow> denied = Rows("denied");
  ASSERT_EQ(denied.size(), 3u);
  for (const AuditRow& d : denied) {
    EXPECT_EQ(d.user, "viewer");
    EXPECT_EQ(d.camera, "cam1");
    EXPECT_FALSE(d.ok);
  }
  EXPECT_EQ(denied[0].start_us, started_us_ - 60'000'000) << "the range asked for";
  EXPECT_NE(denied[0].detail.find("GET /api/cameras/cam1/recordings"), std::string::npos)
      << denied[0].detail;
  EXPECT_NE(denied[1].detail.find("/api/cameras/cam1/live"), std::string::npos) << denied[1].detail;
  EXPECT_NE(denied[2].detail.find("GET /api/events"), std::string::npos) << denied[2].detail;

  std::vector<AuditRow> search = Rows("motion_search");
  ASSERT_EQ(search.size(), 1u);
  EXPECT_EQ(search[0].camera, "cam0");
  EXPECT_EQ(search[0].start_us, started_us_ - 60'000'000);
  EXPECT_NE(search[0].detail.find("x=0 y=0 w=0.5 h=1"), std::string::npos) << search[0].detail;
  ASSERT_EQ(Rows("recordings").size(), 1u);
  EXPECT_EQ(Rows("recordings")[0].camera, "cam0");
  ASSERT_EQ(Rows("events").size(), 1u);
  EXPECT_EQ(Rows("events")[0].camera, "cam0");
  EXPECT_EQ(Rows("user_list").size(), 1u);
  ASSERT_EQ(Rows("audit_read").size(), 1u);
  EXPECT_EQ(Rows("audit_read")[0].user, "admin");
}

TEST_F(ApiAuditTest, ApiTokenUseIsNamedOnTheRows) {
  CommandResult token = Cli(Bin() + " user token viewer --name nightly-script");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(token.output, m, std::regex("([A-Za-z0-9_-]{43})"))) << token.output;
  HttpRequest r;
  r.target = "/api/cameras/cam0/recordings?" + Range();
  r.headers.push_back({"Authorization", "Bearer " + m[1].str()});
  Result<HttpReply> reply = Fetch(port_, r);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 200) << reply->body;
  std::vector<AuditRow> use = Rows("token_use");
  ASSERT_EQ(use.size(), 1u);
  EXPECT_EQ(use[0].user, "viewer");
  EXPECT_NE(use[0].detail.find("token=nightly-script"), std::string::npos) << use[0].detail;
  ASSERT_EQ(Rows("recordings").size(), 1u);
  EXPECT_NE(Rows("recordings")[0].detail.find("token=nightly-script"), std::string::npos);
}

TEST_F(ApiAuditTest, FailedLoginsAreOneSummaryRowPerAddress) {
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Login("admin", "wrong-password-" + std::to_string(i)).status, 401);
  EXPECT_EQ(Login("nobody", "wrong-password").status, 401);
  EXPECT_TRUE(Rows("login").empty()) << "summed up for a minute";
  StopRecorder();
  std::vector<AuditRow> rows = Rows("login");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].ok);
  EXPECT_EQ(rows[0].remote, "127.0.0.1");
  EXPECT_EQ(rows[0].detail.rfind("5 failed logins in ", 0), 0u) << rows[0].detail;
  EXPECT_NE(rows[0].detail.find("admin: wrong password 4; nobody: unknown user 1"), std::string::npos)
      << rows[0].detail;
}

TEST_F(ApiAuditTest, CheckVerifiesTheChainAndNamesAnEditedRow) {
  const std::string admin = Cookie("admin", kAdminPassword);
  EXPECT_EQ(Get("/api/users", admin).status, 200);
  StopRecorder();
  CommandResult ok = Cli(Bin() + " check");
  EXPECT_EQ(ok.code, 0) << ok.output;
  EXPECT_NE(ok.output.find("hash chain intact"), std::string::npos) << ok.output;

  const int64_t edited = Rows("user_list").at(0).id;
  {
    Result<std::unique_ptr<store::Db>> db = store::Db::Open(IndexPath(), /*read_only=*/false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("DROP TRIGGER audit_no_update; UPDATE audit SET user = 'nobody' WHERE id = " +
                            std::to_string(edited))
                    .ok());
  }
  CommandResult broken = Cli(Bin() + " check");
  EXPECT_EQ(broken.code, 1) << broken.output;
  EXPECT_NE(broken.output.find("problem: audit log row " + std::to_string(edited) + " ("),
            std::string::npos)
      << broken.output;
  EXPECT_NE(broken.output.find("(1 broken rows in all)"), std::string::npos) << broken.output;
  EXPECT_NE(broken.output.find("result: PROBLEMS"), std::string::npos) << broken.output;
}

}  // namespace
}  // namespace sightline::testing
