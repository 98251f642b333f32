// Exports through the API against `sightline run` (docs/ref/api.md "Recordings and playback";
// security review M2, L1, L9): a POST streams the same bytes `sightline export` writes and leaves
// nothing on disk; one export per user and `http.max_exports` overall (429 beyond); GET and HEAD
// on the old URL do nothing. The camera records 1080p at 4 Mbit/s, so that an export of some
// seconds outgrows the sockets' buffers and stays running while a client does not read it.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "record_harness.h"
#include "store/export.h"
#include "support/http_client.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view k1080p4M = "pets2009_s2l1_1080p10_4M.h264.mp4";
constexpr const char* kPassword = "export-password-1";

int64_t NowUs() { return UnixMicros(std::chrono::system_clock::now()); }

// A client that sends an export and then reads only the response's head: with a tiny receive
// buffer the server's writes stall, so the export keeps running until Close().
class StalledClient {
 public:
  ~StalledClient() { Close(); }
  // Returns the status line.
  Result<std::string> Start(uint16_t port, const std::string& request) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int small = 4096;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    timeval tv{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      return InternalError("connect failed");
    }
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
      return InternalError("send failed");
    }
    std::string head;
    char c;
    while (!head.ends_with("\r\n\r\n")) {
      if (::recv(fd_, &c, 1, 0) != 1) return InternalError("no response head: " + head);
      head += c;
    }
    return head.substr(0, head.find("\r\n"));
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

class ExportApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::optional<std::string> media = SharedMediaFile(k1080p4M);
    if (!media) return;
    tmp_ = new TempDir();
    const std::string dir = tmp_->path();
    Result<Camsim> camsim = StartCamsim({"name=cam0,file=" + *media});
    ASSERT_TRUE(camsim.ok()) << camsim.status();
    camsim_ = new Camsim(std::move(*camsim));
    config_ = dir + "/sightline.yaml";
    {
      std::ofstream cfg(config_);
      cfg << "storage:\n  dirs: [" << dir << "/disk]\n  segment_duration: 10s\n"
          << "http:\n  listen: 127.0.0.1:0\n  max_exports: 2\n"
          << "cameras:\n  cam0:\n    streams:\n      main: {url: rtsp://127.0.0.1:" << camsim_->port
          << "/cam0, roles: [record]}\n";
    }
    const std::string bin = Quote(SIGHTLINE_BINARY), conf = " --config " + Quote(config_);
    ASSERT_EQ(Shell("mkdir -p " + Quote(dir + "/disk")).code, 0);
    for (const char* user : {"admin", "op1", "op2"}) {
      const std::string role = std::string(user) == "admin" ? "admin" : "operator";
      CommandResult add = Shell("printf '%s\\n' " + std::string(kPassword) + " | " + bin + " user add " + user +
                                " --role " + role + " --password-stdin" + conf);
      ASSERT_EQ(add.code, 0) << add.output;
      if (role == "operator") {
        add = Shell(bin + " user grant " + user + " --camera cam0" + conf);
        ASSERT_EQ(add.code, 0) << add.output;
      }
    }
    started_us_ = NowUs();
    Result<SightlineRun> run = StartSightlineRun(config_);
    ASSERT_TRUE(run.ok()) << run.status();
    run_ = run->process.release();
    port_ = run->http_port;
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
    if (tmp_ == nullptr) GTEST_SKIP() << "needs ../shared/media (" << k1080p4M << ")";
  }

  static void WaitForRecording(int seconds) {
    const int64_t until = started_us_ + seconds * 1'000'000LL;
    while (NowUs() < until) std::this_thread::sleep_for(100ms);
  }

  static HttpReply Send(const std::string& method, const std::string& target, const std::string& cookie,
                        const std::string& json = "") {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = json;
    if (!json.empty()) r.headers.push_back({"Content-Type", "application/json"});
    if (!cookie.empty()) r.headers.push_back({"Cookie", cookie});
    Result<HttpReply> reply = Fetch(port_, r);
    EXPECT_TRUE(reply.ok()) << target << ": " << reply.status();
    return reply.ok() ? *reply : HttpReply{};
  }

  static std::string Login(const std::string& user) {
    HttpReply r = Send("POST", "/api/login", "", R"({"username":")" + user + R"(","password":")" + kPassword + "\"}");
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string set = r.Header("Set-Cookie");
    return set.substr(0, set.find(';'));
  }

  static std::string Range(int64_t start_us, int64_t end_us) {
    return R"({"stream":"main","start_us":)" + std::to_string(start_us) + R"(,"end_us":)" +
           std::to_string(end_us) + "}";
  }

  static std::string RawExport(const std::string& cookie, const std::string& json) {
    return "POST /api/cameras/cam0/export HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(json.size()) +
           "\r\n\r\n" + json;
  }

  // Every file in the test directory except the recordings themselves (segment files of
  // cam0) and the index's own files: what an export could leave behind.
  static std::set<std::string> FilesBesideTheRecordings() {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(tmp_->path())) {
      const std::string rel = std::filesystem::relative(e.path(), tmp_->path()).string();
      if (rel.starts_with("disk/cam0") || rel.starts_with("disk/index.db")) continue;
      out.insert(rel + (e.is_directory() ? "/" : ""));
    }
    return out;
  }

  static int AuditedExports(const std::string& admin) {
    HttpReply audit = Send("GET", "/api/audit?action=export&limit=1000", admin);
    EXPECT_EQ(audit.status, 200) << audit.body;
    int n = 0;
    for (size_t at = 0; (at = audit.body.find("\"action\":\"export\"", at)) != std::string::npos; ++at) ++n;
    return n;
  }

  static TempDir* tmp_;
  static Camsim* camsim_;
  static ChildProcess* run_;
  static std::string config_;
  static uint16_t port_;
  static int64_t started_us_;
};

