// sightline run: the recorder daemon. Reads sightline.yaml, opens the store (recovering from
// whatever the last run left), connects to every camera stream, records those with role
// `record`, serves the web UI and API (live view, playback, export), until SIGINT/SIGTERM; then
// closes every segment cleanly.
#include <malloc.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "api/api.h"
#include "api/live_sockets.h"
#include "app/camera_setup.h"
#include "app/command.h"
#include "app/motion_analysis.h"
#include "app/mqtt_link.h"
#include "app/camera_events.h"
#include "app/onvif_directory.h"
#include "app/onvif_streams.h"
#include "app/ptz_control.h"
#include "app/run_metrics.h"
#include "app/service_notifier.h"
#include "app/site.h"
#include "app/site_uplink.h"
#include "app/store_options.h"
#include "app/subcommands.h"
#include "app/version.h"
#include "app/webhook_link.h"
#include "auth/account_store.h"
#include "auth/audit_maintenance.h"
#include "base/flags.h"
#include "base/logging.h"
#include "base/shutdown.h"
#include "config/config.h"
#include "http/server.h"
#include "store/store.h"

namespace sightline::app {
namespace {

constexpr const char* kHelp = R"(usage: sightline run --config FILE [flags]

Connects to every camera stream in FILE (see docs/ref/config.md), records those with role
`record` into the storage directories, crash-safely (docs/design/storage.md), and serves the
web UI and the HTTP API (docs/ref/api.md) at http.listen. Stops cleanly on Ctrl-C/SIGTERM.
Prints "http: serving URL" once the server listens.

flags:
  --config FILE      sightline.yaml (required)
  --threads N        network threads (default 2)
  --status S         seconds between status lines in the log (default 60; 0: none)
  --duration S       stop after S seconds (default: run until Ctrl-C/SIGTERM)
  --log-level L      debug, info, warning, error (default info)
  --log-format F     text (default) or json: one JSON object per line on stderr, for
                     journald and log shippers ({"time":...,"level":...,"msg":...})
)";

// The built web UI: the config's http.ui_dir, else web/dist of the source tree the binary was
// built in (the nearest folder above the binary that has one: build/release/src/app/sightline
// finds web/dist), else an installed copy. Empty if none.
std::string FindUiDir(const config::Config& cfg) {
  if (!cfg.http.ui_dir.empty()) return cfg.http.ui_dir;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (std::filesystem::path dir = exe.parent_path(); dir.has_relative_path(); dir = dir.parent_path()) {
    if (std::filesystem::exists(dir / "web/dist/index.html", ec)) return (dir / "web/dist").string();
  }
  const std::filesystem::path installed = exe.parent_path().parent_path() / "share/sightline/web";
  if (std::filesystem::exists(installed / "index.html", ec)) return installed.string();
  return {};
}

http::ServerOptions HttpOptions(const config::Config& cfg) {
  http::ServerOptions o;
  o.listen = cfg.http.listen;
  o.max_connections = static_cast<size_t>(cfg.http.max_connections);
  o.max_connections_per_ip = static_cast<size_t>(cfg.http.max_connections_per_ip);
  if (cfg.http.tls.has_value()) o.tls = http::TlsOptions{cfg.http.tls->cert_path, cfg.http.tls->key_path};
  o.guard.allowed_hosts = cfg.http.allowed_hosts;
  api::SetRouteLimits(o);
  return o;
}

// Metrics (config `metrics`, off by default): the registry, or null when off.
Result<std::unique_ptr<RunMetrics>> StartMetrics(const config::Config& cfg) {
  if (!cfg.metrics.enabled) return std::unique_ptr<RunMetrics>();
  return RunMetrics::Create(kVersion);
}

// Has `metrics` (when on) count what it needs and read what the parts count, and serves it.
void WireMetrics(RunMetrics* metrics, const config::Config& cfg, const Site& site, const MotionAnalysis& analysis,
                 const store::Store& store, auth::AccountStore& accounts, const WebhookLink* webhooks,
                 const OnvifStreams& onvif, const CameraEvents& camera_events, api::ApiDeps& deps) {
  if (metrics == nullptr) return;
  metrics->WatchSite(site);
  metrics->WatchWebhooks(webhooks);
  metrics->WatchOnvif(onvif, camera_events);
  metrics->WatchAnalysis(analysis);
  metrics->WatchStore(store, cfg.storage.dirs);
  metrics->WatchAudit(accounts);
  deps.metrics = &metrics->registry();
  deps.metrics_access = {cfg.metrics.token, cfg.metrics.allow};
  SL_LOG(kInfo) << "metrics: serving GET /metrics to " << (cfg.metrics.token.empty() ? "no" : "one")
                << " bearer token and " << cfg.metrics.allow.size() << " allowed networks";
}

void LogIndexStatus(const store::Store& store) {
  const store::IndexWriterStats i = store.index_stats();
  SL_LOG(kInfo) << "index commits=" << i.commits << " commit_errors=" << i.commit_errors
                << " segments_deleted=" << i.segments_deleted;
}

}  // namespace

