#pragma once
// Ingestor: every site's messages into PostgreSQL (docs/design/multisite.md, "The centre").
// NATS delivers on its own thread (OnMessage): each message is parsed at once (a bad one is
// refused, counted and logged, and nothing else is affected) and queued; the ingestor's thread
// commits the queue in batches through the Catalogue and then, and only then, publishes each
// site's watermarks on sl.SITE.ack. A message the queue cannot hold, or that was in a batch
// when PostgreSQL went away, is dropped: its site still has it and sends it again.
//
// Threads: OnMessage and stats from any thread; Start/Stop from one.

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "base/logging.h"
#include "base/mutex.h"
#include "central/catalogue.h"
#include "uplink/link.h"
#include "uplink/protocol.h"

namespace sightline::central {

struct IngestorOptions {
  std::string conninfo;  // libpq connection string
  uplink::Link* link = nullptr;  // where watermarks are published
  size_t max_batch = 500;
  // Messages waiting for PostgreSQL beyond this are dropped (their sites resend them).
  size_t max_queued_bytes = 64 << 20;
  std::chrono::milliseconds reconnect_wait{1000};
};

struct IngestorStats {
  uint64_t received = 0;
  uint64_t ingested = 0;     // new rows committed
  uint64_t duplicates = 0;   // committed before: resends
  uint64_t refused = 0;      // malformed, wrong site for the subject, oversize, refused by PostgreSQL
  uint64_t dropped = 0;      // queue full, or PostgreSQL unavailable: to be resent
  uint64_t batches = 0;
  uint64_t acks_published = 0;
};

class Ingestor {
 public:
  // Connects to PostgreSQL and creates the tables; a bad connection string fails here.
  static Result<std::unique_ptr<Ingestor>> Create(IngestorOptions options);
  ~Ingestor();  // Stop()

  void Start();
  void Stop();  // commits what is queued if PostgreSQL allows, then returns

  void OnMessage(std::string_view subject, std::string_view data);
  IngestorStats stats() const;

 private:
  Ingestor(IngestorOptions options, std::unique_ptr<Catalogue> catalogue);
  void Run();
  // Commits one batch; on a refused statement, retries its messages one by one so that only
  // the bad one is refused.
  void CommitBatch(std::vector<uplink::Message> batch);
  // Commits `batch`, publishes its watermarks and counts; the error as Commit's.
  Status CommitAndAcknowledge(const std::vector<uplink::Message>& batch);
  // Reconnects after PostgreSQL went away; false while it stays away.
  bool EnsureCatalogue();
  void Refuse(const Status& why);    // counted and logged (rate-limited)
  void Drop(size_t messages, const Status& why);  // counted and logged (rate-limited)

  const IngestorOptions options_;
  std::unique_ptr<Catalogue> catalogue_;  // the ingestor's thread only

  mutable Mutex mu_;
  CondVar cv_;
  std::deque<uplink::Message> queue_ SL_GUARDED_BY(mu_);
  size_t queued_bytes_ SL_GUARDED_BY(mu_) = 0;
  bool stopping_ SL_GUARDED_BY(mu_) = false;
  IngestorStats stats_ SL_GUARDED_BY(mu_);
  std::thread thread_;
  LogRateLimiter refusal_log_{std::chrono::minutes(1), 10};
  LogRateLimiter db_log_{std::chrono::minutes(1), 3};
};

}  // namespace sightline::central
