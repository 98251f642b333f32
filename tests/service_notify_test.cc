// `sightline run` under a service manager (issue 14, deliverable 4): the test plays systemd's
// part of the notify protocol (sd_notify(3)). It binds the AF_UNIX datagram socket that
// NOTIFY_SOCKET names, starts the real binary with it, and reads what arrives: READY=1 once
// the daemon serves, WATCHDOG=1 every second while its event loop runs (only when
// WATCHDOG_USEC asks for it and WATCHDOG_PID, if set, is the daemon), and STOPPING=1 after
// SIGINT. The camera is a port nobody listens on: an offline camera must not hold back READY.

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "record_harness.h"
#include "support/free_port.h"

namespace sightline::testing {
namespace {

using Clock = std::chrono::steady_clock;

// The manager's end: an AF_UNIX datagram socket bound at `path`, closed with the object.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd_ < 0 || path.size() >= sizeof addr.sun_path) return;
    path.copy(addr.sun_path, path.size());
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  bool bound() const { return bound_; }
  const std::string& path() const { return path_; }

  // The next datagram, or DeadlineExceeded after `timeout_ms`.
  Result<std::string> Receive(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    const int n = ::poll(&p, 1, timeout_ms);
    if (n < 0) return ErrnoError("poll", errno);
    if (n == 0) return DeadlineExceededError("no notification");
    char buf[4096];
    const ssize_t size = ::recv(fd_, buf, sizeof buf, 0);
    if (size < 0) return ErrnoError("recv", errno);
    return std::string(buf, static_cast<size_t>(size));
  }

  // Every datagram until `duration` has passed.
  std::vector<std::string> ReceiveFor(std::chrono::milliseconds duration) {
    std::vector<std::string> out;
    const Clock::time_point end = Clock::now() + duration;
    for (auto left = duration; left.count() > 0;
         left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now())) {
      Result<std::string> m = Receive(static_cast<int>(left.count()));
      if (m.ok()) out.push_back(*m);
    }
    return out;
  }

  // Datagrams until one has the line `line`; false after `timeout_ms` without one.
  bool WaitFor(std::string_view line, int timeout_ms, std::string* message = nullptr) {
    const Clock::time_point end = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (Clock::now() < end) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
      Result<std::string> m = Receive(static_cast<int>(left.count()) + 1);
      if (!m.ok()) return false;
      if (HasLine(*m, line)) {
        if (message != nullptr) *message = *m;
        return true;
      }
    }
    return false;
  }

  static bool HasLine(const std::string& message, std::string_view line) {
    size_t start = 0;
    while (start <= message.size()) {
      const size_t end = std::min(message.find('\n', start), message.size());
      if (std::string_view(message).substr(start, end - start) == line) return true;
      start = end + 1;
    }
    return false;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

int CountLine(const std::vector<std::string>& messages, std::string_view line) {
  int n = 0;
  for (const std::string& m : messages) n += NotifySocket::HasLine(m, line) ? 1 : 0;
  return n;
}

class ServiceNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteRecordConfig(dir_ + "/sightline.yaml", "  dirs: [" + dir_ + "/disk]\n",
                      std::to_string(FreePort()), {"cam0"});
    ASSERT_EQ(::mkdir((dir_ + "/disk").c_str(), 0755), 0);
    ASSERT_TRUE(socket_.bound()) << socket_.path();
  }

  // `sightline run` through env(1), which execs it in place (same pid) with `environment`
  // ("NAME=value") added and WATCHDOG_PID removed, as systemd starts a Type=notify service.
  std::unique_ptr<ChildProcess> StartRun(const std::vector<std::string>& environment) {
    std::vector<std::string> args = {"-u", "WATCHDOG_PID", "NOTIFY_SOCKET=" + socket_.path()};
    args.insert(args.end(), environment.begin(), environment.end());
    args.insert(args.end(), {SIGHTLINE_BINARY, "run", "--config", dir_ + "/sightline.yaml", "--log-level", "warning"});
    Result<std::unique_ptr<ChildProcess>> run = ChildProcess::Start("/usr/bin/env", args);
    EXPECT_TRUE(run.ok()) << run.status();
    if (!run.ok()) return nullptr;
    Result<std::string> serving = (*run)->WaitForLinePrefix("http: serving ", 20'000);
    EXPECT_TRUE(serving.ok()) << serving.status();
    return std::move(*run);
  }

  TempDir tmp_;
  const std::string dir_ = tmp_.path();
  NotifySocket socket_{dir_ + "/notify.sock"};
};

TEST_F(ServiceNotifyTest, ReadyThenWatchdogPingsThenStopping) {
  std::unique_ptr<ChildProcess> run = StartRun({"WATCHDOG_USEC=2000000"});
  ASSERT_NE(run, nullptr);
  std::string ready;
  ASSERT_TRUE(socket_.WaitFor("READY=1", 10'000, &ready));
  EXPECT_NE(ready.find("STATUS=1 streams, serving http://127.0.0.1:"), std::string::npos) << ready;

  // Pings once a second from the supervise timer, well within the 2 s systemd would allow.
  const std::vector<std::string> later = socket_.ReceiveFor(std::chrono::seconds(5));
  EXPECT_GE(CountLine(later, "WATCHDOG=1"), 2);
  EXPECT_EQ(CountLine(later, "READY=1"), 0);
  EXPECT_EQ(CountLine(later, "STOPPING=1"), 0);

  ASSERT_TRUE(run->Signal(SIGINT).ok());
  EXPECT_TRUE(socket_.WaitFor("STOPPING=1", 10'000));
  Result<int> code = run->Wait(20'000);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
}

// Without WatchdogSec= (no WATCHDOG_USEC), or when WATCHDOG_PID names another process (the
// variables were inherited from a parent), the daemon must not ping: the pings would be
// another process's, or unwanted.
TEST_F(ServiceNotifyTest, NoWatchdogPingsUnlessAskedForThisProcess) {
  for (const std::vector<std::string>& environment :
       {std::vector<std::string>{}, std::vector<std::string>{"WATCHDOG_USEC=2000000", "WATCHDOG_PID=1"}}) {
    std::unique_ptr<ChildProcess> run = StartRun(environment);
    ASSERT_NE(run, nullptr);
    ASSERT_TRUE(socket_.WaitFor("READY=1", 10'000));
    EXPECT_EQ(CountLine(socket_.ReceiveFor(std::chrono::milliseconds(3500)), "WATCHDOG=1"), 0)
        << (environment.empty() ? "no WATCHDOG_USEC" : "WATCHDOG_PID=1");
    ASSERT_TRUE(run->Signal(SIGINT).ok());
    EXPECT_TRUE(socket_.WaitFor("STOPPING=1", 10'000));
    Result<int> code = run->Wait(20'000);
    EXPECT_TRUE(code.ok() && *code == 0);
  }
}

}  // namespace
}  // namespace sightline::testing
