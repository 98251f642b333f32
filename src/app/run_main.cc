// sightline run: the recorder daemon. Reads sightline.yaml, opens the store (recovering from
// whatever the last run left), connects to every camera stream with role `record` and records
// it until SIGINT/SIGTERM, then closes every segment cleanly.
#include <malloc.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "app/command.h"
#include "app/store_options.h"
#include "app/subcommands.h"
#include "base/flags.h"
#include "base/logging.h"
#include "base/shutdown.h"
#include "config/config.h"
#include "rtsp/client.h"
#include "store/store.h"

namespace sightline::app {
namespace {

constexpr const char* kHelp = R"(usage: sightline run --config FILE [flags]

Records every camera stream with role `record` in FILE (see docs/ref/config.md) into the
storage directories, crash-safely (docs/design/storage.md). Stops cleanly on Ctrl-C/SIGTERM.

flags:
  --config FILE      sightline.yaml (required)
  --threads N        network threads (default 2)
  --status S         seconds between status lines in the log (default 60; 0: none)
  --duration S       stop after S seconds (default: run until Ctrl-C/SIGTERM)
  --log-level L      debug, info, warning, error (default info)
)";

struct Pipeline {
  std::string name;  // camera/stream
  store::StreamRecorder* recorder = nullptr;
  std::unique_ptr<rtsp::Client> client;
};

void LogStatus(const std::vector<Pipeline>& pipelines, const store::Store& store) {
  for (const Pipeline& p : pipelines) {
    const rtsp::ClientStats c = p.client->stats();
    const store::StreamRecorderStats r = p.recorder->stats();
    SL_LOG(kInfo) << "stream=" << p.name << " state=" << rtsp::ClientStateName(c.state)
                  << " frames=" << r.frames << " gops_written=" << r.gops_written
                  << " gops_dropped_slow=" << r.gops_dropped_slow
                  << " gops_lost_write_error=" << r.gops_lost_write_error
                  << " bytes=" << r.bytes_written << " segments=" << r.segments_started
                  << " reconnects=" << c.reconnects;
  }
  const store::IndexWriterStats i = store.index_stats();
  SL_LOG(kInfo) << "index commits=" << i.commits << " commit_errors=" << i.commit_errors
                << " segments_deleted=" << i.segments_deleted;
}

// One line on stdout for scripts (bench/record.py): totals over every stream.
void PrintSummary(const std::vector<Pipeline>& pipelines) {
  uint64_t frames = 0, written = 0, slow = 0, write_errors = 0, lost = 0, dropped = 0;
  for (const Pipeline& p : pipelines) {
    const store::StreamRecorderStats r = p.recorder->stats();
    const rtsp::ClientStats c = p.client->stats();
    frames += r.frames;
    written += r.gops_written;
    slow += r.gops_dropped_slow;
    write_errors += r.gops_lost_write_error;
    lost += c.receiver.packets_lost;
    dropped += c.frames_dropped;
  }
  std::printf("run summary: streams=%zu frames=%llu gops_written=%llu gops_dropped_slow=%llu "
              "gops_lost_write_error=%llu packets_lost=%llu frames_dropped=%llu\n",
              pipelines.size(), static_cast<unsigned long long>(frames),
              static_cast<unsigned long long>(written), static_cast<unsigned long long>(slow),
              static_cast<unsigned long long>(write_errors), static_cast<unsigned long long>(lost),
              static_cast<unsigned long long>(dropped));
  std::fflush(stdout);
}

}  // namespace

