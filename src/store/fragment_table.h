#pragma once
// The compact fragment table stored in each segment row (segments.fragments): where each
// fragment (one GOP) of a segment file lies and when it plays, so that a time range maps to
// byte ranges without reading the file. Per fragment, as unsigned LEB128 varints: length,
// duration_90k, sample count, then the zigzag-encoded difference in microseconds between the
// fragment's wall time (prft) and segment start + decode time. Offsets and decode times are
// implied: fragments follow the init segment back to back. About 8 bytes per fragment.
// Pure; the decoder is fuzzed (fuzz/fragment_table_fuzzer.cc) since it reads a disk.

#include <cstdint>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace sightline::store {

struct FragmentEntry {
  uint64_t offset = 0;  // in the file
  uint64_t length = 0;
  int64_t decode_time_90k = 0;  // since the segment's start
  int64_t duration_90k = 0;
  int64_t wall_us = 0;          // Unix time of the first sample (prft)
  uint32_t samples = 0;
};

// `fragments` must be contiguous from init_length with decode times summing up, as a
// segment's are (checked with assert; the writer builds them so).
Bytes EncodeFragmentTable(std::span<const FragmentEntry> fragments, uint64_t init_length,
                          int64_t start_us);
Result<std::vector<FragmentEntry>> DecodeFragmentTable(ByteSpan blob, uint64_t init_length,
                                                       int64_t start_us);

// Converts 90 kHz ticks to microseconds (rounding down).
inline int64_t Ticks90kToUs(int64_t ticks) { return ticks * 100 / 9; }

}  // namespace sightline::store
