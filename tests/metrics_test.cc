// Acceptance for the Prometheus metrics (issue 14, deliverable 2), against the real tools:
// `sightline run` recording camsim's footage serves GET /metrics; Debian's promtool checks the
// scrape (`promtool check metrics`) and the shipped alerting rules (`promtool check rules`,
// `promtool test rules`); a real `prometheus` server scrapes the recorder with the bearer token
// and its HTTP API shows sightline_camera_up == 1 for every camera. docs/ref/metrics.md lists
// exactly the families of a real scrape, with their types; the Grafana dashboard and the alerts
// name only documented metrics (checked without a recorder, so also without the footage).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "record_harness.h"
#include "support/http_client.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kToken = "metrics-test-token-0123456789";
const std::string kDocs = std::string(SIGHTLINE_SOURCE_DIR) + "/docs";
// The streams the config below has: cam0's main and sub, cam1's main.
const std::set<std::pair<std::string, std::string>> kStreams = {
    {"cam0", "main"}, {"cam0", "sub"}, {"cam1", "main"}};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A TCP port nothing listens on now (the kernel's choice for port 0).
uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

// The families of a scrape: name -> TYPE.
std::map<std::string, std::string> Families(const std::string& text) {
  std::map<std::string, std::string> out;
  static const std::regex kType(R"(^# TYPE (\S+) (\S+)$)");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, kType)) out[m[1]] = m[2];
  }
  return out;
}

// The sightline_* names an expression or a document mentions, with a histogram's
// _bucket/_sum/_count suffix taken off when `families` has the histogram.
std::set<std::string> NamesIn(const std::string& text, const std::map<std::string, std::string>& families) {
  std::set<std::string> out;
  static const std::regex kName(R"(\bsightline_[a-z0-9_]*[a-z0-9])");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kName); it != std::sregex_iterator(); ++it) {
    std::string name = it->str();
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string base = name.substr(0, name.size() - std::string(suffix).size());
      if (name.ends_with(suffix) && families.count(base) && families.at(base) == "histogram") name = base;
    }
    out.insert(name);
  }
  return out;
}

// The families docs/ref/metrics.md documents: name -> type, from each "### `name`" heading and
// the first word of the line after it ("counter, labels ...").
std::map<std::string, std::string> DocumentedFamilies() {
  std::map<std::string, std::string> out;
  static const std::regex kHeading(R"(^### `(sightline_[a-z0-9_]+)`$)");
  static const std::regex kType(R"(^(counter|gauge|histogram)\b)");
  std::istringstream ref(ReadFile(kDocs + "/ref/metrics.md"));
  std::string pending;
  for (std::string line; std::getline(ref, line);) {
    std::smatch m;
    if (std::regex_match(line, m, kHeading)) {
      pending = m[1];
    } else if (!pending.empty()) {
      out[pending] = std::regex_search(line, m, kType) ? m[1].str() : "no type on the line after the heading";
      pending.clear();
    }
  }
  return out;
}

// Camsim with two cameras; cam0 recorded (main) with a detect substream, cam1 recorded;
// metrics on with a token. CTest runs each test in its own process, with its own recorder.
std::string MetricsConfig(const std::string& dir, const std::string& camsim_port) {
  const std::string url = "rtsp://127.0.0.1:" + camsim_port + "/";
  return "storage:\n  dirs: [" + dir + "/disk]\n" + "http:\n  listen: 127.0.0.1:0\n" +
         "metrics:\n  enabled: true\n  token: " + kToken + "\n" +
         "cameras:\n"
         "  cam0:\n    streams:\n"
         "      main: {url: " +
         url +
         "cam0, roles: [record, live]}\n"
         "      sub: {url: " +
         url +
         "cam0, roles: [detect]}\n"
         "  cam1:\n    streams:\n"
         "      main: {url: " +
         url + "cam1, roles: [record]}\n";
}

class MetricsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::optional<std::string> media = SharedMediaFile(kPets360H264);
    if (!media) return;
    Result<std::unique_ptr<RecorderUnderTest>> r =
        StartRecorder({"name=cam{0..1},file=" + *media}, MetricsConfig);
    ASSERT_TRUE(r.ok()) << r.status();
    recorder_ = r->release();
    port_ = recorder_->http_port;
  }

  static void TearDownTestSuite() {
    delete recorder_;
    recorder_ = nullptr;
  }

  void SetUp() override {
    if (!SharedMediaFile(kPets360H264)) GTEST_SKIP() << kNoSharedMediaMessage;
    ASSERT_NE(recorder_, nullptr) << "sightline run did not start";
  }

  static std::string Dir() { return recorder_->tmp.path(); }

  static HttpReply Scrape(const std::string& authorization) {
    HttpRequest r;
    r.target = "/metrics";
    if (!authorization.empty()) r.headers.push_back({"Authorization", authorization});
    Result<HttpReply> reply = Fetch(port_, r, 10s);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? *reply : HttpReply{};
  }

  static bool AllUp(const std::string& body) {
    for (const auto& [camera, stream] : kStreams) {
      if (body.find("sightline_camera_up{camera=\"" + camera + "\",stream=\"" + stream + "\"} 1\n") ==
          std::string::npos) {
        return false;
      }
    }
    return true;
  }

  // Scrapes until `ready` holds for the scrape (bounded: 30 s) and returns the last one.
  static std::string ScrapeUntil(const std::function<bool(const std::string&)>& ready, const char* what) {
    std::string body;
    for (auto until = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < until;) {
      body = Scrape(std::string("Bearer ") + kToken).body;
      if (ready(body)) return body;
      std::this_thread::sleep_for(200ms);
    }
    ADD_FAILURE() << "not " << what << " within 30 s; last scrape:\n" << body;
    return body;
  }

  static std::string ScrapeWhenAllUp() { return ScrapeUntil(AllUp, "every stream up"); }

  static RecorderUnderTest* recorder_;
  static uint16_t port_;
};

RecorderUnderTest* MetricsTest::recorder_ = nullptr;
uint16_t MetricsTest::port_ = 0;

TEST_F(MetricsTest, ScrapesNeedTheToken) {
  HttpReply none = Scrape("");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.body.find("sightline_camera_up"), std::string::npos);
  EXPECT_EQ(Scrape("Bearer wrong-token-0123456789").status, 401);
  HttpReply ok = Scrape(std::string("Bearer ") + kToken);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
}

TEST_F(MetricsTest, ScrapePassesPromtoolAndCountsTheRealSources) {
  // A request to a parameterised route, to see it counted by its pattern.
  HttpRequest cams;
  cams.target = "/api/cameras/cam0";
  ASSERT_TRUE(Fetch(port_, cams).ok());
  const std::string body = ScrapeUntil(
      [](const std::string& b) {
        return AllUp(b) && b.find("sightline_index_commit_seconds_count 0\n") == std::string::npos &&
               b.find("sightline_recorder_bytes_written_total{camera=\"cam0\",stream=\"main\"} 0\n") ==
                   std::string::npos;
      },
      "every stream up, recorded and committed");
  const std::string file = Dir() + "/scrape.txt";
  std::ofstream(file) << body;
  const CommandResult check = Shell("promtool check metrics < " + Quote(file));
  EXPECT_EQ(check.code, 0) << check.output << "\n" << body;
  EXPECT_EQ(check.output, "");

  const std::map<std::string, std::string> families = Families(body);
  EXPECT_EQ(families.at("sightline_index_commit_seconds"), "histogram");
  EXPECT_NE(body.find("sightline_index_commit_seconds_bucket{le=\"+Inf\"} "), std::string::npos);
  EXPECT_EQ(body.find("sightline_index_commit_seconds_count 0\n"), std::string::npos) << "commits were timed";
  EXPECT_NE(body.find("sightline_build_info{version=\"0.1\"} 1\n"), std::string::npos);
  // Counted by the route pattern, never by the raw path (503 until a user exists).
  static const std::regex kCameraRoute(
      R"re(sightline_http_requests_total\{route="/api/cameras/\{camera\}",code="(401|503)"\} 1\n)re");
  EXPECT_TRUE(std::regex_search(body, kCameraRoute)) << body;
  EXPECT_EQ(body.find("route=\"/api/cameras/cam0\""), std::string::npos);
  EXPECT_NE(body.find("sightline_storage_free_bytes{dir=\"" + Dir() + "/disk\"} "), std::string::npos);
  EXPECT_NE(body.find("sightline_analysis_gops_skipped_total{camera=\"cam0\",stream=\"sub\"} "),
            std::string::npos);
  EXPECT_NE(body.find("sightline_audit_rows_total "), std::string::npos);
  static const std::regex kFrames(
      R"re(sightline_camera_frames_total\{camera="cam1",stream="main"\} (\d+))re");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(body, m, kFrames)) << body;
  EXPECT_GT(std::stoll(m[1]), 10) << "camsim sends 10 fps";
  static const std::regex kWritten(
      R"re(sightline_recorder_bytes_written_total\{camera="cam0",stream="main"\} (\d+))re");
  ASSERT_TRUE(std::regex_search(body, m, kWritten)) << body;
  EXPECT_GT(std::stoll(m[1]), 0);
}

