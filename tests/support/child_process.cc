#include "support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <thread>
#include <utility>

extern char** environ;

namespace sightline::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;

int MillisLeft(SteadyClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// Owns a posix_spawn_file_actions_t for the duration of Start.
class FileActions {
 public:
  FileActions() { posix_spawn_file_actions_init(&actions_); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::Start(const std::string& program,
                                                          const std::vector<std::string>& args) {
  int fds[2];
  // Close-on-exec keeps other children from inheriting the pipe (and holding it open); dup2
  // onto the child's fd 1 clears the flag for the child's own stdout.
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe2", errno);
  FileActions actions;
  posix_spawn_file_actions_adddup2(actions.get(), fds[1], STDOUT_FILENO);

  std::vector<std::string> argv_storage;
  argv_storage.reserve(args.size() + 1);
  argv_storage.push_back(program);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  const int err = posix_spawnp(&pid, program.c_str(), actions.get(), nullptr, argv.data(), environ);
  close(fds[1]);
  if (err != 0) {
    close(fds[0]);
    return ErrnoError("posix_spawn " + program, err);
  }
  return std::make_unique<ChildProcess>(Key(), pid, fds[0]);
}

ChildProcess::ChildProcess(Key, pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}

ChildProcess::~ChildProcess() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  close(stdout_fd_);
}

Result<std::string> ChildProcess::ReadLine(int timeout_ms) {
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (const size_t nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (eof_) {
      if (buffer_.empty()) return OutOfRangeError("child's stdout closed");
      return std::exchange(buffer_, std::string());
    }
    pollfd p{stdout_fd_, POLLIN, 0};
    const int n = poll(&p, 1, MillisLeft(deadline));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("poll child's stdout", errno);
    }
    if (n == 0) {
      return DeadlineExceededError("no line from child's stdout within " +
                                   std::to_string(timeout_ms) + " ms");
    }
    char chunk[4096];
    const ssize_t got = read(stdout_fd_, chunk, sizeof(chunk));
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("read child's stdout", errno);
    }
    if (got == 0) eof_ = true;
    buffer_.append(chunk, static_cast<size_t>(got));
  }
}

Result<std::string> ChildProcess::WaitForLinePrefix(std::string_view prefix, int timeout_ms) {
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    ASSIGN_OR_RETURN(std::string line, ReadLine(MillisLeft(deadline)));
    if (line.starts_with(prefix)) return line.substr(prefix.size());
  }
}

Status ChildProcess::Signal(int signal) {
  if (reaped_) return FailedPreconditionError("child already reaped");
  if (kill(pid_, signal) != 0) return ErrnoError("kill", errno);
  return Status::Ok();
}

Result<int> ChildProcess::Wait(int timeout_ms) {
  if (reaped_) return exit_code_;
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  // Polling keeps this free of SIGCHLD handlers, which would be process-wide state.
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      exit_code_ = ExitCodeOf(status);
      return exit_code_;
    }
    if (r < 0 && errno != EINTR) return ErrnoError("waitpid", errno);
    if (SteadyClock::now() >= deadline) {
      return DeadlineExceededError("child " + std::to_string(pid_) + " still running after " +
                                   std::to_string(timeout_ms) + " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

Result<ListeningServer> StartListeningServer(const std::string& program,
                                             const std::vector<std::string>& args, int timeout_ms) {
  ListeningServer server;
  ASSIGN_OR_RETURN(server.process, ChildProcess::Start(program, args));
  Result<std::string> rest = server.process->WaitForLinePrefix("listening on ", timeout_ms);
  if (!rest.ok()) return std::move(rest).status().WithContext(program);
  unsigned port = 0;
  const std::string& s = *rest;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  if (ec != std::errc() || end != s.data() + s.size() || port == 0 || port > 65535) {
    return InternalError(program + ": bad port in \"listening on " + s + "\"");
  }
  server.port = static_cast<uint16_t>(port);
  return server;
}

}  // namespace sightline::testing
