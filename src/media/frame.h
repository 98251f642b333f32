#pragma once
// Frame: one access unit (one picture) of H.264 or H.265 as it leaves ingest. Immutable once
// built and shared as shared_ptr<const Frame> by recorder, live view and analysis.
//
// `data` holds every NAL unit of the access unit, in order, each preceded by a 4-byte
// big-endian length (the ISO/IEC 14496-15 "length-prefixed" form MP4 stores), including
// in-band parameter sets and SEI exactly as the camera sent them. Nothing is added or removed,
// so a frame's bytes equal the MP4 sample a camera's file would hold (tested bit-exact).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "media/time.h"

namespace sightline::media {

enum class Codec : uint8_t { kH264, kH265 };
const char* CodecName(Codec c);  // "h264", "h265"

// The decoded facts of a stream's active parameter sets. A new StreamParams object is made
// whenever any parameter set changes, so consumers compare pointers (or ==) to detect a change
// (new resolution, new profile: the recorder starts a new segment).
struct StreamParams {
  Codec codec = Codec::kH264;
  Bytes vps;  // H.265 only; raw NAL unit without start code or length
  Bytes sps;
  Bytes pps;
  int width = 0;
  int height = 0;
  std::string codec_string;      // RFC 6381, e.g. "avc1.640028", "hvc1.1.6.L120.90"
  std::optional<double> fps;     // from the VUI timing info when present

  bool operator==(const StreamParams& o) const {
    return codec == o.codec && vps == o.vps && sps == o.sps && pps == o.pps;
  }
};

struct Frame {
  Codec codec = Codec::kH264;
  Time90k pts;                   // unwrapped RTP timestamp; see docs/design/time.md
  WallTime wall_time;            // camera time (RTCP SR) when known, else arrival-based
  MonoTime arrival;              // when the last packet of this frame arrived
  bool keyframe = false;         // H.264 IDR, H.265 IRAP
  bool after_loss = false;       // first frame of a session or after packets were lost: a gap
  Bytes data;                    // length-prefixed NAL units (see above)
  std::shared_ptr<const StreamParams> params;  // may be null until parameter sets are known
};

using FramePtr = std::shared_ptr<const Frame>;

}  // namespace sightline::media
