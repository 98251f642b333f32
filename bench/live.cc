// Live view benchmark (issue 4, deliverable 5): in one process, an http::Server with one
// WebSocket route that subscribes sockets to a live::StreamHub with api::SubscribeLiveSocket,
// as the live route does (without auth),
// a feeder handing the hub a file's frames at real time (looping, each frame's `arrival`
// stamped as it is handed over), and N async Beast WebSocket viewers on their own thread.
// It measures, per file:
//   - open to first fragment: from the viewer's handshake completing to its first moof+mdat,
//     for 20 openings spread over a GOP;
//   - arrival to written: per fragment and viewer, from the frame's arrival to the server's
//     write of its fragment to that viewer's socket completing (http::WebSocket::OnWritten),
//     with 1 and with N viewers: what the server adds (the target is at most 50 ms);
//   - arrival to receive: the same seen by the viewer (fragments matched to frames by the
//     mfhd sequence number, which the hub assigns in order), which adds loopback TCP and the
//     single client thread's scheduling;
//   - the CPU of serving: CLOCK_THREAD_CPUTIME_ID of the server's two network threads plus the
//     feeder (which runs StreamHub::OnFrame, as a camera's strand would), per second, with 0,
//     1 and N viewers.
// There is no peer: see docs/bench/live.md for why.
//   usage: bench_live [--seconds S] [--viewers N] [--file F]...   (default: both PETS files)
#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "bench_util.h"
#include "api/live_socket.h"
#include "base/bytes.h"
#include "base/flags.h"
#include "decode/file_reader.h"
#include "http/server.h"
#include "http/websocket.h"
#include "live/stream_hub.h"
#include "support/shared_media.h"

using namespace sightline;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using bench::CpuSeconds;
using bench::Ms;
using bench::Percentile;
using Steady = std::chrono::steady_clock;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr int kOpenings = 20;
constexpr char kPath[] = "/live";


clockid_t CpuClockOf(std::thread& t) {
  clockid_t clock{};
  pthread_getcpuclockid(t.native_handle(), &clock);
  return clock;
}

// The mfhd sequence number of a live fragment (moof with mfhd as its first box, as
// mp4::WriteMediaFragment writes it; ISO/IEC 14496-12 section 8.8.5), or nullopt.
std::optional<uint32_t> FragmentSequence(const uint8_t* p, size_t size) {
  if (size < 24 || LoadBe32(p + 4) != LoadBe32(reinterpret_cast<const uint8_t*>("moof")) ||
      LoadBe32(p + 12) != LoadBe32(reinterpret_cast<const uint8_t*>("mfhd"))) {
    return std::nullopt;
  }
  return LoadBe32(p + 20);
}

// ---- The footage -------------------------------------------------------------------------

struct Clip {
  std::string name;
  std::vector<media::FramePtr> frames;  // all with parameters, first one a keyframe
  int64_t loop_90k = 0;                 // pts span of one loop, last frame's duration included
  int gop_frames = 0;
  int width = 0, height = 0;
  double bitrate_kbps = 0;
};

Result<Clip> LoadClip(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<decode::FileReader> reader, decode::FileReader::Open(path));
  Clip clip;
  clip.name = path.substr(path.find_last_of('/') + 1);
  size_t bytes = 0;
  for (;;) {
    ASSIGN_OR_RETURN(media::FramePtr frame, reader->Next());
    if (frame == nullptr) break;
    if (frame->params == nullptr || (clip.frames.empty() && !frame->keyframe)) continue;
    if (frame->keyframe && clip.gop_frames == 0 && !clip.frames.empty()) {
      clip.gop_frames = static_cast<int>(clip.frames.size());
    }
    bytes += frame->data.size();
    clip.frames.push_back(std::move(frame));
  }
  if (clip.frames.size() < 2) return InvalidArgumentError(path + ": fewer than 2 usable frames");
  const int64_t first = clip.frames.front()->pts.ticks();
  const int64_t last = clip.frames.back()->pts.ticks();
  clip.loop_90k = (last - first) * static_cast<int64_t>(clip.frames.size()) /
                  static_cast<int64_t>(clip.frames.size() - 1);
  if (clip.gop_frames == 0) clip.gop_frames = static_cast<int>(clip.frames.size());
  clip.width = clip.frames.front()->params->width;
  clip.height = clip.frames.front()->params->height;
  clip.bitrate_kbps = static_cast<double>(bytes) * 8 / 1000 / (static_cast<double>(clip.loop_90k) / 90000);
  return clip;
}

