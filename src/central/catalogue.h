#pragma once
// Catalogue: the centre's PostgreSQL tables (schema.sql) and the one way messages enter them:
// a batch in one transaction, each message stored once whatever how often it arrives, and the
// lanes' watermarks advanced in the same transaction (docs/design/multisite.md). The
// acknowledgements to publish are returned only after the commit. One thread.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "central/pg.h"
#include "central/watermarks.h"
#include "uplink/protocol.h"

namespace sightline::central {

// The table of a lane's messages: "alarms", "events", "audit", "inventory", "health".
std::string_view LaneTable(uplink::Lane lane);

struct CommitResult {
  int64_t inserted = 0;
  int64_t duplicates = 0;  // already stored: resent by a site
  // One acknowledgement per (site, epoch) in the batch, with the lanes the batch touched.
  std::vector<std::pair<std::string, uplink::Ack>> acks;
};

class Catalogue {
 public:
  // Connects and creates the tables that are missing.
  static Result<std::unique_ptr<Catalogue>> Open(const std::string& conninfo);

  // Stores `messages` in one transaction with the new watermarks. On error nothing is stored
  // and the watermarks are as before; InvalidArgument when PostgreSQL refused a statement over
  // a working connection (a message's data), Unavailable when the connection broke.
  Result<CommitResult> Commit(const std::vector<uplink::Message>& messages);
  bool Healthy() const { return pg_->Healthy(); }

 private:
  explicit Catalogue(std::unique_ptr<PgConnection> pg) : pg_(std::move(pg)) {}
  // Inserts the rows; counts new ones and duplicates into `result`.
  Status InsertMessages(const std::vector<uplink::Message>& messages, CommitResult* result);
  // Writes each touched lane's proposed watermark; returns the lanes and their ids.
  Result<std::map<LaneKey, std::vector<int64_t>>> WriteWatermarks(const std::vector<uplink::Message>& messages);
  std::vector<std::pair<std::string, uplink::Ack>> Acks(const std::map<LaneKey, std::vector<int64_t>>& lanes) const;

  std::unique_ptr<PgConnection> pg_;
  Watermarks watermarks_;
};

}  // namespace sightline::central
