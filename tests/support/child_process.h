#pragma once
// ChildProcess: a program a test starts (an RTSP server, the camera simulator), whose stdout
// the test reads line by line and which is killed and reaped when the object goes away, so a
// failing test leaves no server behind. The child's stderr goes to the test's stderr.
// Not thread-safe: one thread uses an object at a time.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sightline::testing {

class ChildProcess {
  struct Key {
    explicit Key() = default;
  };

 public:
  // Starts `program` (a path, or a name looked up in $PATH) with `args` (not including
  // argv[0]), its stdout connected to a pipe this object reads.
  static Result<std::unique_ptr<ChildProcess>> Start(const std::string& program,
                                                     const std::vector<std::string>& args);

  ChildProcess(Key, pid_t pid, int stdout_fd);  // for Start only: Key is private

  // Sends SIGKILL if still running, then reaps the child.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // The next line of stdout without its '\n'. DeadlineExceeded when none is complete within
  // `timeout_ms`; OutOfRange when stdout closed first (a partial last line is returned first).
  Result<std::string> ReadLine(int timeout_ms);

  // Reads lines until one starts with `prefix` and returns the rest of that line. Lines before
  // it are discarded. Errors as ReadLine, with the deadline covering the whole wait.
  Result<std::string> WaitForLinePrefix(std::string_view prefix, int timeout_ms);

  // Sends `signal` to the child. FailedPrecondition once it has been reaped.
  Status Signal(int signal);

  // Waits up to `timeout_ms` for the child to exit and reaps it. Returns its exit code, or
  // 128 + the signal number that ended it (as a shell reports it).
  Result<int> Wait(int timeout_ms);

 private:
  pid_t pid_;
  int stdout_fd_;
  bool reaped_ = false;
  int exit_code_ = 0;
  std::string buffer_;  // bytes read past the last returned line
  bool eof_ = false;
};

// A server that prints "listening on PORT" once ready (gst_rtsp_server, the camera simulator).
struct ListeningServer {
  std::unique_ptr<ChildProcess> process;
  uint16_t port = 0;
};

// Starts `program` and waits up to `timeout_ms` for its "listening on PORT" line.
Result<ListeningServer> StartListeningServer(const std::string& program,
                                             const std::vector<std::string>& args,
                                             int timeout_ms = 10000);

}  // namespace sightline::testing