// ---- The feeder: a camera at real time ----------------------------------------------------

// Hands the clip to the hub on its own thread, looping with a continuing pts, each frame a copy
// stamped with its arrival. Remembers every arrival by the sequence number the hub gives it.
class Feeder {
 public:
  Feeder(const Clip& clip, live::StreamHub& hub) : clip_(clip), hub_(hub) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Feeder() {
    stop_ = true;
    thread_.join();
  }
  Feeder(const Feeder&) = delete;
  Feeder& operator=(const Feeder&) = delete;

  // When the frame the hub numbered `sequence` (1 for the first) was handed over.
  std::optional<MonoTime> Arrival(uint32_t sequence) const {
    std::lock_guard lock(mu_);
    if (sequence == 0 || sequence > arrivals_.size()) return std::nullopt;
    return arrivals_[sequence - 1];
  }
  // OnFrame durations (arrival to the last viewer's Send queued) since the last call, in ms.
  std::vector<double> TakeHubTimes() {
    std::lock_guard lock(mu_);
    return std::exchange(hub_ms_, {});
  }
  clockid_t cpu_clock() { return CpuClockOf(thread_); }

 private:
  void Run() {
    const Steady::time_point start = Steady::now();
    const int64_t first_pts = clip_.frames.front()->pts.ticks();
    for (uint64_t i = 0; !stop_; ++i) {
      const media::Frame& source = *clip_.frames[i % clip_.frames.size()];
      const int64_t loop = static_cast<int64_t>(i / clip_.frames.size());
      const int64_t pts = source.pts.ticks() - first_pts + loop * clip_.loop_90k;
      std::this_thread::sleep_until(start + std::chrono::microseconds(pts * 100 / 9));
      auto frame = std::make_shared<media::Frame>(source);
      frame->pts = media::Time90k(pts);
      frame->arrival = Steady::now();
      {
        std::lock_guard lock(mu_);
        arrivals_.push_back(frame->arrival);
      }
      hub_.OnFrame(frame);
      const double hub_ms = Ms(Steady::now() - frame->arrival);
      std::lock_guard lock(mu_);
      hub_ms_.push_back(hub_ms);
    }
  }

  const Clip& clip_;
  live::StreamHub& hub_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<MonoTime> arrivals_;
  std::vector<double> hub_ms_;
  std::thread thread_;
};

// ---- What the server wrote ----------------------------------------------------------------

// Arrival to written, per fragment: from the frame's arrival to its fragment handed whole to a
// viewer's socket (http::WebSocket::OnWritten), on the server's network threads. This is what
// the server adds, without loopback TCP or the client thread's scheduling.
class WrittenLog {
 public:
  void SetFeeder(const Feeder* feeder) {
    std::lock_guard lock(mu_);
    feeder_ = feeder;
  }
  void Written(const std::string& message) {
    const MonoTime now = Steady::now();
    const std::optional<uint32_t> sequence =
        FragmentSequence(reinterpret_cast<const uint8_t*>(message.data()), message.size());
    std::lock_guard lock(mu_);
    if (!sequence || feeder_ == nullptr || !recording_) return;
    const std::optional<MonoTime> arrival = feeder_->Arrival(*sequence);
    if (arrival && *arrival >= since_) delays_ms_.push_back(Ms(now - *arrival));
  }
  // Starts a row: fragments of frames that arrived from now on are timed.
  void Start() {
    std::lock_guard lock(mu_);
    delays_ms_.clear();
    since_ = Steady::now();
    recording_ = true;
  }
  std::vector<double> Stop() {
    std::lock_guard lock(mu_);
    recording_ = false;
    return std::exchange(delays_ms_, {});
  }

 private:
  std::mutex mu_;
  const Feeder* feeder_ = nullptr;
  bool recording_ = false;
  MonoTime since_;
  std::vector<double> delays_ms_;
};

// ---- The viewers --------------------------------------------------------------------------

struct ViewerResult {
  bool opened = false;
  std::string error;
  double open_to_first_ms = -1;
  std::vector<double> delays_ms;  // arrival to receive, for frames that arrived after the open
  uint64_t fragments = 0;
  uint64_t missing = 0;  // sequence numbers skipped (the hub skipped this viewer's frames)
};

