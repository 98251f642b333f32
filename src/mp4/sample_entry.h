#pragma once
// The video sample entry in stsd: a VisualSampleEntry (ISO/IEC 14496-12 12.1.3) named avc1 or
// hvc1 (14496-15 5.4.2.1, 8.4.1) holding the decoder configuration record. Pure; safe from any
// thread.

#include <string_view>

#include "base/result.h"
#include "media/frame.h"
#include "mp4/box_reader.h"
#include "mp4/box_writer.h"
#include "mp4/fragment.h"

namespace sightline::mp4 {

void WriteVisualSampleEntry(const media::StreamParams& params, BoxWriter& w);

// Reads codec, width, height and parameter sets from an avc1/avc3/hvc1/hev1 entry into `info`.
// `path` names the entry's parent in messages ("moov/trak/mdia/minf/stbl/stsd").
Status ParseVisualSampleEntry(const Box& entry, std::string_view path, InitInfo* info);

}  // namespace sightline::mp4
