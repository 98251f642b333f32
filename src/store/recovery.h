#pragma once
// Opening storage directories and recovering after a crash: docs/design/storage.md, "Opening
// and recovery". Runs on one thread before any writer starts.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/env.h"
#include "store/index.h"

namespace sightline::store {

struct StorageDir {
  int64_t dir_id = 0;
  std::string path;
};

// Checks every directory's meta file against the index (refusing a directory that belongs to
// another index, a missing disk, or an index older than the disk, with a message saying
// which and what to do), initialises new empty directories, and raises the generation in the
// meta files and then in the index. Directories are created if absent. The index's own files
// (`index_path` and its -wal/-shm) may live in a directory without making it "not empty".
//
// With `adopt` (`sightline check --rebuild-index`, for an index that is missing, new, another
// installation's or restored from an old backup), a directory refused for its meta file (none
// in a non-empty directory, another db uuid, a dir uuid the index does not know, another
// generation) is taken over instead: it keeps the index's row of its uuid or its path, else
// gets a new row, and its meta file is rewritten with this index's db uuid. Its segment rows
// are then not to be trusted: RebuildIndex must follow. An empty directory the index has
// recordings in is still refused (an unmounted disk: adopting it would drop its recordings).
Result<std::vector<StorageDir>> OpenStorageDirs(Env& env, Index& index,
                                                const std::vector<std::string>& paths,
                                                const std::string& index_path,
                                                bool adopt = false);

struct RecoveryReport {
  int64_t garbage_removed = 0;
  int64_t open_segments = 0;        // rows that were being written
  int64_t fragments_adopted = 0;    // complete fragments found beyond a durable length
  int64_t bytes_truncated = 0;      // torn tails cut off
  int64_t orphans_adopted = 0;      // files without rows, taken in
  int64_t orphans_deleted = 0;      // files without rows and without a complete fragment
  int64_t segments_lost_data = 0;   // files shorter than their durable length, or missing
  std::string ToString() const;
};

// Steps 4 to 6 of recovery. Every segment row is closed afterwards.
Result<RecoveryReport> Recover(Env& env, Index& index, const std::vector<StorageDir>& dirs,
                               int64_t now_us);

// Describes the valid part of the segment file at `path` as a closed row: its init segment and
// the complete, valid fragments from its start. `valid_end` receives where they end. Fails if
// the file has no valid init segment.
Result<SegmentRow> RowFromFile(Env& env, const std::string& path, int64_t stream_id, int64_t seq,
                               int64_t dir_id, uint64_t* valid_end);

}  // namespace sightline::store