// WebSocket viewers on one client thread (an io_context of its own). Open, Probe and CloseAll
// are called from the main thread; the results are read once the viewers have finished.
class Fleet {
 public:
  Fleet(uint16_t port, const Feeder& feeder) : port_(port), feeder_(feeder) {
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Fleet() {
    work_.reset();
    thread_.join();
  }
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  // Opens n viewers that read until CloseAll; returns once every handshake has ended.
  void Open(int n) { Start(n, false); }
  // Opens one viewer that closes after its first fragment; returns its result.
  ViewerResult Probe() {
    Start(1, true);
    Wait();
    return std::move(TakeResults().front());
  }
  // Closes every viewer and returns their results.
  std::vector<ViewerResult> CloseAll() {
    asio::post(io_, [this] {
      for (const auto& v : viewers_) {
        if (v->ws.is_open()) v->ws.async_close(websocket::close_code::normal, [v](auto) {});
      }
    });
    Wait();
    return TakeResults();
  }
  clockid_t cpu_clock() { return CpuClockOf(thread_); }

 private:
  struct Viewer {
    explicit Viewer(asio::io_context& io) : ws(io) {}
    websocket::stream<tcp::socket> ws;
    ViewerResult result;
  };

  void Start(int n, bool probe) {
    {
      std::lock_guard lock(mu_);
      pending_open_ += n;
      running_ += n;
    }
    for (int i = 0; i < n; ++i) {
      auto v = std::make_shared<Viewer>(io_);
      asio::post(io_, [this, v] { viewers_.push_back(v); });
      asio::co_spawn(io_, Run(v, probe), asio::detached);
    }
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return pending_open_ == 0; });
  }

  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return running_ == 0; });
  }

  std::vector<ViewerResult> TakeResults() {
    std::vector<ViewerResult> results;
    std::promise<void> done;
    asio::post(io_, [&] {
      for (const auto& v : viewers_) results.push_back(std::move(v->result));
      viewers_.clear();
      done.set_value();
    });
    done.get_future().wait();
    return results;
  }

  void Opened() {
    std::lock_guard lock(mu_);
    --pending_open_;
    cv_.notify_all();
  }

  asio::awaitable<void> Run(std::shared_ptr<Viewer> v, bool probe) {
    ViewerResult& r = v->result;
    auto [connect_ec] = co_await v->ws.next_layer().async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), kUseTuple);
    boost::system::error_code ec = connect_ec;
    if (!ec) std::tie(ec) = co_await v->ws.async_handshake("127.0.0.1", kPath, kUseTuple);
    const MonoTime opened = Steady::now();
    r.opened = !ec;
    if (ec) r.error = ec.message();
    Opened();
    beast::flat_buffer buffer;
    uint32_t last_sequence = 0;
    while (r.opened) {
      auto [read_ec, n] = co_await v->ws.async_read(buffer, kUseTuple);
      const MonoTime now = Steady::now();
      if (read_ec) break;
      const auto data = buffer.cdata();
      const std::optional<uint32_t> sequence =
          v->ws.got_binary() ? FragmentSequence(static_cast<const uint8_t*>(data.data()), data.size())
                             : std::nullopt;
      buffer.consume(buffer.size());
      if (!sequence) continue;  // text messages and the init segment
      if (r.fragments++ == 0) r.open_to_first_ms = Ms(now - opened);
      if (last_sequence != 0 && *sequence > last_sequence + 1) r.missing += *sequence - last_sequence - 1;
      last_sequence = *sequence;
      const std::optional<MonoTime> arrival = feeder_.Arrival(*sequence);
      if (arrival && *arrival >= opened) r.delays_ms.push_back(Ms(now - *arrival));
      if (probe) {
        co_await v->ws.async_close(websocket::close_code::normal, kUseTuple);
        break;
      }
    }
    std::lock_guard lock(mu_);
    --running_;
    cv_.notify_all();
  }

  const uint16_t port_;
  const Feeder& feeder_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{io_.get_executor()};
  std::vector<std::shared_ptr<Viewer>> viewers_;  // on the client thread only
  std::mutex mu_;
  std::condition_variable cv_;
  int pending_open_ = 0;
  int running_ = 0;
  std::thread thread_;
};

// ---- The server ---------------------------------------------------------------------------

