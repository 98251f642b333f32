#include "mp4/movie_boxes.h"

#include <algorithm>
#include <limits>

#include "mp4/fourcc.h"
#include "mp4/fragment.h"
#include "mp4/fragment_format.h"
#include "mp4/sample_entry.h"

namespace sightline::mp4 {
namespace {

// mvhd, tkhd and mdhd use 32-bit times and durations in version 0 and 64-bit ones in version 1;
// version 0 where it fits, the form every player reads.
uint8_t TimeVersion(const MovieTiming& t) {
  constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();
  return t.duration_90k > kMax32 || t.creation_time_s > kMax32 ? 1 : 0;
}

void TimeField(BoxWriter& w, uint8_t version, uint64_t v) {
  if (version == 1) {
    w.U64(v);
  } else {
    w.U32(static_cast<uint32_t>(v));
  }
}

// The identity transformation matrix (8.2.2.3), 16.16 and 2.30 fixed point.
void WriteUnityMatrix(BoxWriter& w) {
  for (uint32_t v : {0x00010000u, 0u, 0u, 0u, 0x00010000u, 0u, 0u, 0u, 0x40000000u}) w.U32(v);
}

// 16.16 fixed point, as tkhd stores the presentation size.
uint32_t Fixed16(int pixels) { return static_cast<uint32_t>(std::clamp(pixels, 0, 0xffff)) << 16; }

void WriteTkhd(BoxWriter& w, const media::StreamParams& params, const MovieTiming& t) {
  const uint8_t v = TimeVersion(t);
  // Flags: track_enabled | track_in_movie.
  BoxWriter::Scope tkhd = w.FullBox("tkhd", v, 0x000003);
  TimeField(w, v, t.creation_time_s);
  TimeField(w, v, t.creation_time_s);  // modification_time
  w.U32(kTrackId);
  w.U32(0);  // reserved
  // The duration counts in mvhd's timescale, the same 90 kHz.
  TimeField(w, v, t.duration_90k);
  w.Zeros(8);  // reserved
  w.U16(0);    // layer
  w.U16(0);    // alternate_group
  w.U16(0);    // volume: 0 for video
  w.U16(0);    // reserved
  WriteUnityMatrix(w);
  w.U32(Fixed16(params.width));
  w.U32(Fixed16(params.height));
}

void WriteMdia(BoxWriter& w, const media::StreamParams& params, const MovieTiming& t,
               const std::function<void(BoxWriter&)>& write_sample_tables) {
  BoxWriter::Scope mdia = w.Box("mdia");
  {
    const uint8_t v = TimeVersion(t);
    BoxWriter::Scope mdhd = w.FullBox("mdhd", v, 0);
    TimeField(w, v, t.creation_time_s);
    TimeField(w, v, t.creation_time_s);
    w.U32(kTimescale);
    TimeField(w, v, t.duration_90k);
    w.U16(0x55c4);  // pad 0, language "und" (ISO 639-2/T, three 5-bit letters - 0x60)
    w.U16(0);       // pre_defined
  }
  {
    BoxWriter::Scope hdlr = w.FullBox("hdlr", 0, 0);
    w.U32(0);  // pre_defined
    w.Code("vide");
    w.Zeros(12);  // reserved
    // The name, null-terminated.
    w.Append(AsBytes(std::string_view("VideoHandler\0", 13)));
  }
  BoxWriter::Scope minf = w.Box("minf");
  {
    // Flags 1, as 12.1.2.2 requires; graphicsmode copy and opcolor are zeros.
    BoxWriter::Scope vmhd = w.FullBox("vmhd", 0, 1);
    w.Zeros(8);
  }
  {
    BoxWriter::Scope dinf = w.Box("dinf");
    BoxWriter::Scope dref = w.FullBox("dref", 0, 0);
    w.U32(1);  // entry_count
    // Flag 1: the media is in this file.
    BoxWriter::Scope url = w.FullBox("url ", 0, 1);
  }
  BoxWriter::Scope stbl = w.Box("stbl");
  {
    BoxWriter::Scope stsd = w.FullBox("stsd", 0, 0);
    w.U32(1);  // entry_count
    WriteVisualSampleEntry(params, w);
  }
  write_sample_tables(w);
}

}  // namespace

void WriteFtyp(BoxWriter& w, uint32_t major_brand, std::initializer_list<uint32_t> compatible) {
  BoxWriter::Scope ftyp = w.Box("ftyp");
  w.U32(major_brand);
  w.U32(0);  // minor_version
  for (uint32_t brand : compatible) w.U32(brand);
}

void WriteMvhd(BoxWriter& w, const MovieTiming& t) {
  const uint8_t v = TimeVersion(t);
  BoxWriter::Scope mvhd = w.FullBox("mvhd", v, 0);
  TimeField(w, v, t.creation_time_s);
  TimeField(w, v, t.creation_time_s);
  w.U32(kTimescale);
  TimeField(w, v, t.duration_90k);
  w.U32(0x00010000);  // rate 1.0
  w.U16(0x0100);      // volume 1.0
  w.Zeros(10);        // reserved
  WriteUnityMatrix(w);
  w.Zeros(24);          // pre_defined
  w.U32(kTrackId + 1);  // next_track_ID
}

void WriteVideoTrak(BoxWriter& w, const media::StreamParams& params, const MovieTiming& timing,
                    const std::function<void(BoxWriter&)>& write_sample_tables) {
  BoxWriter::Scope trak = w.Box("trak");
  WriteTkhd(w, params, timing);
  WriteMdia(w, params, timing, write_sample_tables);
}

}  // namespace sightline::mp4
