#pragma once
// MotionGrid: where motion was in one analysed frame, as 32 x 18 cells of one bit each (576
// bits, 72 bytes stored). 32 x 18 keeps the cells about square on 16:9 pictures (on a 360p
// substream a cell is 20 x 20 pixels). The store keeps one grid per analysed frame, and the
// region search ANDs them with a query grid (FromRect) without decoding any video.
// A plain value; not synchronised.

#include <array>
#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"
#include "motion/geometry.h"

namespace sightline::motion {

class MotionGrid {
 public:
  static constexpr int kColumns = 32;
  static constexpr int kRows = 18;
  static constexpr int kCells = kColumns * kRows;         // 576
  static constexpr size_t kSerializedBytes = kCells / 8;  // 72

  MotionGrid() = default;

  // Cell (column, row), column 0 at the left, row 0 at the top. Out-of-range cells are a bug
  // (asserted).
  void Set(int column, int row, bool on = true);
  bool Get(int column, int row) const;

  bool Any() const;
  int Count() const;  // cells set
  // True when a cell is set in both grids.
  bool Intersects(const MotionGrid& other) const;

  MotionGrid& operator|=(const MotionGrid& other);
  MotionGrid& operator&=(const MotionGrid& other);
  friend bool operator==(const MotionGrid&, const MotionGrid&) = default;

  // The stored form, exactly kSerializedBytes: cell index = row * 32 + column, byte
  // index / 8, most significant bit first, so each row is 4 bytes and a hex dump reads like
  // the picture.
  Bytes Serialize() const;
  void AppendTo(Bytes* out) const;
  // The inverse of Serialize. Fails unless `data` is exactly kSerializedBytes long.
  static Result<MotionGrid> Parse(ByteSpan data);

  // The cells a normalised rectangle touches: every cell whose area overlaps the rectangle's
  // by more than zero; a rectangle of zero width or height (a line or a point) selects the
  // cells it lies in. Coordinates are clamped to 0..1; a rectangle fully outside selects none.
  static MotionGrid FromRect(const Rect& rect);

  // The normalised area of one cell.
  static Rect CellRect(int column, int row);

 private:
  // 9 x 64 = 576 bits; word w bit b (from the most significant) is cell w * 64 + b.
  std::array<uint64_t, kCells / 64> words_{};
};

}  // namespace sightline::motion