http::Router LiveRouter(live::StreamHub* hub, WrittenLog* log) {
  http::Router router;
  router.AddWebSocket(kPath, [hub, log](http::Request&) -> http::WebSocketResult {
    return http::WebSocketOpen([hub, log](std::shared_ptr<http::WebSocket> ws) {
      ws->OnWritten([log](const std::string& message) { log->Written(message); });
      api::SubscribeLiveSocket(hub, ws);
    });
  });
  return router;
}

// ---- One file -----------------------------------------------------------------------------

struct Phase {
  int viewers = 0;
  double seconds = 0;
  double server_cpu_s = 0;  // network threads + feeder
  double client_cpu_s = 0;
  std::vector<double> delays_ms;    // arrival to receive (client side)
  std::vector<double> written_ms;   // arrival to written to the socket (server side)
  std::vector<double> hub_ms;
  uint64_t fragments = 0, missing = 0;
  int failed = 0;
};

struct FileReport {
  Clip clip;
  std::vector<double> open_to_first_ms;
  int probe_failures = 0;
  std::vector<Phase> phases;
};

std::string Stats(const std::vector<double>& v, double p) {
  char s[64];
  std::snprintf(s, sizeof s, "%.2f / %.2f / %.2f", Percentile(v, 0.5), Percentile(v, p),
                v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()));
  return s;
}

Result<FileReport> RunFile(const std::string& path, double seconds, int viewers) {
  FileReport report;
  ASSIGN_OR_RETURN(report.clip, LoadClip(path));
  const Clip& clip = report.clip;
  std::fprintf(stderr, "%s: %dx%d, %zu frames, GOP %d, %.0f kbit/s\n", clip.name.c_str(), clip.width,
               clip.height, clip.frames.size(), clip.gop_frames, clip.bitrate_kbps);

  RealClock clock;
  live::StreamHub hub(clock);
  WrittenLog written;
  asio::io_context server_io;
  auto work = asio::make_work_guard(server_io);
  http::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.max_connections_per_ip = static_cast<size_t>(viewers) + 8;  // all viewers share one address
  options.max_connections = std::max(options.max_connections, options.max_connections_per_ip);
  http::Server server(server_io.get_executor(), options, LiveRouter(&hub, &written));
  RETURN_IF_ERROR(server.Start());
  std::vector<std::thread> server_threads;
  for (int i = 0; i < 2; ++i) server_threads.emplace_back([&server_io] { server_io.run(); });

  {
    Feeder feeder(clip, hub);
    written.SetFeeder(&feeder);
    Fleet fleet(server.port(), feeder);
    std::vector<clockid_t> server_clocks = {CpuClockOf(server_threads[0]), CpuClockOf(server_threads[1]),
                                            feeder.cpu_clock()};
    const clockid_t client_clock = fleet.cpu_clock();
    auto server_cpu = [&] {
      double s = 0;
      for (clockid_t c : server_clocks) s += CpuSeconds(c);
      return s;
    };
    std::this_thread::sleep_for(std::chrono::seconds(1));  // the hub holds a GOP

    // Openings at every position of a GOP and at different times within a frame interval.
    const auto frame = std::chrono::microseconds(clip.loop_90k * 100 / 9 /
                                                 static_cast<int64_t>(clip.frames.size()));
    const auto step = frame * clip.gop_frames / kOpenings + std::chrono::milliseconds(5);
    Steady::time_point next = Steady::now();
    for (int i = 0; i < kOpenings; ++i) {
      std::this_thread::sleep_until(next);
      next += step;
      ViewerResult r = fleet.Probe();
      if (r.open_to_first_ms < 0) {
        ++report.probe_failures;
        std::fprintf(stderr, "  opening %d: %s\n", i, r.opened ? "no fragment" : r.error.c_str());
      } else {
        report.open_to_first_ms.push_back(r.open_to_first_ms);
      }
    }

    for (int n : {0, 1, viewers}) {
      Phase phase;
      phase.viewers = n;
      fleet.Open(n);
      std::this_thread::sleep_for(std::chrono::seconds(1));  // past the GOP sent at the open
      feeder.TakeHubTimes();
      written.Start();
      const Steady::time_point t0 = Steady::now();
      const double server0 = server_cpu(), client0 = CpuSeconds(client_clock);
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      phase.server_cpu_s = server_cpu() - server0;
      phase.client_cpu_s = CpuSeconds(client_clock) - client0;
      phase.seconds = std::chrono::duration<double>(Steady::now() - t0).count();
      phase.hub_ms = feeder.TakeHubTimes();
      phase.written_ms = written.Stop();
      for (ViewerResult& r : fleet.CloseAll()) {
        if (!r.opened) {
          ++phase.failed;
          std::fprintf(stderr, "  viewer failed: %s\n", r.error.c_str());
        }
        phase.fragments += r.fragments;
        phase.missing += r.missing;
        phase.delays_ms.insert(phase.delays_ms.end(), r.delays_ms.begin(), r.delays_ms.end());
      }
      std::fprintf(stderr, "  %d viewers: done\n", n);
      report.phases.push_back(std::move(phase));
    }
  }
  server.Stop();
  work.reset();
  for (std::thread& t : server_threads) t.join();
  return report;
}

