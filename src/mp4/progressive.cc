// WriteProgressiveHeader (progressive.h).

#include "mp4/progressive.h"

#include <limits>
#include <vector>

#include "mp4/box_writer.h"
#include "mp4/fourcc.h"
#include "mp4/movie_boxes.h"
#include "mp4/mp4_time.h"

namespace sightline::mp4 {
namespace {

struct SttsRun {
  uint32_t count = 0;
  uint32_t duration_90k = 0;
};

// stts (14496-12 8.6.1.2) run-length codes the durations: a camera's steady frame rate makes
// one or a few runs.
std::vector<SttsRun> DurationRuns(std::span<const SampleEntry> samples) {
  std::vector<SttsRun> runs;
  for (const SampleEntry& s : samples) {
    if (runs.empty() || runs.back().duration_90k != s.duration_90k)
      runs.push_back({0, s.duration_90k});
    ++runs.back().count;
  }
  return runs;
}

// The sample tables for all samples in one chunk, which starts at the mdat payload. Returns
// the position of the chunk offset field, patched once the header size is known.
size_t WriteSampleTables(BoxWriter& w, std::span<const SampleEntry> samples, bool co64) {
  const uint32_t count = static_cast<uint32_t>(samples.size());
  {
    const std::vector<SttsRun> runs = DurationRuns(samples);
    BoxWriter::Scope stts = w.FullBox("stts", 0, 0);
    w.U32(static_cast<uint32_t>(runs.size()));
    for (const SttsRun& run : runs) {
      w.U32(run.count);
      w.U32(run.duration_90k);
    }
  }
  uint32_t keyframes = 0;
  for (const SampleEntry& s : samples) keyframes += s.keyframe;
  if (keyframes != count) {  // 8.6.2: without stss every sample is a sync sample
    BoxWriter::Scope stss = w.FullBox("stss", 0, 0);
    w.U32(keyframes);
    for (uint32_t i = 0; i < count; ++i) {
      if (samples[i].keyframe) w.U32(i + 1);  // sample numbers start at 1
    }
  }
  {
    BoxWriter::Scope stsc = w.FullBox("stsc", 0, 0);  // 8.7.4
    if (count == 0) {
      w.U32(0);
    } else {
      w.U32(1);      // entry_count
      w.U32(1);      // first_chunk
      w.U32(count);  // samples_per_chunk
      w.U32(1);      // sample_description_index
    }
  }
  {
    BoxWriter::Scope stsz = w.FullBox("stsz", 0, 0);  // 8.7.3
    w.U32(0);                                         // sample_size 0: sizes follow
    w.U32(count);
    for (const SampleEntry& s : samples) w.U32(s.size);
  }
  const uint32_t chunks = count == 0 ? 0 : 1;
  BoxWriter::Scope stco = w.FullBox(co64 ? "co64" : "stco", 0, 0);  // 8.7.5
  w.U32(chunks);
  const size_t position = w.size();
  if (chunks == 1) {
    if (co64) {
      w.U64(0);
    } else {
      w.U32(0);
    }
  }
  return position;
}

// ftyp, moov and the mdat header, with a 32-bit (stco) or 64-bit (co64) chunk offset table.
Bytes WriteHeader(const media::StreamParams& params, std::span<const SampleEntry> samples,
                  const MovieTiming& timing, uint64_t payload_bytes, bool co64) {
  BoxWriter w;
  const uint32_t codec_brand =
      params.codec == media::Codec::kH264 ? FourCc("avc1") : FourCc("hvc1");
  WriteFtyp(w, FourCc("isom"), {FourCc("isom"), FourCc("iso2"), codec_brand, FourCc("mp41")});
  size_t chunk_offset_position = 0;
  {
    BoxWriter::Scope moov = w.Box("moov");
    WriteMvhd(w, timing);
    WriteVideoTrak(w, params, timing, [&](BoxWriter& tables) {
      chunk_offset_position = WriteSampleTables(tables, samples, co64);
    });
  }
  Bytes mdat_header;
  AppendMdatHeader(payload_bytes, mdat_header);
  const uint64_t chunk_offset = w.size() + mdat_header.size();  // the first sample's byte
  if (!samples.empty()) {
    if (co64) {
      w.PatchU64(chunk_offset_position, chunk_offset);
    } else {
      w.PatchU32(chunk_offset_position, static_cast<uint32_t>(chunk_offset));
    }
  }
  Bytes out = std::move(w).Take();
  AppendBytes(out, mdat_header);
  return out;
}

}  // namespace

Bytes WriteProgressiveHeader(const media::StreamParams& params,
                             std::span<const SampleEntry> samples, int64_t creation_time_us) {
  MovieTiming timing;
  uint64_t payload_bytes = 0;
  for (const SampleEntry& s : samples) {
    timing.duration_90k += s.duration_90k;
    payload_bytes += s.size;
  }
  timing.creation_time_s = UnixMicrosToMp4Seconds(creation_time_us);
  Bytes header = WriteHeader(params, samples, timing, payload_bytes, /*co64=*/false);
  // A file that ends past 4 GiB gets 64-bit chunk offsets, as readers of large files expect
  // (the header grows by 4 bytes, which cannot bring the end back under the limit).
  if (header.size() + payload_bytes > std::numeric_limits<uint32_t>::max()) {
    header = WriteHeader(params, samples, timing, payload_bytes, /*co64=*/true);
  }
  return header;
}

}  // namespace sightline::mp4
