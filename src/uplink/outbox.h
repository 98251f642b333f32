#pragma once
// Outbox: the site's messages to the centre, kept in the recording index's database until the
// centre has committed them (docs/design/multisite.md, "The outbox"). The rows are written by
// SQLite triggers (outbox.sql) in the transaction of the row they report; this class installs
// those triggers, and reads and deletes rows for the forwarder.
// One object per connection, used by one thread at a time (the forwarder's).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/sqlite.h"
#include "uplink/protocol.h"

namespace sightline::uplink {

struct OutboxRow {
  Lane lane = Lane::kEvent;
  int64_t seq = 0;
  std::string kind;
  int64_t time_us = 0;
  std::string body;  // a JSON object
};

struct LaneBacklog {
  int64_t rows = 0;      // waiting for the centre's acknowledgement
  int64_t last_seq = 0;  // the last id given out (0: none yet)
};

class Outbox {
 public:
  // Creates the outbox tables and triggers in `db` (the index database, whose store and auth
  // tables must exist) if they are missing, in one transaction. Idempotent; run at every start
  // with `site:`.
  static Status Install(store::Db& db);
  // Drops the triggers, so that nothing more is recorded (a site whose `site:` section was
  // removed); the rows and id counters stay for when it returns. Returns the rows left unsent.
  static Result<int64_t> Uninstall(store::Db& db);

  // Opens its own connection to the installed outbox at `index_path`.
  static Result<std::unique_ptr<Outbox>> Open(const std::string& index_path);

  const std::string& epoch() const { return epoch_; }

  // Up to `limit` rows of `lane` with seq > after_seq, in id order.
  Result<std::vector<OutboxRow>> ReadAfter(Lane lane, int64_t after_seq, int limit);
  // Deletes the rows of `lane` with seq <= seq: only ever called with the centre's watermark.
  Status DeleteThrough(Lane lane, int64_t seq);
  // The highest id of `lane` known acknowledged: below its oldest row, or its last id when it
  // has none (every row deleted, so every row acknowledged).
  Result<int64_t> AcknowledgedThrough(Lane lane);
  Result<LaneBacklog> Backlog(Lane lane);

 private:
  Outbox(std::unique_ptr<store::Db> db, std::string epoch) : db_(std::move(db)), epoch_(std::move(epoch)) {}
  std::unique_ptr<store::Db> db_;
  std::string epoch_;
};

}  // namespace sightline::uplink
