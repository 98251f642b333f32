#pragma once
// SegmentWriter: one segment file being written: the init segment, then one fragment per GOP,
// appended; Sync makes what was written durable and moves the durable length. It describes
// itself as an index row (only its durable part). Used by a storage directory's writer thread
// only; not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "media/frame.h"
#include "store/env.h"
#include "store/fragment_table.h"
#include "store/gop_assembler.h"
#include "store/index.h"

namespace sightline::store {

class SegmentWriter {
 public:
  // Creates the file `path` (absolute; its directory must exist) and writes the init
  // segment for `params`. `seq` and `stream_id`, `dir_id` go into the row.
  static Result<std::unique_ptr<SegmentWriter>> Create(Env& env, std::string path,
                                                       const media::StreamParams& params,
                                                       int64_t stream_id, int64_t seq,
                                                       int64_t dir_id);

  // Writes the GOP as one fragment. On error the segment must be abandoned.
  Status Append(const Gop& gop);
  // fdatasync; on success everything appended is durable.
  Status Sync();

  bool has_unsynced_data() const { return file_->size() > durable_length_; }
  bool has_durable_fragments() const { return durable_fragments_ > 0; }
  int64_t duration_90k() const { return decode_time_90k_; }
  const media::StreamParams& params() const { return *params_; }
  const std::string& path() const { return path_; }
  int64_t seq() const { return row_.seq; }

  // The index row describing the durable part; `open` as given.
  SegmentRow DurableRow(bool open) const;

 private:
  SegmentWriter() = default;
  std::string path_;
  std::unique_ptr<WritableFile> file_;
  std::shared_ptr<const media::StreamParams> params_;
  SegmentRow row_;  // identity and format columns
  std::vector<FragmentEntry> fragments_;  // everything appended
  size_t durable_fragments_ = 0;
  uint64_t durable_length_ = 0;
  int64_t decode_time_90k_ = 0;
  int64_t frames_ = 0;
  int64_t durable_frames_ = 0;
};

}  // namespace sightline::store
