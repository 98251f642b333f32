#pragma once
// Builds the StreamParams (media/frame.h) that travel with every frame from the raw parameter
// sets a stream announced (SDP sprop-* or in band). Pure; safe from any thread.

#include <memory>

#include "base/bytes.h"
#include "base/result.h"
#include "media/frame.h"

namespace sightline::media {

// `vps`, `sps` and `pps` are NAL units with their headers and without start codes or lengths;
// `vps` is empty for H.264. The bytes are copied. Width, height, fps and the codec string
// come from the SPS (for H.265 the VPS's timing fills in when the SPS has none). Fails, with
// the codec and the reason, if the SPS cannot be parsed or a given VPS/PPS is not one; an
// empty PPS is accepted (the caller may not have seen it yet).
Result<std::shared_ptr<const StreamParams>> MakeStreamParams(Codec codec, ByteSpan vps,
                                                             ByteSpan sps, ByteSpan pps);

}  // namespace sightline::media
