#pragma once
// The decoder configuration records that MP4 files carry as codec extradata: AVC's `avcC`
// (ISO/IEC 14496-15 section 5.3.3.1) and HEVC's `hvcC` (section 8.3.3.1). camsim needs two
// things from them: the NAL length size of the samples and the parameter sets, which it puts
// in the SDP and in front of keyframes that lack them in band (cameras repeat them there).
// Pure; the input is untrusted file content, so every read is bounds-checked.

#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "media/frame.h"

namespace sightline::camsim {

struct DecoderConfig {
  int length_size = 4;     // bytes of each sample NAL unit's length prefix: 1, 2 or 4
  std::vector<Bytes> vps;  // H.265 only
  std::vector<Bytes> sps;
  std::vector<Bytes> pps;
};

// Parses an avcC (H.264) or hvcC (H.265) record. Errors name the field and byte offset.
Result<DecoderConfig> ParseDecoderConfig(media::Codec codec, ByteSpan record);

}  // namespace sightline::camsim
