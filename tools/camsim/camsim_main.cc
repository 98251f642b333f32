#include "tools/camsim/camsim_main.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/flags.h"
#include "base/logging.h"
#include "tools/camsim/server.h"

namespace sightline::camsim {
namespace {

constexpr const char* kHelp = R"(usage: sightline camsim --camera SPEC [--camera SPEC ...] [flags]

Serves looping MP4 or raw Annex B files (H.264/H.265) as RTSP cameras, paced by the files'
timestamps, over TCP (interleaved) and UDP, with optional Digest auth and per-camera faults.

  sightline camsim --listen 127.0.0.1:8554 --camera 'name=cam{0..99},file=clip.mp4'
  ffplay rtsp://127.0.0.1:8554/cam0

flags:
  --listen HOST:PORT       address to serve on (default 127.0.0.1:8554; port 0: any free port)
  --camera SPEC            comma-separated key=value (repeatable):
                             name=NAME        URL path; ranges expand: cam{0..99}, cam{000..999}
                             file=FILE        .mp4 (or other container), .h264/.264, .h265/.hevc
                             fps=F            frame rate of a raw Annex B file (default: SPS or 25)
                             start=S          clip position at server start, in s (default:
                                              cameras spread over the clip; give a main
                                              stream and its substream the same start)
                             clock_offset=MS  the camera's clock (its RTCP sender reports) is
                                              MS ms ahead of ours (negative: behind)
                             user=U,password=P   this camera's Digest credentials
                           faults (periods in seconds of streaming):
                             drop=N           close the connection every N s
                             stall=S/N        send nothing for S s every N s
                             garbage=N        100-2000 random bytes between frames every N s
                             gap=N            skip 1-5 RTP packets (sequence gap) every N s
                             tsjump=N         RTP timestamps jump +10 s every N s
                             spschange=N,alt=FILE   switch between file and alt every N s
                             slow=MS          delay responses by MS ms, packets in small writes
                             sub=NAME         camera NAME is this one's substream (a second
                                              ONVIF profile; not an ONVIF device itself)
                           quirks (repeatable): quirk=no-sprop, bad-sprop, marker-never,
                             marker-always, stray-channel, rtcp-before-play, bogus-rtpinfo,
                             no-session-name, annexb-in-rtp, no-sr (no RTCP sender reports)
                           ONVIF quirks: onvif-amp (raw & in stream URIs), onvif-xaddr-wrong,
                             onvif-xaddr-relative, onvif-soap11, onvif-digest-only,
                             onvif-token-only
  --onvif HOST:PORT        serve ONVIF (Device, Media, Media2, PTZ) over HTTP:
                             http://HOST:PORT/onvif/NAME/device_service (and
                             /onvif/device_service when there is one device)
  --ws-discovery           answer WS-Discovery probes (UDP 3702, group 239.255.255.250) on
                             the interface of --onvif's HOST (an IPv4 address); Hello and Bye
  --discovery-delay-ms MS  answers to a probe wait a random 0..MS ms (default 100)
  --speed X                playback speed factor (default 1.0)
  --user U --password P    Digest credentials for cameras without their own
  --session-timeout S      close sessions idle (no request, no RTCP) for S s (default 60)
  --stats-interval S       print per-camera statistics every S s (default 10; 0: never)
  --duration S             stop after S s (default: until Ctrl-C)
  --log-level L            debug, info, warning, error (default info)
)";

void PrintStats(const Server& server, std::vector<CameraStats>& last, double seconds) {
  const std::vector<std::string> names = server.camera_names();
  last.resize(names.size());
  CameraStats total;
  std::vector<std::string> lines;
  size_t shown = 0, hidden = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    const CameraStats s = server.stats(names[i]).value_or(CameraStats());
    const double kbps = static_cast<double>(s.bytes_sent - last[i].bytes_sent) * 8 / 1000 / seconds;
    total += s;
    last[i] = s;
    if (s.sessions_started == 0 && s.auth_failures == 0) continue;
    // With a thousand cameras, list the first few that have been used and count the rest.
    if (shown++ >= 20) {
      ++hidden;
      continue;
    }
    char line[256];
    std::snprintf(line, sizeof(line), "  %-20s %8llu %6llu %9.1f %10llu %8llu %6llu %6llu\n",
                  names[i].c_str(), static_cast<unsigned long long>(s.sessions_started),
                  static_cast<unsigned long long>(s.sessions_active), kbps,
                  static_cast<unsigned long long>(s.packets_sent),
                  static_cast<unsigned long long>(s.frames_skipped),
                  static_cast<unsigned long long>(s.auth_failures),
                  static_cast<unsigned long long>(s.faults_injected));
    lines.push_back(line);
  }
  std::printf(
      "camsim: cameras=%zu sessions_active=%llu sessions=%llu packets=%llu bytes=%llu "
      "frames_skipped=%llu auth_failures=%llu faults=%llu\n",
      names.size(), static_cast<unsigned long long>(total.sessions_active),
      static_cast<unsigned long long>(total.sessions_started),
      static_cast<unsigned long long>(total.packets_sent),
      static_cast<unsigned long long>(total.bytes_sent),
      static_cast<unsigned long long>(total.frames_skipped),
      static_cast<unsigned long long>(total.auth_failures),
      static_cast<unsigned long long>(total.faults_injected));
  if (!lines.empty()) {
    std::printf("  %-20s %8s %6s %9s %10s %8s %6s %6s\n", "camera", "sessions", "active", "kbit/s",
                "packets", "skipped", "auth", "faults");
    for (const std::string& l : lines) std::fputs(l.c_str(), stdout);
    if (hidden > 0) std::printf("  (%zu more cameras with sessions)\n", hidden);
  }
  std::fflush(stdout);
}

}  // namespace

