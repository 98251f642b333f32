#pragma once
// FileReader: the video frames of a file (MP4, or a raw H.264/H.265 Annex B stream) as
// media::Frame, exactly as ingest would deliver them from a camera: length-prefixed NAL units,
// keyframe flags, and StreamParams that follow the parameter sets in the file (the container's
// decoder configuration first, then any in-band change). Demuxing is libavformat's.
// For offline analysis (`sightline analyze`), benchmarks and tests. Not thread-safe.

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "media/frame.h"

namespace sightline::decode {

class FileReader {
 public:
  struct Options {
    // Wall-clock time of the first frame; later frames add their pts difference. Files carry
    // no camera clock, so the default, the Unix epoch, makes wall times plain offsets.
    WallTime start{};
  };

  static Result<std::unique_ptr<FileReader>> Open(const std::string& path, Options options);
  static Result<std::unique_ptr<FileReader>> Open(const std::string& path) {
    return Open(path, Options{});
  }

  virtual ~FileReader() = default;

  // The next frame in file order, or nullptr after the last. Frames before the first parameter
  // sets have null params (a decoder cannot use them). Errors name the file and frame index.
  virtual Result<media::FramePtr> Next() = 0;

  virtual media::Codec codec() const = 0;
};

}  // namespace sightline::decode