int RunMain(int argc, char** argv) {
  // GOP-sized buffers (about 1 MB at 4 Mbit/s) are mapped and unmapped with each use rather
  // than kept by glibc's adaptive threshold in per-thread heaps: RSS then follows live data,
  // about 1.3 MB per 4 Mbit/s camera instead of 1.7 MB (docs/bench/record.md).
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  Command cmd("run", kHelp);
  if (std::optional<int> done = cmd.Parse(
          {{"config"}, {"threads"}, {"status"}, {"duration"}, {"log-level"}, {"log-format"}}, argc,
          argv, {"config"})) {
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

  // Before the store (it times index commits) and the server (which scrapes it).
  Result<std::unique_ptr<RunMetrics>> metrics = StartMetrics(*cfg);
  if (!metrics.ok()) return fail(metrics.status(), 1);
  RealClock clock;
  store::StoreOptions store_options = StoreOptionsFromConfig(*cfg, clock);
  if (*metrics) store_options.on_commit = (*metrics)->CommitObserver();
  Result<std::unique_ptr<store::Store>> store = store::Store::Open(store_options, RecordedStreams(*cfg));
  if (!store.ok()) return fail(store.status(), 1);

  auth::AccountStoreOptions account_options;
  account_options.clock = &clock;
  account_options.session_idle = std::chrono::seconds(cfg->auth.session_idle_s);
  account_options.session_lifetime = std::chrono::seconds(cfg->auth.session_max_s);
  Result<std::unique_ptr<auth::AccountStore>> accounts =
      auth::AccountStore::Open(cfg->storage.index_path, account_options);
  if (!accounts.ok()) return fail(accounts.status(), 1);
  if (Result<bool> any = (*accounts)->HasUsers(); any.ok() && !*any) {
    SL_LOG(kWarning) << "there are no users yet, so the web UI and API serve nothing but how to "
                        "create one: sightline user add NAME --role admin --config "
                     << flags->Get("config");
  }

  // Without `site:` this only makes sure no outbox fills up; with it, the forwarder runs on its
  // own thread until this goes out of scope, before the store.
  Result<std::unique_ptr<SiteUplink>> uplink = SiteUplink::Start(cfg->site, cfg->storage.index_path, clock);
  if (!uplink.ok()) return fail(uplink.status(), 1);

  // Declared after the store it uses and stopped (writing every pending audit row) when it
  // goes out of scope, after the server and its handlers.
  auth::AuditMaintenance audit_maintenance(
      **accounts, {.retention = std::chrono::seconds(cfg->auth.audit_retention_s)});
  // Before the server and its io_context, so that it outlives every live socket.
  api::LiveSockets live_sockets(**accounts, clock);

  // Before the analysis, which tells it about events; connected once the site exists.
  std::unique_ptr<MqttLink> mqtt;
  if (cfg->mqtt.has_value()) {
    Result<std::unique_ptr<MqttLink>> link = MqttLink::Open(*cfg, accounts->get(), clock);
    if (!link.ok()) return fail(link.status(), 1);
    mqtt = std::move(*link);
  }

  std::unique_ptr<WebhookLink> webhooks = WebhookLink::Start(*cfg, clock);
  ObserverList event_observers({mqtt.get(), webhooks.get()});

  Result<std::unique_ptr<MotionAnalysis>> motion = MotionAnalysis::Start(*cfg, **store, &event_observers);
  if (!motion.ok()) return fail(motion.status(), 2);
  MotionAnalysis* analysis = motion->get();

  // Finds the stream URLs of `onvif:` cameras; before the site, whose clients ask it, and
  // started once the site exists, which it tells when a camera's URLs become known.
  Site* site_for_onvif = nullptr;
  OnvifStreams onvif(*cfg, clock, {.on_resolved = [&site_for_onvif](const std::string& camera) {
                       if (site_for_onvif != nullptr) site_for_onvif->RetryNow(camera);
                     }});

  boost::asio::io_context io(static_cast<int>(*threads));
  Site site(
      *cfg, store->get(), io.get_executor(), clock,
      [analysis](const std::string& camera, const std::string& stream) { return analysis->SinkFor(camera, stream); },
      [&onvif](const std::string& camera, const std::string& stream) { return onvif.UrlSource(camera, stream); });
  site_for_onvif = &site;
  onvif.Start();
  // The events `onvif:` cameras report themselves; stopped (ending their open events) before
  // the store closes.
  CameraEvents camera_events(*cfg, **store, clock);
  camera_events.Start();

  // PTZ of the onvif: cameras, for the API; it outlives the server declared below.
  OnvifPtz ptz(*cfg);
  // The "Add cameras" page: finds ONVIF cameras and writes new ones into this config file.
  OnvifCameraSetup camera_setup(flags->Get("config"), *cfg, clock);
  // The API's view of the cameras: the site's, with what their ONVIF devices say.
  OnvifCameraDirectory directory(site, *cfg, onvif, camera_events);
  api::ApiDeps deps;
  deps.accounts = accounts->get();
  deps.live_sockets = &live_sockets;
  deps.cameras = &directory;
  deps.ptz = &ptz;
  deps.camera_setup = &camera_setup;
  deps.clock = &clock;
  deps.env = store::DefaultEnv();
  deps.index_path = cfg->storage.index_path;
  for (const config::StorageDir& d : cfg->storage.dirs) {
    deps.storage_paths.push_back(d.path);
    deps.storage_min_free_bytes.push_back(static_cast<uint64_t>(d.min_free_bytes));
  }
  deps.ui_dir = FindUiDir(*cfg);
  deps.max_exports = static_cast<size_t>(cfg->http.max_exports);
  deps.version = std::string(kVersion);
  deps.secure_cookies = cfg->http.secure_cookies;
  if (deps.ui_dir.empty()) {
    SL_LOG(kWarning) << "the web UI is not built (scripts/build_web.sh); serving the API only";
  }
  WireMetrics(metrics->get(), *cfg, site, *analysis, **store, **accounts, webhooks.get(), onvif, camera_events,
              deps);
  http::ServerOptions http_options = HttpOptions(*cfg);
  if (*metrics) http_options.on_response = (*metrics)->ResponseObserver();
  http::Server server(io.get_executor(), std::move(http_options), api::MakeRouter(deps));
  if (Status s = server.Start(); !s.ok()) return fail(s, 1);
  const std::string scheme = cfg->http.tls.has_value() ? "https" : "http";
  const std::string host = cfg->http.listen.substr(0, cfg->http.listen.rfind(':'));
  const std::string url = scheme + "://" + host + ":" + std::to_string(server.port()) + "/";
  std::printf("http: serving %s\n", url.c_str());
  std::fflush(stdout);

  if (mqtt != nullptr) {
    if (Status s = mqtt->Start(analysis, &site); !s.ok()) return fail(s, 1);
  }
  // A camera on the LAN answers in well under a second; one that does not is retried and its
  // streams connect when it answers, without holding up the others.
  if (!onvif.empty()) onvif.WaitForFirstRound(std::chrono::seconds(5));
  site.Start();
  SL_LOG(kInfo) << "running " << site.stream_count() << " streams, analysing motion on "
                << analysis->analysers();
  // Ready once it serves and every stream's client runs, whether or not its camera answers yet:
  // an offline camera must not fail `systemctl start`, it is reported like any outage.
  ServiceNotifier notifier;
  notifier.Ready(std::to_string(site.stream_count()) + " streams, serving " + url);

  // The supervisor re-arms its timer from its own handler, so it runs on a strand of its own
  // and shutdown cancels it there: a cancel from another io thread while the handler ran let it
  // re-arm afterwards, and io.run() never returned (seen as a hung Ctrl-C under load).
  auto supervise_strand = boost::asio::make_strand(io);
  boost::asio::steady_timer supervise_timer(supervise_strand);
  boost::asio::steady_timer stop_timer(io);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  Shutdown shutdown;
  shutdown.OnRequest([&] {
    notifier.Stopping();
    boost::asio::post(supervise_strand, [&supervise_timer] { supervise_timer.cancel(); });
    stop_timer.cancel();
    signals.cancel();
    server.Stop();
    onvif.Stop();  // before the site, which it tells of cameras it found
    site.Stop();
    live_sockets.StopChecks();  // no check may hold a socket once `io` is gone
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
  auto last_status = std::chrono::steady_clock::now();
  std::function<void()> supervise = [&] {
    supervise_timer.expires_after(std::chrono::seconds(1));
    supervise_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec || shutdown.requested()) return;
      // From the event loop itself: a loop that hangs stops the pings and systemd restarts us.
      notifier.Watchdog();
      site.Supervise();
      if (mqtt != nullptr) mqtt->Supervise();
      if (webhooks != nullptr) webhooks->Supervise(site.Cameras());
      const auto now = std::chrono::steady_clock::now();
      if (*status_s > 0 && now - last_status >= std::chrono::seconds(*status_s)) {
        last_status = now;
        site.LogStatus();
        LogIndexStatus(**store);
        if (*uplink) {
          SL_LOG(kInfo) << (*uplink)->Describe();
        }
      }
      supervise();
    });
  };
  supervise();

  std::vector<std::thread> pool;
  for (int64_t i = 1; i < *threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& t : pool) t.join();
  SL_LOG(kInfo) << "stopping: ending motion events, closing segments";
  analysis->Stop();
  camera_events.Stop();
  if (mqtt != nullptr) mqtt->Stop();  // after the analysis: its last events go out first
  if (webhooks != nullptr) webhooks->Stop();
  (*store)->Close();
  site.LogStatus();
  LogIndexStatus(**store);
  // One line on stdout for scripts (bench/record.py): totals over every stream.
  std::printf("run summary: %s\n", site.Summary().c_str());
  std::fflush(stdout);
  return 0;
}

}  // namespace sightline::app
