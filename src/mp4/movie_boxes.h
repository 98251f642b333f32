#pragma once
// The boxes the fragmented init segment and the progressive file share (ISO/IEC 14496-12):
// ftyp, mvhd, and one video trak down to the sample description. The writer of each file
// adds its own sample tables and, for fragments, mvex. Pure; safe from any thread.

#include <cstdint>
#include <functional>
#include <initializer_list>

#include "media/frame.h"
#include "mp4/box_writer.h"

namespace sightline::mp4 {

struct MovieTiming {
  uint64_t duration_90k = 0;     // 0 for a fragmented file (the fragments carry the time)
  uint64_t creation_time_s = 0;  // seconds since 1904-01-01 (mp4_time.h)
};

// ftyp (4.3): major brand, minor version 0, compatible brands (FourCc codes).
void WriteFtyp(BoxWriter& w, uint32_t major_brand, std::initializer_list<uint32_t> compatible);

// mvhd (8.2.2) with timescale kTimescale and next_track_ID 2.
void WriteMvhd(BoxWriter& w, const MovieTiming& timing);

// trak with track_ID 1: tkhd, mdia (mdhd, hdlr 'vide', minf (vmhd, dinf, stbl)). stbl holds
// stsd with the sample entry for `params`, then whatever `write_sample_tables` writes.
void WriteVideoTrak(BoxWriter& w, const media::StreamParams& params, const MovieTiming& timing,
                    const std::function<void(BoxWriter&)>& write_sample_tables);

}  // namespace sightline::mp4
