// sightline central: the operations centre's ingestion (docs/design/multisite.md). Subscribes
// to every site's messages on NATS, stores them in PostgreSQL exactly once, and publishes each
// site's watermark after the commit, until SIGINT/SIGTERM.
#include <signal.h>

#include <cstdio>
#include <ctime>
#include <memory>

#include "app/command.h"
#include "app/subcommands.h"
#include "base/logging.h"
#include "central/ingestor.h"
#include "config/config.h"
#include "uplink/nats_client.h"
#include "uplink/protocol.h"

namespace sightline::app {
namespace {

constexpr const char* kHelp = R"(usage: sightline central --config FILE [flags]

Consumes every site's messages (sl.*.up.*) from the NATS server in FILE (central.yaml, see
docs/ref/config.md) into PostgreSQL, each once, and acknowledges them to their sites after the
commit (docs/design/multisite.md). Prints "central: ingesting" once subscribed, and a summary
line at the end. Stops on Ctrl-C/SIGTERM.

flags:
  --config FILE      central.yaml (required)
  --status S         seconds between status lines in the log (default 60; 0: none)
  --log-level L      debug, info, warning, error (default info)
  --log-format F     text (default) or json: one JSON object per line, for journald and
                     log shippers
)";

std::string Summary(const central::IngestorStats& s) {
  return "received=" + std::to_string(s.received) + " ingested=" + std::to_string(s.ingested) +
         " duplicates=" + std::to_string(s.duplicates) + " refused=" + std::to_string(s.refused) +
         " dropped=" + std::to_string(s.dropped) + " batches=" + std::to_string(s.batches) +
         " acks=" + std::to_string(s.acks_published);
}

// Waits for SIGINT or SIGTERM (blocked in every thread), logging the status every status_s.
void WaitForSignal(const sigset_t& signals, int64_t status_s, const central::Ingestor& ingestor) {
  const timespec tick{status_s > 0 ? status_s : 3600, 0};
  while (sigtimedwait(&signals, nullptr, &tick) < 0) {
    if (status_s > 0) {
      SL_LOG(kInfo) << "central " << Summary(ingestor.stats());
    }
  }
}

}  // namespace

int CentralMain(int argc, char** argv) {
  Command cmd("central", kHelp);
  if (std::optional<int> done =
          cmd.Parse({{"config"}, {"status"}, {"log-level"}, {"log-format"}}, argc, argv, {"config"})) {
    return *done;
  }
  Result<int64_t> status_s = cmd.flags().GetInt("status", 60);
  if (!status_s.ok()) return cmd.Fail(status_s.status(), 2);
  Result<config::CentralConfig> cfg = config::LoadCentralConfig(cmd.flags().Get("config"));
  if (!cfg.ok()) return cmd.Fail(cfg.status(), 2);

  // Blocked before any thread starts, so every thread (libnats' too) inherits the mask and
  // only WaitForSignal takes them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Result<std::unique_ptr<uplink::NatsClient>> nats =
      uplink::NatsClient::Connect({cfg->nats.url, cfg->nats.credentials_path, "sightline central"});
  if (!nats.ok()) return cmd.Fail(nats.status(), 1);
  central::IngestorOptions options;
  options.conninfo = cfg->postgres;
  options.link = nats->get();
  Result<std::unique_ptr<central::Ingestor>> ingestor = central::Ingestor::Create(options);
  if (!ingestor.ok()) return cmd.Fail(ingestor.status(), 1);
  central::Ingestor* in = ingestor->get();
  if (Status s = (*nats)->Subscribe(uplink::kAllUpSubjects, [in](std::string_view subject, std::string_view data) {
        in->OnMessage(subject, data);
      });
      !s.ok()) {
    return cmd.Fail(s, 1);
  }
  in->Start();
  std::printf("central: ingesting %s from %s into PostgreSQL\n", uplink::kAllUpSubjects, cfg->nats.url.c_str());
  std::fflush(stdout);

  WaitForSignal(signals, *status_s, *in);
  SL_LOG(kInfo) << "stopping: committing what is queued";
  // The ingestor commits and acknowledges what it holds, then NATS closes.
  in->Stop();
  const central::IngestorStats stats = in->stats();
  nats->reset();
  uplink::ShutdownNatsLibrary();
  std::printf("central summary: %s\n", Summary(stats).c_str());
  std::fflush(stdout);
  return 0;
}

}  // namespace sightline::app
