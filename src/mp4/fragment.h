#pragma once
// Writing and reading the ISO BMFF (MP4) boxes Sightline stores: an init segment
// (ftyp + moov) and fragments, one per GOP:
//
//   prft  wall-clock time of the fragment's first sample (ISO/IEC 14496-12 8.16.5)
//   moof  mfhd (sequence number) + traf (tfhd, tfdt, trun with per-sample size, duration, flags)
//   mdat  the samples: each is a Frame's length-prefixed NAL units, unchanged
//   free  integrity box: magic "slck", version 0, CRC32C over prft..mdat (players skip `free`)
//
// A fragment is complete only when its trailing integrity box is present and matches; this
// is how recovery tells a torn tail from data (docs/design/storage.md). One track, id 1,
// timescale 90 kHz; samples are in decode order and decode order equals presentation order
// (cameras here send no B-frames; a stream with reordering is refused at the recorder).
//
// Everything here is a pure function over bytes, safe from any thread; the readers are fuzzed
// (fuzz/mp4_fragment_fuzzer.cc).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "media/frame.h"

namespace sightline::mp4 {

inline constexpr uint32_t kTimescale = 90000;

// ---- Writing --------------------------------------------------------------------------

// ftyp (iso6, cmfc) + moov (mvhd, trak with avc1/avcC or hvc1/hvcC sample entry built from
// params' parameter sets, width and height; mvex/trex). Durations are 0 (fragmented file).
Bytes WriteInitSegment(const media::StreamParams& params);

struct Sample {
  ByteSpan data;             // length-prefixed NAL units (media::Frame::data)
  uint32_t duration_90k = 0;
  bool keyframe = false;
};

struct FragmentHeader {
  uint32_t sequence = 1;               // mfhd sequence_number, 1 for a segment's first fragment
  int64_t base_decode_time_90k = 0;    // tfdt: time of the first sample since segment start
  int64_t wall_time_us = 0;            // prft: Unix time of the first sample, microseconds
};

// prft + moof + mdat + integrity box, ready to append to a segment file.
Bytes WriteFragment(const FragmentHeader& header, std::span<const Sample> samples);

// moof + mdat only, for Media Source Extensions (live view): no prft, no integrity box.
Bytes WriteMediaFragment(uint32_t sequence, int64_t base_decode_time_90k,
                         std::span<const Sample> samples);

// ---- Reading --------------------------------------------------------------------------

// What a segment's init segment says. The parameter sets are raw NAL units (no length).
struct InitInfo {
  media::Codec codec = media::Codec::kH264;
  int width = 0;
  int height = 0;
  Bytes vps, sps, pps;
  uint64_t length = 0;  // bytes of ftyp + moov
};
// Parses the init segment at the start of `file`. Errors name the box and the problem.
Result<InitInfo> ParseInitSegment(ByteSpan file);

struct FragmentInfo {
  uint64_t offset = 0;      // of the prft box, in the file
  uint64_t length = 0;      // prft through the integrity box
  uint32_t sequence = 0;
  int64_t base_decode_time_90k = 0;
  int64_t duration_90k = 0;  // sum of sample durations
  int64_t wall_time_us = 0;
  uint32_t sample_count = 0;
  bool starts_with_keyframe = false;
  uint64_t mdat_offset = 0;  // first sample byte, in the file
};

struct ScanResult {
  std::vector<FragmentInfo> fragments;  // complete, valid fragments in order
  uint64_t valid_end = 0;               // file offset just past the last valid fragment
  Status stopped;  // OK if the bytes ended exactly at valid_end; else why scanning stopped
                   // (truncated box, CRC mismatch, not a fragment, ...), naming the offset
};
// Scans `bytes`, which start at file offset `offset` at a fragment boundary, up to its end.
// When `check_crc` is false, the integrity box must be present but the CRC is not computed
// (the fast check of `sightline check` without --full).
ScanResult ScanFragments(ByteSpan bytes, uint64_t offset, bool check_crc = true);

struct SampleInfo {
  uint64_t offset = 0;  // in the file
  uint32_t size = 0;
  uint32_t duration_90k = 0;
  int64_t decode_time_90k = 0;  // since segment start
  bool keyframe = false;
};
// The samples of one complete fragment (`bytes` is exactly the fragment, found at `offset`).
Result<std::vector<SampleInfo>> ParseFragmentSamples(ByteSpan bytes, uint64_t offset);

}  // namespace sightline::mp4
