#pragma once
// SiteUplink: the uplink as `sightline run` wires it (docs/design/multisite.md). With a
// `site:` section it installs the outbox into the index database, connects to NATS (retrying
// in the background for ever: the daemon never waits for the link) and runs the forwarder.
// Without one it removes the outbox's triggers, so that a single site records nothing extra.
// Destroy it before the store: the forwarder stops first, then the NATS connection.

#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "config/config.h"
#include "uplink/forwarder.h"
#include "uplink/nats_client.h"
#include "uplink/outbox.h"

namespace sightline::app {

class SiteUplink {
 public:
  // nullptr without `site`.
  static Result<std::unique_ptr<SiteUplink>> Start(const std::optional<config::SiteConfig>& site,
                                                   const std::string& index_path, const Clock& clock);
  ~SiteUplink();

  // One line for the periodic status log: connection, messages sent, watermarks.
  std::string Describe() const;

 private:
  SiteUplink() = default;
  std::unique_ptr<uplink::Outbox> outbox_;
  std::unique_ptr<uplink::NatsClient> nats_;
  std::unique_ptr<uplink::Forwarder> forwarder_;
};

}  // namespace sightline::app
