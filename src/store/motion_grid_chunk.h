#pragma once
// Motion grid chunks: the motion grid of every analysed frame of one stream over about a
// minute, as one row of the index's motion_grids table (schema.sql). A grid is 72 opaque bytes
// here: 32 x 18 cells of one bit, laid out by src/motion/motion_grid.h (MotionGrid::Serialize);
// the store only ORs and ANDs grids, so it does not depend on src/motion/.
//
// A chunk's data holds only the frames with motion, in time order, each as an unsigned LEB128
// varint of milliseconds since the chunk's start followed by the frame's 72-byte grid. Frames
// without motion are only counted. The chunk's `any_grid` is the OR of every grid in data, so
// a search skips a chunk whose any_grid misses the query without reading its data.
//
// Pure. The reader takes bytes from a disk and is fuzzed (fuzz/store_format_fuzzer.cc).

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace sightline::store {

inline constexpr size_t kMotionGridBytes = 72;

struct MotionGridChunk {
  std::string camera;
  std::string stream;    // the analysed stream
  int64_t start_us = 0;  // the first analysed frame
  // Exclusive: the next chunk's first frame, or the last frame plus the last frame interval.
  int64_t end_us = 0;
  int64_t frames = 0;  // frames analysed in [start_us, end_us), with motion or not
  Bytes any_grid;      // kMotionGridBytes: the OR of every grid in data
  Bytes data;
};

// A chunk spans at most this long (the builder makes ~60 s ones); a search bounds its index
// scan by it.
inline constexpr int64_t kMaxMotionChunkUs = 120'000'000;

// OK when the chunk is well formed: names set, start < end, at most kMaxMotionChunkUs, frames
// >= 1, a 72-byte any_grid, and data that decodes within the chunk. The error names the chunk.
Status ValidateMotionGridChunk(const MotionGridChunk& chunk);

// True when two 72-byte grids have a set cell in common.
bool GridsIntersect(const uint8_t* a, const uint8_t* b);

// Reads the frames of a chunk's data in order.
class MotionChunkReader {
 public:
  MotionChunkReader(ByteSpan data, int64_t start_us) : rest_(data), start_us_(start_us) {}
  // The next frame: its time and its 72 bytes (pointing into the data). False at the end or
  // on corrupt data (then ok() is false): a truncated entry, or a time before the previous.
  bool Next(int64_t* time_us, const uint8_t** grid);
  bool ok() const { return ok_; }

 private:
  ByteSpan rest_;
  int64_t start_us_;
  uint64_t last_offset_ms_ = 0;
  bool ok_ = true;
};

// Builds chunks from the analysed frames of one stream, in time order. Not thread-safe.
class MotionChunkBuilder {
 public:
  static constexpr int64_t kChunkUs = 60'000'000;
  // A longer pause between analysed frames (analysis stopped, stream down) ends the chunk
  // instead of stretching it over time nothing was analysed.
  static constexpr int64_t kMaxFrameGapUs = 10'000'000;

  // Adds a frame (grid of kMotionGridBytes). Returns the finished chunk when this frame
  // starts a new one: ~60 s after the chunk's start, after a pause, or when time went back.
  // `camera` and `stream` of returned chunks are left empty for the caller.
  std::optional<MotionGridChunk> Add(int64_t time_us, ByteSpan grid, bool motion);
  // The chunk in progress, if it has a frame; the builder is then empty.
  std::optional<MotionGridChunk> Finish();

 private:
  std::optional<MotionGridChunk> FinishAt(int64_t end_us);

  MotionGridChunk chunk_;
  bool open_ = false;
  int64_t last_time_us_ = 0;
  int64_t last_interval_us_ = 0;
};

}  // namespace sightline::store
