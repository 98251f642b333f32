#pragma once
// Reading recorded media back: where a segment file is, and the keyframe at a moment (for a
// snapshot). The storage formats (fragment tables, segment files) stay inside this layer; the
// API asks here. Blocking file and index reads.

#include <optional>
#include <string>
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
