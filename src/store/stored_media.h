#pragma once
// Reading recorded media back: where a segment file is, and the keyframe at a moment (for a
// snapshot). The storage formats (fragment tables, segment files) stay inside this layer; the
// API asks here. Blocking file and index reads.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "media/frame.h"
#include "store/env.h"
#include "store/index.h"
#include "store/recovery.h"

namespace sightline::store {

// The segment file's path; NotFound if its directory is not mounted.
Result<std::string> SegmentPath(const std::vector<StorageDir>& dirs,
                                const SegmentRow& row, const std::string& camera,
                                const std::string& stream);

// The wall-clock span [start, end) of the fragments of `segment` that bytes
// [offset, offset + length) of its file overlap: what a byte-range request showed. Nullopt
// when the bytes hold no fragment (only the init segment). DataLoss for a bad fragment table.
Result<std::optional<std::pair<int64_t, int64_t>>> ServedSpan(const SegmentRow& segment,
                                                              uint64_t offset, uint64_t length);

struct StoredKeyframe {
  media::StreamParams params;
  Bytes sample;  // length-prefixed NAL units
  int64_t time_us = 0;
};

// The keyframe that starts the GOP playing at `time_us`. NotFound when nothing was recorded
// then.
Result<StoredKeyframe> ReadKeyframeAt(Env& env, Index& index,
                                      const std::vector<StorageDir>& dirs,
                                      const std::string& camera, const std::string& stream,
                                      int64_t time_us);

}  // namespace sightline::store