// docs/ref/metrics.md documents exactly the families of a real scrape, with their types.
TEST_F(MetricsTest, TheReferenceListsExactlyTheScrapedFamilies) {
  EXPECT_EQ(DocumentedFamilies(), Families(ScrapeWhenAllUp()));
}

// Without a running recorder: the dashboard is valid JSON and it and the alerts name only
// documented metrics (which the test above holds to a real scrape).
TEST(MetricsDocsTest, DashboardAndAlertsNameOnlyDocumentedMetrics) {
  const std::map<std::string, std::string> documented = DocumentedFamilies();
  ASSERT_GE(documented.size(), 20u);
  const nlohmann::json dashboard = nlohmann::json::parse(ReadFile(kDocs + "/ops/grafana-dashboard.json"),
                                                         nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(dashboard.is_discarded()) << "docs/ops/grafana-dashboard.json is not valid JSON";
  ASSERT_TRUE(dashboard.contains("panels"));
  int exprs = 0;
  for (const nlohmann::json& panel : dashboard["panels"]) {
    const std::string title = panel.value("title", "(no title)");
    EXPECT_FALSE(panel.value("targets", nlohmann::json::array()).empty()) << title;
    for (const nlohmann::json& target : panel.value("targets", nlohmann::json::array())) {
      const std::string expr = target.value("expr", "");
      ++exprs;
      const std::set<std::string> names = NamesIn(expr, documented);
      EXPECT_FALSE(names.empty()) << title << ": " << expr;
      for (const std::string& n : names) EXPECT_TRUE(documented.count(n)) << title << ": " << n;
    }
  }
  EXPECT_GE(exprs, 8);
  const std::set<std::string> in_alerts = NamesIn(ReadFile(kDocs + "/ops/alerts.yml"), documented);
  EXPECT_GE(in_alerts.size(), 5u);
  for (const std::string& n : in_alerts) EXPECT_TRUE(documented.count(n)) << "docs/ops/alerts.yml: " << n;
}

TEST(MetricsRulesTest, AlertsPassPromtoolAndFireWhenTheyShould) {
  const CommandResult check = Shell("promtool check rules " + Quote(kDocs + "/ops/alerts.yml"));
  EXPECT_EQ(check.code, 0) << check.output;
  EXPECT_NE(check.output.find("SUCCESS"), std::string::npos) << check.output;
  // The rules' own unit tests: each alert fires on a made-up series and stays quiet otherwise.
  const CommandResult test = Shell("cd " + Quote(kDocs + "/ops") + " && promtool test rules alerts_test.yml");
  EXPECT_EQ(test.code, 0) << test.output;
  EXPECT_NE(test.output.find("SUCCESS"), std::string::npos) << test.output;
}

// A real Prometheus server in `dir` on a free port, scraping `target_port` every second with
// the bearer token. Its log goes to dir/log, for failure messages.
struct Prometheus {
  std::unique_ptr<ChildProcess> process;
  uint16_t port = 0;
  std::string log;

  static Result<Prometheus> Start(const std::string& dir, uint16_t target_port) {
    if (::mkdir(dir.c_str(), 0755) != 0) return ErrnoError("mkdir " + dir, errno);
    std::ofstream(dir + "/prometheus.yml")
        << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        << "scrape_configs:\n"
        << "  - job_name: sightline\n"
        << "    authorization: {type: Bearer, credentials: " << kToken << "}\n"
        << "    static_configs: [{targets: ['127.0.0.1:" << target_port << "']}]\n";
    Prometheus p;
    p.port = FreePort();
    p.log = dir + "/log";
    if (p.port == 0) return InternalError("no free port for prometheus");
    ASSIGN_OR_RETURN(p.process,
                     ChildProcess::Start(
                         "/bin/sh", {"-c", "exec prometheus --config.file=" + Quote(dir + "/prometheus.yml") +
                                               " --storage.tsdb.path=" + Quote(dir + "/data") +
                                               " --web.listen-address=127.0.0.1:" + std::to_string(p.port) +
                                               " 2>" + Quote(p.log)}));
    return p;
  }

  // The answer of /api/v1/query for `promql` (URL-encoded), or null when there is none (yet).
  nlohmann::json Query(const std::string& promql) const {
    HttpRequest r;
    r.target = "/api/v1/query?query=" + promql;
    Result<HttpReply> reply = Fetch(port, r, 5s);
    if (!reply.ok() || reply->status != 200) return nullptr;
    return nlohmann::json::parse(reply->body, nullptr, false);
  }

  // How many times it has scraped sightline in the last minute: count_over_time(up[1m])
  // counts one sample per scrape. Waits (bounded: 60 s) until that is at least `n`.
  int WaitForScrapes(int n) const {
    int scrapes = 0;
    for (auto until = std::chrono::steady_clock::now() + 60s; std::chrono::steady_clock::now() < until;) {
      const nlohmann::json count = Query("count_over_time(up%7Bjob%3D%22sightline%22%7D%5B1m%5D)");
      if (count.is_object() && !count["data"]["result"].empty()) {
        scrapes = std::stoi(count["data"]["result"][0]["value"][1].get<std::string>());
      }
      if (scrapes >= n) break;
      std::this_thread::sleep_for(250ms);
    }
    return scrapes;
  }

  // Stops it as its service manager would (SIGTERM), within 20 s.
  Status Stop() {
    RETURN_IF_ERROR(process->Signal(SIGTERM));
    return process->Wait(20'000).status();
  }
};

// A real Prometheus scrapes the recorder with the bearer token; its query API shows every
// stream up after two scrapes.
TEST_F(MetricsTest, PrometheusScrapesWithTheTokenAndSeesEveryCameraUp) {
  ScrapeWhenAllUp();
  Result<Prometheus> prometheus = Prometheus::Start(Dir() + "/prometheus", port_);
  ASSERT_TRUE(prometheus.ok()) << prometheus.status();
  ASSERT_GE(prometheus->WaitForScrapes(2), 2) << "Prometheus did not scrape twice in 60 s:\n"
                                              << ReadFile(prometheus->log);
  const nlohmann::json target_up = prometheus->Query("up");
  ASSERT_TRUE(target_up.is_object());
  ASSERT_EQ(target_up["data"]["result"].size(), 1u) << target_up.dump();
  EXPECT_EQ(target_up["data"]["result"][0]["value"][1], "1") << "the scrape was refused or failed";

  const nlohmann::json up = prometheus->Query("sightline_camera_up");
  ASSERT_TRUE(up.is_object());
  EXPECT_EQ(up["status"], "success") << up.dump();
  std::set<std::pair<std::string, std::string>> seen;
  for (const nlohmann::json& series : up["data"]["result"]) {
    const std::string camera = series["metric"]["camera"], stream = series["metric"]["stream"];
    EXPECT_EQ(series["value"][1], "1") << camera << "/" << stream;
    seen.insert({camera, stream});
  }
  EXPECT_EQ(seen, kStreams) << up.dump();
  EXPECT_TRUE(prometheus->Stop().ok());
}

}  // namespace
}  // namespace sightline::testing
