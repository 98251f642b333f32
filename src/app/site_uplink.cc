#include "app/site_uplink.h"

#include <algorithm>

#include "base/logging.h"
#include "store/sqlite.h"
#include "uplink/protocol.h"

namespace sightline::app {
namespace {

// Without `site:`: stop recording into an outbox an earlier run may have installed.
Status RemoveOutbox(const std::string& index_path) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Db> db, store::Db::Open(index_path, /*read_only=*/false));
  ASSIGN_OR_RETURN(int64_t left, uplink::Outbox::Uninstall(*db));
  if (left > 0) {
    SL_LOG(kWarning) << "uplink: no site: section, so nothing is reported to a centre; " << left
                     << " messages stay in the outbox until it returns";
  }
  return Status();
}

}  // namespace

Result<std::unique_ptr<SiteUplink>> SiteUplink::Start(const std::optional<config::SiteConfig>& site,
                                                      const std::string& index_path, const Clock& clock) {
  if (!site) {
    RETURN_IF_ERROR(RemoveOutbox(index_path));
    return std::unique_ptr<SiteUplink>();
  }
  {
    ASSIGN_OR_RETURN(std::unique_ptr<store::Db> db, store::Db::Open(index_path, /*read_only=*/false));
    RETURN_IF_ERROR(uplink::Outbox::Install(*db));
  }
  std::unique_ptr<SiteUplink> u(new SiteUplink());
  ASSIGN_OR_RETURN(u->outbox_, uplink::Outbox::Open(index_path));
  ASSIGN_OR_RETURN(u->nats_, uplink::NatsClient::Connect(
                                 {site->nats.url, site->nats.credentials_path, "sightline site " + site->name}));
  uplink::ForwarderOptions options;
  options.site = site->name;
  options.outbox = u->outbox_.get();
  options.link = u->nats_.get();
  options.clock = &clock;
  options.link_bytes_per_s = site->link_kbit_s * 1000 / 8;
  // Two seconds of the link in flight, at least 16 KiB and at most 1 MiB.
  options.window.max_bytes = static_cast<size_t>(std::clamp<int64_t>(options.link_bytes_per_s * 2, 16 << 10, 1 << 20));
  options.window.alarm_reserve_bytes = options.window.max_bytes / 8;
  ASSIGN_OR_RETURN(u->forwarder_, uplink::Forwarder::Create(options));
  uplink::Forwarder* forwarder = u->forwarder_.get();
  RETURN_IF_ERROR(u->nats_->Subscribe(uplink::AckSubject(site->name),
                                      [forwarder](std::string_view, std::string_view data) {
                                        forwarder->OnAckMessage(data);
                                      }));
  u->forwarder_->Start();
  SL_LOG(kInfo) << "uplink: site=" << site->name << " epoch=" << u->outbox_->epoch() << " reporting to "
                << site->nats.url << " within " << site->link_kbit_s << " kbit/s";
  return u;
}

SiteUplink::~SiteUplink() {
  if (forwarder_) forwarder_->Stop();
  // The NATS connection (and its ack handler) goes before the forwarder it calls.
  nats_.reset();
  forwarder_.reset();
  uplink::ShutdownNatsLibrary();  // the daemon's only NATS user, destroyed at its end
}

std::string SiteUplink::Describe() const {
  const uplink::ForwarderStats s = forwarder_->stats();
  std::string out = std::string("uplink ") + (nats_->Connected() ? "connected" : "disconnected") +
                    " sent=" + std::to_string(s.messages_sent) + " bytes=" + std::to_string(s.bytes_sent) +
                    " rewinds=" + std::to_string(s.rewinds) + " acked";
  for (uplink::Lane lane : uplink::kLanesByPriority) {
    out += " " + std::string(uplink::LaneName(lane)) + "=" + std::to_string(s.acked[static_cast<int>(lane)]);
  }
  return out;
}

}  // namespace sightline::app