int CamsimMain(int argc, char** argv) {
  Result<Flags> flags = Flags::Parse({{"listen"},
                                      {"camera", true, true},
                                      {"speed"},
                                      {"user"},
                                      {"password"},
                                      {"session-timeout"},
                                      {"stats-interval"},
                                      {"duration"},
                                      {"log-level"},
                                      {"onvif"},
                                      {"ws-discovery", false},
                                      {"discovery-delay-ms"}},
                                     argc, argv, 1);
  if (!flags.ok()) {
    std::fprintf(stderr, "sightline camsim: %s\n\n%s", flags.status().message().c_str(), kHelp);
    return 2;
  }
  if (flags->help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "sightline camsim: %s\n", s.message().c_str());
    return 2;
  };
  LogLevel level = LogLevel::kInfo;
  if (flags->Has("log-level") && !ParseLogLevel(flags->Get("log-level"), &level)) {
    return fail(
        InvalidArgumentError("--log-level: unknown level '" + flags->Get("log-level") + "'"));
  }
  SetMinLogLevel(level);

  Options options;
  options.listen = flags->Get("listen", options.listen);
  options.user = flags->Get("user");
  options.password = flags->Get("password");
  // Unquoted, a shell expands `--camera name=cam{0..2},file=f` itself into one --camera and
  // two more words; those words are camera specs too.
  std::vector<std::string> specs = flags->GetAll("camera");
  for (const std::string& p : flags->positional()) {
    if (p.find("name=") == std::string::npos) {
      return fail(InvalidArgumentError("unexpected argument '" + p + "'"));
    }
    specs.push_back(p);
  }
  for (const std::string& spec : specs) {
    Result<std::vector<CameraSpec>> cams = ParseCameraSpec(spec);
    if (!cams.ok()) return fail(cams.status().WithContext("--camera " + spec));
    for (CameraSpec& c : *cams) options.cameras.push_back(std::move(c));
  }
  if (options.cameras.empty()) return fail(InvalidArgumentError("no --camera given (see --help)"));
  Result<double> speed = flags->GetDouble("speed", 1.0);
  Result<int64_t> timeout = flags->GetInt("session-timeout", 60);
  Result<int64_t> interval = flags->GetInt("stats-interval", 10);
  Result<int64_t> duration = flags->GetInt("duration", 0);
  Result<int64_t> discovery_delay = flags->GetInt("discovery-delay-ms", 100);
  if (!speed.ok()) return fail(speed.status());
  for (const auto* r : {&timeout, &interval, &duration, &discovery_delay}) {
    if (!r->ok()) return fail(r->status());
  }
  if (*timeout < 1) return fail(InvalidArgumentError("--session-timeout must be at least 1"));
  if (*discovery_delay < 0 || *discovery_delay > 5000) {
    return fail(InvalidArgumentError("--discovery-delay-ms must be in 0..5000"));
  }
  options.onvif_listen = flags->Get("onvif");
  options.ws_discovery = flags->Has("ws-discovery");
  options.discovery_max_delay = std::chrono::milliseconds(*discovery_delay);
  if (options.ws_discovery && options.onvif_listen.empty()) {
    return fail(InvalidArgumentError("--ws-discovery needs --onvif HOST:PORT"));
  }
  options.speed = *speed;
  options.session_timeout = std::chrono::seconds(*timeout);

  const std::string options_onvif = options.onvif_listen;
  boost::asio::io_context io(1);
  Result<std::unique_ptr<Server>> server = Server::Start(io, std::move(options));
  if (!server.ok()) return fail(server.status());
  const std::string host = ParseListenAddress(flags->Get("listen", "127.0.0.1:8554"))->first;
  std::printf("camsim: serving %zu cameras, e.g. rtsp://%s:%u/%s\n",
              (*server)->camera_names().size(),
              host.find(':') != std::string::npos ? ("[" + host + "]").c_str() : host.c_str(),
              (*server)->port(), (*server)->camera_names().front().c_str());
  if ((*server)->onvif_port() != 0) {
    const std::string onvif_host = ParseListenAddress(options_onvif)->first;
    std::printf("camsim: onvif http://%s:%u/onvif/NAME/device_service\n",
                onvif_host.find(':') != std::string::npos ? ("[" + onvif_host + "]").c_str()
                                                          : onvif_host.c_str(),
                (*server)->onvif_port());
  }
  std::fflush(stdout);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer stats_timer(io);
  boost::asio::steady_timer stop_timer(io);
  std::vector<CameraStats> last;
  auto last_print = std::chrono::steady_clock::now();
  auto print = [&] {
    const auto now = std::chrono::steady_clock::now();
    PrintStats(**server, last,
               std::max(0.001, std::chrono::duration<double>(now - last_print).count()));
    last_print = now;
  };
  auto stop = [&] {
    signals.cancel();
    stats_timer.cancel();
    stop_timer.cancel();
    (*server)->Stop();
  };
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) stop();
  });
  if (*duration > 0) {
    stop_timer.expires_after(std::chrono::seconds(*duration));
    stop_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) stop();
    });
  }
  std::function<void()> arm_stats = [&] {
    stats_timer.expires_after(std::chrono::seconds(*interval));
    stats_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      print();
      arm_stats();
    });
  };
  if (*interval > 0) arm_stats();
  io.run();
  print();
  return 0;
}

}  // namespace sightline::camsim
