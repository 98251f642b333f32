#pragma once
// The ground truth for ingest tests: the access units of a video file (or any input
// libavformat opens, such as an rtsp:// URL), read with libavformat directly so that it shares
// no code with the RTSP client or the camera simulator under test.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "media/frame.h"
#include "media/time.h"

namespace sightline::testing {

struct SourceFrame {
  media::Codec codec = media::Codec::kH264;
  media::Time90k pts;     // the container's pts rescaled to 90 kHz
  bool keyframe = false;  // holds an H.264 IDR or H.265 IRAP NAL unit (as media::Frame)
  Bytes data;             // NAL units behind 4-byte big-endian lengths, as media::Frame::data
  uint64_t hash = 0;      // FrameHash(data)
};

struct DemuxOptions {
  size_t max_frames = 0;  // stop after this many frames; 0 reads to the end
  int timeout_ms = 0;     // give up (DeadlineExceeded) after this long in total; 0 never
  // Options handed to avformat_open_input, e.g. {"rtsp_transport", "tcp"}.
  std::vector<std::pair<std::string, std::string>> format_options;
};

// Reads the first H.264 or H.265 video stream of `url`, one SourceFrame per packet. Samples of
// MP4 (avcC/hvcC) streams are rewritten to 4-byte lengths when stored with 1 or 2; Annex B
// input (raw .h264/.h265 files, libavformat's RTSP demuxer) is converted to length-prefixed.
// Blocking; safe to call from several threads at once.
Result<std::vector<SourceFrame>> Demux(const std::string& url, const DemuxOptions& options);

// Demux(path) of a whole file with default options.
Result<std::vector<SourceFrame>> DemuxFile(const std::string& path);

}  // namespace sightline::testing