int RunMain(int argc, char** argv) {
  // GOP-sized buffers (about 1 MB at 4 Mbit/s) are mapped and unmapped with each use rather
  // than kept by glibc's adaptive threshold in per-thread heaps: RSS then follows live data,
  // about 1.3 MB per 4 Mbit/s camera instead of 1.7 MB (docs/bench/record.md).
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  Command cmd("run", kHelp);
  if (std::optional<int> done = cmd.Parse(
          {{"config"}, {"threads"}, {"status"}, {"duration"}, {"log-level"}}, argc, argv,
          {"config"})) {
    return *done;
  }
  const Flags* flags = &cmd.flags();
  auto fail = [&](const Status& s, int code) { return cmd.Fail(s, code); };
  Result<int64_t> threads = flags->GetInt("threads", 2);
  Result<int64_t> status_s = flags->GetInt("status", 60);
  Result<int64_t> duration_s = flags->GetInt("duration", 0);
  for (const auto* r : {&threads, &status_s, &duration_s}) {
    if (!r->ok()) return fail(r->status(), 2);
  }
  if (*threads < 1 || *threads > 64) return fail(InvalidArgumentError("--threads must be 1..64"), 2);

  // The daemon never starts half-configured: every config error is reported, then we stop.
  Result<config::Config> cfg = config::LoadConfig(flags->Get("config"));
  if (!cfg.ok()) return fail(cfg.status(), 2);
  SL_LOG(kInfo) << "config " << flags->Get("config") << ": " << config::Describe(*cfg);

  RealClock clock;
  Result<std::unique_ptr<store::Store>> store =
      store::Store::Open(StoreOptionsFromConfig(*cfg, clock), RecordedStreams(*cfg));
  if (!store.ok()) return fail(store.status(), 1);

  boost::asio::io_context io(static_cast<int>(*threads));
  std::vector<Pipeline> pipelines;
  for (const config::CameraConfig& cam : cfg->cameras) {
    if (!cam.enabled) continue;
    for (const config::StreamConfig& s : cam.streams) {
      if (!s.HasRole(config::Role::kRecord)) {
        SL_LOG(kInfo) << "camera=" << cam.name << " stream=" << s.name
                      << " has no record role; live and detect are not served yet";
        continue;
      }
      Pipeline p;
      p.name = cam.name + "/" + s.name;
      p.recorder = (*store)->recorder(cam.name, s.name);
      rtsp::ClientOptions o;
      o.url = s.url;
      o.credentials = {s.user, s.password};
      o.transport = s.transport == config::Transport::kUdp ? rtsp::TransportMode::kUdp
                                                            : rtsp::TransportMode::kTcp;
      o.log_name = "camera=" + cam.name + " stream=" + s.name;
      store::StreamRecorder* rec = p.recorder;
      p.client = std::make_unique<rtsp::Client>(
          io.get_executor(), o, [rec](media::FramePtr f) { rec->OnFrame(std::move(f)); }, clock);
      pipelines.push_back(std::move(p));
    }
  }
  for (Pipeline& p : pipelines) p.client->Start();
  SL_LOG(kInfo) << "recording " << pipelines.size() << " streams";

  boost::asio::steady_timer supervise_timer(io);
  boost::asio::steady_timer stop_timer(io);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  Shutdown shutdown;
  shutdown.OnRequest([&] {
    supervise_timer.cancel();
    stop_timer.cancel();
    signals.cancel();
    for (Pipeline& p : pipelines) p.client->Stop();
  });
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) shutdown.Request();
  });
  if (*duration_s > 0) {
    stop_timer.expires_after(std::chrono::seconds(*duration_s));
    stop_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) shutdown.Request();
    });
  }
  // Once a second: a stream that is not playing (stalled, reconnecting) gets its last GOP
  // written and its segment closed, so the timeline shows the gap as it happens.
  auto last_status = std::chrono::steady_clock::now();
  std::function<void()> supervise = [&] {
    supervise_timer.expires_after(std::chrono::seconds(1));
    supervise_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      for (Pipeline& p : pipelines) {
        if (p.client->stats().state != rtsp::ClientState::kPlaying) p.recorder->EndOfStream();
      }
      const auto now = std::chrono::steady_clock::now();
      if (*status_s > 0 && now - last_status >= std::chrono::seconds(*status_s)) {
        last_status = now;
        LogStatus(pipelines, **store);
      }
      supervise();
    });
  };
  supervise();

  std::vector<std::thread> pool;
  for (int64_t i = 1; i < *threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& t : pool) t.join();
  SL_LOG(kInfo) << "stopping: closing segments";
  (*store)->Close();
  LogStatus(pipelines, **store);
  PrintSummary(pipelines);
  return 0;
}

}  // namespace sightline::app
