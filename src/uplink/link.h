#pragma once
// Link: what the forwarder needs of its connection to the centre; NatsClient is the real one,
// tests use a fake. Implementations are thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sightline::uplink {

class Link {
 public:
  virtual ~Link() = default;
  virtual bool Connected() const = 0;
  // How many times the link has (re)connected. A change means messages sent before it may
  // have been lost with the old connection.
  virtual uint64_t Connections() const = 0;
  virtual Status Publish(const std::string& subject, std::string_view data) = 0;
  // The connection looks up but nothing comes back through it: drop it and dial again. A TCP
  // connection into an outage retransmits with a growing backoff (30 s and more) and the
  // client's pings wait behind the unsent data, so neither notices that the link is back.
  // Called on the forwarder's thread, like Publish.
  virtual void Redial() = 0;
};

}  // namespace sightline::uplink
