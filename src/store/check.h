#pragma once
// Consistency checks of the index against the files (`sightline check`), and rebuilding the
// index from the files alone (`--rebuild-index`). Run with the recorder stopped.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/env.h"
#include "store/index.h"
#include "store/recovery.h"

namespace sightline::store {

// Checks one segment row against its file: the file holds at least durable_length bytes (and
// exactly that many once closed). With `full`, also that those bytes are the init segment and
// complete fragments with valid CRCs matching the row's fragment table.
Status CheckSegment(Env& env, const std::string& path, const SegmentRow& row, bool full);

struct CheckReport {
  int64_t segments = 0;
  int64_t bad_segments = 0;
  // Segment files without rows (not in garbage) that recovery would not take in: damage.
  int64_t orphan_files = 0;
  // Segment files without rows after their stream's last row, as a crash leaves them (written
  // before their first commit): the next `sightline run` adopts them (recovery step 6 of
  // docs/design/storage.md), or removes one that holds no complete fragment. Not damage.
  int64_t recoverable_files = 0;
  int64_t repaired = 0;
  std::vector<std::string> problems;     // one line each, naming the file
  std::vector<std::string> recoverable;  // one line each, naming the file and what recovery does
  bool ok() const { return bad_segments == 0 && orphan_files == 0; }
};

struct CheckOptions {
  bool full = false;    // verify every fragment's CRC
  bool repair = false;  // cut bad rows to their valid part, adopt or delete orphans
};

// Every row, and every segment file in the directories' <camera>/<stream>/ folders.
Result<CheckReport> CheckStore(Env& env, Index& index, const std::vector<StorageDir>& dirs,
                               const CheckOptions& options);

// Drops every segment row and rebuilds them from the segment files found in `dirs`.
// Evidence locks are lost (they live only in the index); the report says how many.
Result<CheckReport> RebuildIndex(Env& env, Index& index, const std::vector<StorageDir>& dirs);

}  // namespace sightline::store