TempDir* ExportApiTest::tmp_ = nullptr;
Camsim* ExportApiTest::camsim_ = nullptr;
ChildProcess* ExportApiTest::run_ = nullptr;
std::string ExportApiTest::config_;
uint16_t ExportApiTest::port_ = 0;
int64_t ExportApiTest::started_us_ = 0;

TEST_F(ExportApiTest, AnExportStreamsTheBytesOfSightlineExportAndLeavesNoFile) {
  WaitForRecording(10);
  const std::string op = Login("op1");
  const std::set<std::string> before = FilesBesideTheRecordings();
  // Whole seconds: the command line takes times to the millisecond.
  const int64_t end = (NowUs() - 3'000'000) / 1'000'000 * 1'000'000, start = end - 5'000'000;
  HttpReply r = Send("POST", "/api/cameras/cam0/export", op, Range(start, end));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "video/mp4");
  EXPECT_EQ(r.Header("Content-Length"), std::to_string(r.body.size()));
  EXPECT_NE(r.Header("Content-Disposition").find("attachment; filename=\"cam0-main-"), std::string::npos)
      << r.Header("Content-Disposition");
  EXPECT_EQ(FilesBesideTheRecordings(), before);

  // The command line's file of the same range, beside the running recorder.
  const std::string clip = tmp_->path() + "/cli.mp4";
  CommandResult cli = Shell(Quote(SIGHTLINE_BINARY) + " export --config " + Quote(config_) +
                            " --camera cam0 --stream main --start " + store::FormatIso8601(start) +
                            " --end " + store::FormatIso8601(end) + " -o " + Quote(clip));
  ASSERT_EQ(cli.code, 0) << cli.output;
  std::ifstream in(clip, std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(file.size(), r.body.size());
  EXPECT_TRUE(file == r.body) << "the API's export differs from sightline export's";
}

TEST_F(ExportApiTest, OneExportPerUserAndTwoOverallGet429Beyond) {
  WaitForRecording(20);
  const std::string op1 = Login("op1"), op2 = Login("op2"), admin = Login("admin");
  // 16 s at 4 Mbit/s: 8 MB, more than the sockets hold while the client does not read.
  const int64_t end = NowUs() - 2'000'000, start = end - 16'000'000;
  StalledClient first;
  Result<std::string> head = first.Start(port_, RawExport(op1, Range(start, end)));
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(*head, "HTTP/1.1 200 OK");

  HttpReply again = Send("POST", "/api/cameras/cam0/export", op1, Range(start, end));
  EXPECT_EQ(again.status, 429) << again.body;
  EXPECT_FALSE(again.Header("Retry-After").empty());
  EXPECT_NE(again.body.find("You have an export running"), std::string::npos) << again.body;

  StalledClient second;
  head = second.Start(port_, RawExport(op2, Range(start, end)));
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(*head, "HTTP/1.1 200 OK");
  HttpReply third = Send("POST", "/api/cameras/cam0/export", admin, Range(start, end));
  EXPECT_EQ(third.status, 429) << third.body;
  EXPECT_NE(third.body.find("busy with 2 exports"), std::string::npos) << third.body;

  // A client that goes away frees its place: the next write fails at once.
  first.Close();
  second.Close();
  HttpReply after;
  for (int i = 0; i < 100; ++i) {
    after = Send("POST", "/api/cameras/cam0/export", op1, Range(end - 2'000'000, end));
    if (after.status != 429) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(after.status, 200) << after.body;
}

TEST_F(ExportApiTest, GetAndHeadOnTheExportUrlsDoNothing) {
  WaitForRecording(6);
  const std::string admin = Login("admin");
  const std::set<std::string> before = FilesBesideTheRecordings();
  const int audited = AuditedExports(admin);
  const std::string query = "?stream=main&start_us=" + std::to_string(NowUs() - 5'000'000) +
                            "&end_us=" + std::to_string(NowUs() - 1'000'000);
  HttpReply get = Send("GET", "/api/cameras/cam0/export.mp4" + query, admin);
  EXPECT_EQ(get.status, 405) << get.body;
  EXPECT_NE(get.body.find("POST /api/cameras/{camera}/export"), std::string::npos) << get.body;
  HttpReply get_new = Send("GET", "/api/cameras/cam0/export" + query, admin);
  EXPECT_EQ(get_new.status, 405) << get_new.body;
  EXPECT_EQ(get_new.Header("Allow"), "POST");
  for (const char* path : {"/api/cameras/cam0/export.mp4", "/api/cameras/cam0/export"}) {
    Result<std::string> head = FetchRaw(port_, "HEAD " + std::string(path) + query +
                                                   " HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + admin +
                                                   "\r\nConnection: close\r\n\r\n");
    ASSERT_TRUE(head.ok()) << head.status();
    EXPECT_TRUE(head->starts_with("HTTP/1.1 405")) << *head;
  }
  EXPECT_EQ(AuditedExports(admin), audited);
  EXPECT_EQ(FilesBesideTheRecordings(), before);
}

}  // namespace
}  // namespace sightline::testing
