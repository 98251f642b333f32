#include "support/child_process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>

namespace sightline::testing {
namespace {

TEST(ChildProcessTest, ReadsLinesThenEof) {
  Result<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start("/bin/sh", {"-c", "echo one; echo two; printf three"});
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ((*child)->ReadLine(5000).value_or("?"), "one");
  EXPECT_EQ((*child)->ReadLine(5000).value_or("?"), "two");
  EXPECT_EQ((*child)->ReadLine(5000).value_or("?"), "three");
  EXPECT_EQ((*child)->ReadLine(5000).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ((*child)->Wait(5000).value_or(-1), 0);
}

TEST(ChildProcessTest, ReadLineTimesOut) {
  Result<std::unique_ptr<ChildProcess>> child = ChildProcess::Start("sleep", {"30"});
  ASSERT_TRUE(child.ok()) << child.status();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ((*child)->ReadLine(100).status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ChildProcessTest, DestructorKillsAndReaps) {
  pid_t pid = 0;
  {
    Result<std::unique_ptr<ChildProcess>> child = ChildProcess::Start("sleep", {"30"});
    ASSERT_TRUE(child.ok()) << child.status();
    pid = (*child)->pid();
    ASSERT_EQ(kill(pid, 0), 0);
  }
  // Reaped: the pid no longer names a child of ours (not even a zombie).
  EXPECT_NE(kill(pid, 0), 0);
}

TEST(ChildProcessTest, WaitReportsSignal) {
  Result<std::unique_ptr<ChildProcess>> child = ChildProcess::Start("sleep", {"30"});
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE((*child)->Signal(SIGTERM).ok());
  EXPECT_EQ((*child)->Wait(5000).value_or(-1), 128 + SIGTERM);
  EXPECT_EQ((*child)->Signal(SIGTERM).code(), StatusCode::kFailedPrecondition);
}

TEST(ChildProcessTest, MissingProgramFailsToStart) {
  EXPECT_FALSE(ChildProcess::Start("/nonexistent/program", {}).ok());
}

TEST(StartListeningServerTest, ParsesPort) {
  Result<ListeningServer> server = StartListeningServer(
      "/bin/sh", {"-c", "echo starting; echo listening on 45678; exec sleep 30"}, 5000);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(server->port, 45678);
}

TEST(StartListeningServerTest, FailsWhenServerExitsWithoutListening) {
  Result<ListeningServer> server =
      StartListeningServer("/bin/sh", {"-c", "echo cannot bind; exit 1"}, 5000);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kOutOfRange);
  EXPECT_FALSE(StartListeningServer("/bin/sh", {"-c", "echo listening on x"}, 5000).ok());
}

}  // namespace
}  // namespace sightline::testing
