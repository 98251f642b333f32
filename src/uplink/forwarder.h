#pragma once
// Forwarder: sends the site's outbox to the centre (docs/design/multisite.md): lane by lane in
// priority order, each lane in id order, within a window bounded in bytes and the link
// budget's rate; reads the centre's watermarks and deletes the outbox rows at or below them,
// never others. It resends from the watermark after a reconnect or when acknowledgements
// stall, for ever: a link that is down costs nothing but a growing outbox.
//
// Threads: Start runs the loop on its own thread (Step, every poll_interval or when an
// acknowledgement arrives); OnAckMessage and stats from any thread. Recording and the API
// never wait for it: it shares only the SQLite file, with short transactions.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "base/clock.h"
#include "base/logging.h"
#include "base/mutex.h"
#include "uplink/link.h"
#include "uplink/outbox.h"
#include "uplink/send_window.h"
#include "uplink/token_bucket.h"

namespace sightline::uplink {

struct ForwarderOptions {
  std::string site;          // IsValidSiteName
  Outbox* outbox = nullptr;  // used only on the forwarder's thread (or Step's caller)
  Link* link = nullptr;
  const Clock* clock = nullptr;
  WindowOptions window;
  int64_t link_bytes_per_s = 32 * 1024;  // site.link_kbit_s
  std::chrono::milliseconds poll_interval{100};
};

struct ForwarderStats {
  uint64_t messages_sent = 0;   // including resends
  uint64_t bytes_sent = 0;
  uint64_t rewinds = 0;         // go-back-N resends (reconnects, stalled acknowledgements)
  uint64_t redials = 0;         // connections dropped after two stalls in a row (Link::Redial)
  uint64_t acks = 0;            // acknowledgements that moved a watermark
  uint64_t acks_refused = 0;    // malformed, or for another epoch
  uint64_t oversize = 0;        // rows sent as a stub (kMaxMessageBytes)
  uint64_t errors = 0;          // outbox or link errors (the step is retried)
  std::array<int64_t, kLaneCount> acked{};  // each lane's watermark as last heard
};

class Forwarder {
 public:
  // Reads each lane's acknowledged id from the outbox (rows below its oldest were deleted, so
  // acknowledged): everything after it is sent again, and duplicates are the centre's to drop.
  static Result<std::unique_ptr<Forwarder>> Create(ForwarderOptions options);
  ~Forwarder();  // Stop()

  void Start();
  void Stop();

  // A message on sl.SITE.ack; any thread. Applied at the next step.
  void OnAckMessage(std::string_view data);
  ForwarderStats stats() const;

  // One round: notice reconnects, apply acknowledgements (deleting outbox rows), rewind a
  // stalled window, send what the window and the budget allow. For tests without the thread.
  Status Step();

 private:
  explicit Forwarder(ForwarderOptions options);
  void Run();
  // Applies the watermarks received since the last step.
  Status ApplyAcks();
  // Sends the lane's unsent rows while the window and the budget allow. Returns false when
  // blocked (lower lanes must then wait: strict priority).
  Result<bool> SendLane(Lane lane);
  // The row as a message on the wire; a stub body when it would exceed kMaxMessageBytes.
  Result<std::string> Encode(const OutboxRow& row);

  const ForwarderOptions options_;
  SendWindow window_;    // Step's thread only
  TokenBucket budget_;   // Step's thread only
  uint64_t seen_connections_ = 0;
  int stalls_in_a_row_ = 0;  // ack_timeouts without an acknowledgement; Step's thread only

  mutable Mutex mu_;
  CondVar cv_;
  std::array<std::optional<int64_t>, kLaneCount> pending_acks_ SL_GUARDED_BY(mu_);
  bool wake_ SL_GUARDED_BY(mu_) = false;
  bool stopping_ SL_GUARDED_BY(mu_) = false;
  ForwarderStats stats_ SL_GUARDED_BY(mu_);
  std::thread thread_;
  LogRateLimiter error_log_{std::chrono::minutes(1), 3};
};

}  // namespace sightline::uplink
