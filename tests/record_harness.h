#pragma once
// Shared plumbing of the recording integration tests (record_*_test.cc): the camera simulator
// as a child process and a config file for `sightline run`; from the store's test helpers,
// temporary directories and the storage directories as the index knows them.

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/index.h"
#include "store/store_test_util.h"
#include "support/child_process.h"

namespace sightline::testing {

using store::testing::DirsOf;
using store::testing::TempDir;

struct Camsim {
  std::unique_ptr<ChildProcess> process;
  std::string port;
};

// Starts `program` with `args`, inside the network namespace `netns` when it is not empty
// (tests/netns_harness.h). `ip netns exec` replaces itself with the program, so the child is
// the program itself and signals reach it.
inline Result<std::unique_ptr<ChildProcess>> StartIn(const std::string& netns, const std::string& program,
                                                     std::vector<std::string> args) {
  if (netns.empty()) return ChildProcess::Start(program, args);
  args.insert(args.begin(), {"netns", "exec", netns, program});
  return ChildProcess::Start("ip", args);
}

// Starts `sightline camsim` on a free port with the given --camera specs
// ("name=cam{0..2},file=F") and waits for its "camsim: serving N cameras, e.g.
// rtsp://127.0.0.1:PORT/cam0" line. In the network namespace `netns` when given.
inline Result<Camsim> StartCamsim(const std::vector<std::string>& camera_specs, const std::string& netns = "") {
  std::vector<std::string> args = {"camsim", "--listen", "127.0.0.1:0", "--stats-interval", "0"};
  for (const std::string& spec : camera_specs) {
    args.push_back("--camera");
    args.push_back(spec);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ChildProcess> process, StartIn(netns, SIGHTLINE_BINARY, args));
  ASSIGN_OR_RETURN(std::string line, process->WaitForLinePrefix("camsim: serving", 10'000));
  const size_t colon = line.rfind(':');
  const size_t slash = line.rfind('/');
  if (colon == std::string::npos || slash == std::string::npos || slash < colon) {
    return InternalError("camsim printed an unexpected line: " + line);
  }
  return Camsim{std::move(process), line.substr(colon + 1, slash - colon - 1)};
}

struct SightlineRun {
  std::unique_ptr<ChildProcess> process;
  uint16_t http_port = 0;
};

// Starts `sightline run --config CONFIG --log-level warning` and waits for its
// "http: serving http://127.0.0.1:PORT/" line. In `netns` when given.
inline Result<SightlineRun> StartSightlineRun(const std::string& config, const std::string& netns = "") {
  ASSIGN_OR_RETURN(std::unique_ptr<ChildProcess> process,
                   StartIn(netns, SIGHTLINE_BINARY, {"run", "--config", config, "--log-level", "warning"}));
  ASSIGN_OR_RETURN(std::string line, process->WaitForLinePrefix("http: serving ", 20'000));
  const size_t colon = line.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !line.ends_with("/") ||
      std::sscanf(line.c_str() + colon + 1, "%d", &port) != 1 || port <= 0 || port > 65535) {
    return InternalError("sightline run printed an unexpected line: " + line);
  }
  return SightlineRun{std::move(process), static_cast<uint16_t>(port)};
}

// Stops `sightline run` as Ctrl-C does (SIGINT) and expects it to exit cleanly within 20 s.
inline void StopSightlineRun(ChildProcess& run) {
  EXPECT_TRUE(run.Signal(SIGINT).ok());
  Result<int> code = run.Wait(20'000);
  EXPECT_TRUE(code.ok() && *code == 0) << (code.ok() ? std::to_string(*code) : code.status().ToString());
}

// What a test suite runs against: camsim serving `camsim_specs` (as StartCamsim) and
// `sightline run` with the config `config_yaml(dir, camsim_port)` returns, in a temporary
// folder `dir` (with an empty `dir`/disk for storage). The destructor stops both (run first, as
// Ctrl-C does, expecting a clean exit) and removes the folder.
struct RecorderUnderTest {
  TempDir tmp;
  std::unique_ptr<Camsim> camsim;
  std::unique_ptr<ChildProcess> run;
  uint16_t http_port = 0;

  ~RecorderUnderTest() {
    if (run != nullptr) StopSightlineRun(*run);
  }
};

using ConfigYaml = std::function<std::string(const std::string& dir, const std::string& camsim_port)>;

inline Result<std::unique_ptr<RecorderUnderTest>> StartRecorder(const std::vector<std::string>& camsim_specs,
                                                                const ConfigYaml& config_yaml) {
  auto r = std::make_unique<RecorderUnderTest>();
  const std::string dir = r->tmp.path();
  ASSIGN_OR_RETURN(Camsim camsim, StartCamsim(camsim_specs));
  r->camsim = std::make_unique<Camsim>(std::move(camsim));
  std::ofstream(dir + "/sightline.yaml") << config_yaml(dir, r->camsim->port);
  if (::mkdir((dir + "/disk").c_str(), 0755) != 0) return ErrnoError("mkdir " + dir + "/disk", errno);
  ASSIGN_OR_RETURN(SightlineRun run, StartSightlineRun(dir + "/sightline.yaml"));
  r->run = std::move(run.process);
  r->http_port = run.http_port;
  return r;
}

// Writes a sightline.yaml recording `cameras` (camsim names) from camsim on `port`, after the
// given storage section lines, with the web server on a free port.
inline void WriteRecordConfig(const std::string& path, const std::string& storage_yaml,
                              const std::string& port, const std::vector<std::string>& cameras) {
  std::ofstream cfg(path);
  // Port 0: tests run in parallel and beside a demo on the default port.
  cfg << "storage:\n" << storage_yaml << "http:\n  listen: 127.0.0.1:0\n" << "cameras:\n";
  for (const std::string& c : cameras) {
    cfg << "  " << c << ":\n    streams:\n      main:\n        url: rtsp://127.0.0.1:" << port
        << "/" << c << "\n        roles: [record]\n";
  }
}

struct CommandResult {
  int code = -1;
  std::string output;  // stdout and stderr
};

// Runs `command` with /bin/sh and collects its output.
inline CommandResult Shell(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// `s` in single quotes for /bin/sh (test paths hold no quotes).
inline std::string Quote(const std::string& s) { return "'" + s + "'"; }

}  // namespace sightline::testing