void Print(const FileReport& r, double seconds) {
  const Clip& c = r.clip;
  std::printf("\n%s (%dx%d, %.0f kbit/s, GOP %d frames), %.0f s per row\n", c.name.c_str(), c.width,
              c.height, c.bitrate_kbps, c.gop_frames, seconds);
  std::printf("open to first fragment, %zu openings over a GOP (median / p95 / max): %s ms%s\n",
              r.open_to_first_ms.size(), Stats(r.open_to_first_ms, 0.95).c_str(),
              r.probe_failures > 0 ? " (some failed, see above)" : "");
  std::printf("| viewers | arrival to written to the socket, ms (median / p99 / max) "
              "| arrival to receive, ms (median / p99 / max) "
              "| arrival to queued for every viewer (OnFrame), ms (median / p99 / max) "
              "| fragments received | frames skipped | server CPU, cores | server CPU-s per viewer-second "
              "| client CPU, cores |\n|---|---|---|---|---|---|---|---|---|\n");
  const double idle = r.phases.front().server_cpu_s / r.phases.front().seconds;
  for (const Phase& p : r.phases) {
    const double cores = p.server_cpu_s / p.seconds;
    char per_viewer[32] = "-";
    if (p.viewers > 0) std::snprintf(per_viewer, sizeof per_viewer, "%.6f", (cores - idle) / p.viewers);
    std::printf("| %d%s | %s | %s | %s | %llu | %llu | %.4f | %s | %.4f |\n", p.viewers,
                p.failed > 0 ? " (failures)" : "", p.viewers > 0 ? Stats(p.written_ms, 0.99).c_str() : "-",
                p.viewers > 0 ? Stats(p.delays_ms, 0.99).c_str() : "-",
                Stats(p.hub_ms, 0.99).c_str(), static_cast<unsigned long long>(p.fragments),
                static_cast<unsigned long long>(p.missing), cores, per_viewer, p.client_cpu_s / p.seconds);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Result<Flags> flags =
      Flags::Parse({{"seconds"}, {"viewers"}, {"file", true, true}}, argc, argv, 1);
  if (!flags.ok() || flags->help()) {
    std::fprintf(stderr, "%s\nusage: bench_live [--seconds S] [--viewers N] [--file F]...\n",
                 flags.ok() ? "" : flags.status().message().c_str());
    return 2;
  }
  const Result<double> seconds = flags->GetDouble("seconds", 20);
  const Result<int64_t> viewers = flags->GetInt("viewers", 50);
  if (!seconds.ok() || !viewers.ok() || *seconds <= 0 || *viewers < 1) {
    std::fprintf(stderr, "--seconds and --viewers must be positive numbers\n");
    return 2;
  }
  std::vector<std::string> files = flags->GetAll("file");
  if (files.empty()) {
    for (std::string_view name : {testing::kPets1080H264, testing::kPets360H264}) {
      std::optional<std::string> path = testing::SharedMediaFile(name);
      if (!path) {
        std::fprintf(stderr, "%s\n", std::string(testing::kNoSharedMediaMessage).c_str());
        return 1;
      }
      files.push_back(*path);
    }
  }
  std::vector<FileReport> reports;
  for (const std::string& file : files) {
    Result<FileReport> report = RunFile(file, *seconds, static_cast<int>(*viewers));
    if (!report.ok()) {
      std::fprintf(stderr, "%s\n", report.status().ToString().c_str());
      return 1;
    }
    reports.push_back(std::move(*report));
  }
  std::printf("Sightline live view: http::Server (2 network threads) + live::StreamHub, viewers on "
              "127.0.0.1. No peer: see docs/bench/live.md.\n");
  for (const FileReport& r : reports) Print(r, *seconds);
  return 0;
}
