#pragma once
// DecodeFile: every picture of a video file, decoded through the same Decoder the live
// analysis uses, as grey planes for the motion detector plus the colour picture. For
// `sightline analyze`-style tools, benchmarks and tests. Runs on the caller's thread.

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "decode/picture.h"
#include "media/grey.h"

namespace sightline::decode {

struct FileDecodeOptions {
  int grey_width = 320;        // see ToGrey
  double max_fps = 0;          // deliver pictures at least 1/max_fps apart (FrameRateCap); 0: all
  bool keyframes_only = false;  // decode keyframes only
};

struct DecodedPicture {
  int64_t pts_90k = 0;
  bool keyframe = false;
  media::GreyPlane grey;
  const Picture* picture = nullptr;  // the colour picture; valid during the callback only
};

// Calls `on_picture` for each delivered picture in display order. Stops at the first error:
// opening or demuxing (naming the file), decoding (naming the frame's pts), or one returned by
// `on_picture`.
Status DecodeFile(const std::string& path, const FileDecodeOptions& options,
                  const std::function<Status(const DecodedPicture&)>& on_picture);

}  // namespace sightline::decode
