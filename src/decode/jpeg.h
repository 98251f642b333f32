#pragma once
// JPEG pictures for event thumbnails and API snapshots, encoded with libavcodec's MJPEG
// encoder (baseline JPEG, 4:2:0, full range: what every browser shows). Pure functions apart
// from FFmpeg's allocations; safe to call from any thread.

#include "base/bytes.h"
#include "base/result.h"
#include "decode/picture.h"
#include "media/frame.h"

namespace sightline::decode {

inline constexpr int kDefaultJpegQuality = 75;

// Encodes `picture` scaled (area average, aspect kept, never enlarged) to at most `max_width`
// pixels wide. `quality` runs from 1 (smallest) to 100 (best), as in most JPEG tools; it maps
// linearly onto the encoder's quantiser scale 31..2.
Result<Bytes> EncodeJpeg(const YuvView& picture, int max_width,
                         int quality = kDefaultJpegQuality);

// Decodes one keyframe (`keyframe_sample`: the length-prefixed NAL units of an IDR/IRAP access
// unit, as a stored MP4 sample or media::Frame::data holds them) and encodes it as EncodeJpeg
// does. Costs one decoder set-up (a few milliseconds at 1080p). Fails when the sample does not
// decode to a picture on its own.
Result<Bytes> SnapshotJpeg(const media::StreamParams& params, ByteSpan keyframe_sample,
                           int max_width, int quality = kDefaultJpegQuality);

}  // namespace sightline::decode
