// sightline ingest: receive RTSP streams and print what arrives, per camera.
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "app/command.h"
#include "app/subcommands.h"
#include "base/brace_expand.h"
#include "base/flags.h"
#include "base/logging.h"
#include "base/shutdown.h"
#include "rtsp/client.h"

namespace sightline::app {
namespace {

constexpr const char* kHelp = R"(usage: sightline ingest --url URL [--url URL ...] [flags]

Connects to RTSP cameras, receives and depacketizes their video (H.264/H.265), and prints
per-camera frame rate, bitrate, losses and reconnects every --interval seconds.

flags:
  --url URL          rtsp://[user:pass@]host[:port]/path; ranges expand: rtsp://h/cam{0..3}
  --transport T      tcp (RTP interleaved, default) or udp
  --user U           credentials for every URL (Basic or Digest, as the camera asks)
  --password P
  --interval S       seconds between reports (default 5; 0: no periodic report)
  --duration S       stop after S seconds (default: run until Ctrl-C)
  --threads N        network threads (default 1)
  --stall-timeout S  seconds without a frame before a camera counts as stalled (default 10)
  --quiet            print only the final summary
  --log-level L      debug, info, warning, error (default info)
)";

struct Camera {
  std::string url;
  std::unique_ptr<rtsp::Client> client;
  rtsp::ClientStats last;
};

void PrintTable(std::vector<Camera>& cams, double seconds, bool final_report) {
  std::printf("%-28s %-10s %7s %9s %9s %6s %6s %5s %s\n", "camera", "state", "fps", "kbit/s", "frames",
              "lost", "drop", "recon", "stream");
  double total_fps = 0, total_kbps = 0;
  uint64_t total_frames = 0, total_lost = 0, total_dropped = 0;
  for (Camera& c : cams) {
    rtsp::ClientStats s = c.client->stats();
    const rtsp::ClientStats& base = final_report ? rtsp::ClientStats() : c.last;
    const double fps = (s.receiver.frames - base.receiver.frames) / seconds;
    const double kbps = (s.receiver.frame_bytes - base.receiver.frame_bytes) * 8 / 1000.0 / seconds;
    std::string stream = "-";
    if (s.params) {
      stream = s.params->codec_string + " " + std::to_string(s.params->width) + "x" +
               std::to_string(s.params->height);
    }
    std::string name = c.url.size() > 28 ? "..." + c.url.substr(c.url.size() - 25) : c.url;
    std::printf("%-28s %-10s %7.2f %9.1f %9llu %6llu %6llu %5llu %s%s%s\n", name.c_str(),
                rtsp::ClientStateName(s.state), fps, kbps,
                static_cast<unsigned long long>(s.receiver.frames),
                static_cast<unsigned long long>(s.receiver.packets_lost),
                static_cast<unsigned long long>(s.frames_dropped),
                static_cast<unsigned long long>(s.reconnects), stream.c_str(),
                s.last_error.empty() ? "" : "  last error: ", s.last_error.c_str());
    total_fps += fps;
    total_kbps += kbps;
    total_frames += s.receiver.frames;
    total_lost += s.receiver.packets_lost;
    total_dropped += s.frames_dropped;
    c.last = s;
  }
  std::printf("total: cameras=%zu fps=%.1f kbit/s=%.1f frames=%llu packets_lost=%llu frames_dropped=%llu\n\n",
              cams.size(), total_fps, total_kbps, static_cast<unsigned long long>(total_frames),
              static_cast<unsigned long long>(total_lost), static_cast<unsigned long long>(total_dropped));
  std::fflush(stdout);
}

}  // namespace

int IngestMain(int argc, char** argv) {
  Command cmd("ingest", kHelp);
  if (std::optional<int> done = cmd.Parse({{"url", true, true}, {"transport"}, {"user"}, {"password"},
                                           {"interval"}, {"duration"}, {"threads"}, {"stall-timeout"},
                                           {"quiet", false}, {"log-level"}},
                                          argc, argv, {}, /*allow_positional=*/true)) {
    return *done;
  }
  const Flags* flags = &cmd.flags();
  auto fail = [&](const Status& s) { return cmd.Fail(s, 2); };
  rtsp::ClientOptions base;
  const std::string transport = flags->Get("transport", "tcp");
  if (transport == "udp") base.transport = rtsp::TransportMode::kUdp;
  else if (transport != "tcp") return fail(InvalidArgumentError("--transport must be tcp or udp, not '" + transport + "'"));
  base.credentials = {flags->Get("user"), flags->Get("password")};
  Result<int64_t> interval = flags->GetInt("interval", 5);
  Result<int64_t> duration = flags->GetInt("duration", 0);
  Result<int64_t> threads = flags->GetInt("threads", 1);
  Result<int64_t> stall = flags->GetInt("stall-timeout", 10);
  for (const auto* r : {&interval, &duration, &threads, &stall}) {
    if (!r->ok()) return fail(r->status());
  }
  if (*threads < 1 || *threads > 64) return fail(InvalidArgumentError("--threads must be 1..64"));
  base.stall_timeout = std::chrono::seconds(std::max<int64_t>(1, *stall));

  std::vector<std::string> urls;
  for (const std::string& u : flags->GetAll("url")) {
    Result<std::vector<std::string>> expanded = ExpandBraces(u);
    if (!expanded.ok()) return fail(expanded.status().WithContext("--url"));
    urls.insert(urls.end(), expanded->begin(), expanded->end());
  }
  for (const std::string& u : flags->positional()) urls.push_back(u);
  if (urls.empty()) return fail(InvalidArgumentError("no --url given (see --help)"));

  boost::asio::io_context io(static_cast<int>(*threads));
  RealClock clock;
  std::vector<Camera> cams(urls.size());
  for (size_t i = 0; i < urls.size(); ++i) {
    rtsp::ClientOptions o = base;
    o.url = urls[i];
    o.log_name = "camera=" + urls[i].substr(urls[i].rfind('/') + 1);
    cams[i].url = urls[i];
    // Frames are only counted here; the recorder will consume them in `sightline run`.
    cams[i].client = std::make_unique<rtsp::Client>(io.get_executor(), o, [](media::FramePtr) {}, clock);
    cams[i].client->Start();
  }

  const bool quiet = flags->Has("quiet");
  const auto start = std::chrono::steady_clock::now();
  auto last_report = start;
  boost::asio::steady_timer report_timer(io);
  boost::asio::steady_timer stop_timer(io);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  // Ctrl-C, SIGTERM or --duration: stop every client; io.run() returns once all have ended.
  Shutdown shutdown;
  shutdown.OnRequest([&] {
    report_timer.cancel();
    stop_timer.cancel();
    signals.cancel();
    for (Camera& c : cams) c.client->Stop();
  });
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) shutdown.Request();
  });
  if (*duration > 0) {
    stop_timer.expires_after(std::chrono::seconds(*duration));
    stop_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) shutdown.Request();
    });
  }
  std::function<void()> arm_report = [&] {
    report_timer.expires_after(std::chrono::seconds(*interval));
    report_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      const auto now = std::chrono::steady_clock::now();
      if (!quiet) PrintTable(cams, std::chrono::duration<double>(now - last_report).count(), false);
      last_report = now;
      arm_report();
    });
  };
  if (*interval > 0) arm_report();

  std::vector<std::thread> pool;
  for (int64_t i = 1; i < *threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& t : pool) t.join();

  const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("summary over %.1f s:\n", total_s);
  PrintTable(cams, total_s, true);
  return 0;
}

}  // namespace sightline::app
