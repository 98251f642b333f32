// WriteFragment and WriteMediaFragment (fragment.h); the layout is in fragment_format.h.

#include "base/crc32c.h"
#include "mp4/box_writer.h"
#include "mp4/fourcc.h"
#include "mp4/fragment.h"
#include "mp4/fragment_format.h"
#include "mp4/mp4_time.h"

namespace sightline::mp4 {

namespace {

// moof + mdat (8.8.4, 8.1.1) appended to `w`, whose bytes so far precede moof.
void WriteMoofMdat(uint32_t sequence, uint64_t base_decode_time_90k,
                   std::span<const Sample> samples, BoxWriter& w, Bytes& out) {
  uint64_t payload_bytes = 0;
  for (const Sample& s : samples) payload_bytes += s.data.size();
  const size_t moof_start = w.size();
  size_t data_offset_position = 0;
  {
    BoxWriter::Scope moof = w.Box("moof");
    {
      BoxWriter::Scope mfhd = w.FullBox("mfhd", 0, 0);
      w.U32(sequence);
    }
    BoxWriter::Scope traf = w.Box("traf");
    {
      BoxWriter::Scope tfhd = w.FullBox("tfhd", 0, kTfhdFlags);
      w.U32(kTrackId);
    }
    {
      BoxWriter::Scope tfdt = w.FullBox("tfdt", 1, 0);
      w.U64(base_decode_time_90k);
    }
    BoxWriter::Scope trun = w.FullBox("trun", 0, kTrunFlags);
    w.U32(static_cast<uint32_t>(samples.size()));
    data_offset_position = w.size();
    w.U32(0);  // data_offset, known once moof is closed
    for (const Sample& s : samples) {
      w.U32(s.duration_90k);
      w.U32(static_cast<uint32_t>(s.data.size()));
      w.U32(s.keyframe ? kKeyframeSampleFlags : kNonKeyframeSampleFlags);
    }
  }
  Bytes mdat_header;
  AppendMdatHeader(payload_bytes, mdat_header);
  // default-base-is-moof: the first sample's distance from the first byte of moof.
  w.PatchU32(data_offset_position,
             static_cast<uint32_t>(w.size() - moof_start + mdat_header.size()));
  out = std::move(w).Take();
  out.reserve(out.size() + mdat_header.size() + payload_bytes + kIntegrityBoxBytes);
  AppendBytes(out, mdat_header);
  for (const Sample& s : samples) AppendBytes(out, s.data);
}

}  // namespace

Bytes WriteFragment(const FragmentHeader& header, std::span<const Sample> samples) {
  const uint64_t base_decode_time_90k = static_cast<uint64_t>(header.base_decode_time_90k);
  BoxWriter w;
  {
    // 14496-12 8.16.5; version 1 has a 64-bit media_time.
    BoxWriter::Scope prft = w.FullBox("prft", 1, 0);
    w.U32(kTrackId);  // reference_track_ID
    w.U64(UnixMicrosToNtp(header.wall_time_us));
    w.U64(base_decode_time_90k);
  }
  Bytes out;
  WriteMoofMdat(header.sequence, base_decode_time_90k, samples, w, out);
  const uint32_t crc = Crc32c(out);
  AppendBe32(out, kIntegrityBoxBytes);
  AppendBe32(out, FourCc("free"));
  AppendBe32(out, FourCc(kIntegrityMagic));
  AppendBe32(out, 0);  // version 0, flags 0
  AppendBe32(out, crc);
  return out;
}

Bytes WriteMediaFragment(uint32_t sequence, int64_t base_decode_time_90k,
                         std::span<const Sample> samples) {
  BoxWriter w;
  Bytes out;
  WriteMoofMdat(sequence, static_cast<uint64_t>(base_decode_time_90k), samples, w, out);
  return out;
}

}  // namespace sightline::mp4
