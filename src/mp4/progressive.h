#pragma once
// A regular (non-fragmented) MP4 with the moov before the mdat ("faststart"), as `sightline
// export` writes it: the caller builds the header from the sample table, writes it, then
// writes every sample's bytes in order. Pure; safe from any thread.

#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "media/frame.h"

namespace sightline::mp4 {

struct SampleEntry {
  uint32_t size = 0;
  uint32_t duration_90k = 0;
  bool keyframe = false;
};

// ftyp + moov (stts, stss, stsz, stsc, stco or co64 when the file exceeds 4 GiB) + the mdat
// box header. The mdat payload that must follow is the samples' bytes concatenated in order,
// sum(size) bytes. `creation_time_us` (Unix microseconds) goes into mvhd/tkhd/mdhd.
Bytes WriteProgressiveHeader(const media::StreamParams& params,
                             std::span<const SampleEntry> samples, int64_t creation_time_us);

}  // namespace sightline::mp4
