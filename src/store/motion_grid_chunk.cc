#include "store/motion_grid_chunk.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "store/varint.h"

namespace sightline::store {

bool GridsIntersect(const uint8_t* a, const uint8_t* b) {
  // Nine 64-bit words; memcpy keeps it free of alignment assumptions and compiles to loads.
  uint64_t any = 0;
  for (size_t i = 0; i < kMotionGridBytes; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    any |= x & y;
  }
  return any != 0;
}

bool MotionChunkReader::Next(int64_t* time_us, const uint8_t** grid) {
  if (!ok_ || rest_.empty()) return false;
  uint64_t offset_ms = 0;
  // Offsets beyond a chunk's span are implausible; the cap also keeps the multiplication
  // below from overflowing.
  constexpr uint64_t kMaxOffsetMs = kMaxMotionChunkUs / 1000;
  if (!GetVarint(rest_, offset_ms) || rest_.size() < kMotionGridBytes || offset_ms > kMaxOffsetMs ||
      offset_ms < last_offset_ms_) {
    ok_ = false;
    return false;
  }
  last_offset_ms_ = offset_ms;
  *time_us = start_us_ + static_cast<int64_t>(offset_ms) * 1000;
  *grid = rest_.data();
  rest_ = rest_.subspan(kMotionGridBytes);
  return true;
}

Status ValidateMotionGridChunk(const MotionGridChunk& c) {
  const std::string what = "motion grid chunk of " + c.camera + "/" + c.stream + " at " + std::to_string(c.start_us);
  if (c.camera.empty() || c.stream.empty()) return InvalidArgumentError(what + ": no camera or stream name");
  if (c.end_us <= c.start_us || c.end_us - c.start_us > kMaxMotionChunkUs) {
    return InvalidArgumentError(what + ": end " + std::to_string(c.end_us) + " is not within " +
                                std::to_string(kMaxMotionChunkUs) + " us after the start");
  }
  if (c.frames < 1) return InvalidArgumentError(what + ": no frames");
  if (c.any_grid.size() != kMotionGridBytes) {
    return InvalidArgumentError(what + ": any_grid has " + std::to_string(c.any_grid.size()) + " bytes, not 72");
  }
  MotionChunkReader reader(c.data, c.start_us);
  int64_t time_us = 0;
  const uint8_t* grid = nullptr;
  while (reader.Next(&time_us, &grid)) {
    if (time_us >= c.end_us) return InvalidArgumentError(what + ": a frame at " + std::to_string(time_us) + " is after the end");
  }
  if (!reader.ok()) return InvalidArgumentError(what + ": data is corrupt");
  return Status();
}

std::optional<MotionGridChunk> MotionChunkBuilder::Add(int64_t time_us, ByteSpan grid, bool motion) {
  assert(grid.size() == kMotionGridBytes);
  std::optional<MotionGridChunk> finished;
  if (open_) {
    const int64_t since_last = time_us - last_time_us_;
    if (since_last < 0 || since_last > kMaxFrameGapUs) {
      finished = FinishAt(last_time_us_ + std::max<int64_t>(last_interval_us_, 1));
    } else if (time_us - chunk_.start_us >= kChunkUs) {
      finished = FinishAt(time_us);
    } else {
      last_interval_us_ = since_last;
    }
  }
  if (!open_) {
    chunk_ = MotionGridChunk();
    chunk_.start_us = time_us;
    chunk_.any_grid.assign(kMotionGridBytes, 0);
    open_ = true;
    last_interval_us_ = 0;
  }
  last_time_us_ = time_us;
  ++chunk_.frames;
  if (motion) {
    // Milliseconds: what a search needs, and two bytes per frame at most within a chunk.
    PutVarint(chunk_.data, static_cast<uint64_t>((time_us - chunk_.start_us) / 1000));
    AppendBytes(chunk_.data, grid);
    for (size_t i = 0; i < kMotionGridBytes; ++i) chunk_.any_grid[i] |= grid[i];
  }
  return finished;
}

std::optional<MotionGridChunk> MotionChunkBuilder::Finish() {
  if (!open_) return std::nullopt;
  return FinishAt(last_time_us_ + std::max<int64_t>(last_interval_us_, 1));
}

std::optional<MotionGridChunk> MotionChunkBuilder::FinishAt(int64_t end_us) {
  open_ = false;
  chunk_.end_us = end_us;
  return std::move(chunk_);
}

}  // namespace sightline::store
