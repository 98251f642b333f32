#include "store/fragment_table.h"

#include <cassert>
#include <limits>
#include <string>

#include "store/varint.h"

namespace sightline::store {
namespace {

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

}  // namespace

Bytes EncodeFragmentTable(std::span<const FragmentEntry> fragments, uint64_t init_length,
                          int64_t start_us) {
  Bytes out;
  out.reserve(fragments.size() * 10);
  uint64_t offset = init_length;
  int64_t decode_time = 0;
  for (const FragmentEntry& f : fragments) {
    assert(f.offset == offset && f.decode_time_90k == decode_time);
    PutVarint(out, f.length);
    PutVarint(out, static_cast<uint64_t>(f.duration_90k));
    PutVarint(out, f.samples);
    PutVarint(out, ZigZag(f.wall_us - (start_us + Ticks90kToUs(decode_time))));
    offset += f.length;
    decode_time += f.duration_90k;
  }
  return out;
}

Result<std::vector<FragmentEntry>> DecodeFragmentTable(ByteSpan blob, uint64_t init_length,
                                                       int64_t start_us) {
  std::vector<FragmentEntry> out;
  uint64_t offset = init_length;
  int64_t decode_time = 0;
  constexpr uint64_t kMax = uint64_t{1} << 52;  // far beyond any real file or duration
  while (!blob.empty()) {
    uint64_t length, duration, samples, wall;
    if (!GetVarint(blob, length) || !GetVarint(blob, duration) || !GetVarint(blob, samples) ||
        !GetVarint(blob, wall)) {
      return DataLossError("fragment table: truncated entry " + std::to_string(out.size()));
    }
    if (length == 0 || length > kMax || duration > kMax || samples > 0xffffffffu ||
        offset > kMax || static_cast<uint64_t>(decode_time) > kMax) {
      return DataLossError("fragment table: implausible entry " + std::to_string(out.size()));
    }
    FragmentEntry f;
    f.offset = offset;
    f.length = length;
    f.decode_time_90k = decode_time;
    f.duration_90k = static_cast<int64_t>(duration);
    f.samples = static_cast<uint32_t>(samples);
    // Unsigned arithmetic: a corrupt offset wraps instead of overflowing.
    f.wall_us = static_cast<int64_t>(static_cast<uint64_t>(start_us + Ticks90kToUs(decode_time)) +
                                     static_cast<uint64_t>(UnZigZag(wall)));
    out.push_back(f);
    offset += length;
    decode_time += f.duration_90k;
  }
  return out;
}

}  // namespace sightline::store
