#include "motion/motion_grid.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>

namespace sightline::motion {

namespace {

int Index(int column, int row) {
  assert(column >= 0 && column < MotionGrid::kColumns && row >= 0 && row < MotionGrid::kRows);
  return row * MotionGrid::kColumns + column;
}

uint64_t Bit(int index) { return uint64_t{1} << (63 - index % 64); }

// The cells [first, last] a normalised interval [lo, lo + size] overlaps among `cells`, or
// false when it misses them all. A zero-size interval selects the cell it lies in.
bool CellRange(double lo, double size, int cells, int* first, int* last) {
  if (!(size >= 0) || !std::isfinite(lo) || !std::isfinite(size)) return false;
  const double hi = lo + size;
  if (hi < 0 || lo > 1 || (size > 0 && (hi <= 0 || lo >= 1))) return false;
  const double a = std::clamp(lo, 0.0, 1.0) * cells;
  const double b = std::clamp(hi, 0.0, 1.0) * cells;
  // The epsilon keeps a rectangle computed from cell edges (CellRect) from spilling into the
  // next cell through rounding.
  constexpr double kEpsilon = 1e-9;
  *first = std::min(static_cast<int>(std::floor(a + kEpsilon)), cells - 1);
  *last = size > 0 ? static_cast<int>(std::ceil(b - kEpsilon)) - 1 : *first;
  *last = std::clamp(*last, *first, cells - 1);
  return true;
}

}  // namespace

void MotionGrid::Set(int column, int row, bool on) {
  const int i = Index(column, row);
  if (on) {
    words_[i / 64] |= Bit(i);
  } else {
    words_[i / 64] &= ~Bit(i);
  }
}

bool MotionGrid::Get(int column, int row) const {
  const int i = Index(column, row);
  return (words_[i / 64] & Bit(i)) != 0;
}

bool MotionGrid::Any() const {
  return std::any_of(words_.begin(), words_.end(), [](uint64_t w) { return w != 0; });
}

int MotionGrid::Count() const {
  int n = 0;
  for (uint64_t w : words_) n += std::popcount(w);
  return n;
}

bool MotionGrid::Intersects(const MotionGrid& other) const {
  for (size_t i = 0; i < words_.size(); ++i) {
    if (words_[i] & other.words_[i]) return true;
  }
  return false;
}

MotionGrid& MotionGrid::operator|=(const MotionGrid& other) {
  for (size_t i = 0; i < words_.size(); ++i) words_[i] |= other.words_[i];
  return *this;
}

MotionGrid& MotionGrid::operator&=(const MotionGrid& other) {
  for (size_t i = 0; i < words_.size(); ++i) words_[i] &= other.words_[i];
  return *this;
}

void MotionGrid::AppendTo(Bytes* out) const {
  for (uint64_t w : words_) {
    AppendBe32(*out, static_cast<uint32_t>(w >> 32));
    AppendBe32(*out, static_cast<uint32_t>(w));
  }
}

Bytes MotionGrid::Serialize() const {
  Bytes out;
  out.reserve(kSerializedBytes);
  AppendTo(&out);
  return out;
}

Result<MotionGrid> MotionGrid::Parse(ByteSpan data) {
  if (data.size() != kSerializedBytes) {
    return InvalidArgumentError("motion grid: " + std::to_string(data.size()) +
                                " bytes, expected " + std::to_string(kSerializedBytes));
  }
  MotionGrid grid;
  for (size_t i = 0; i < grid.words_.size(); ++i) grid.words_[i] = LoadBe64(&data[i * 8]);
  return grid;
}

MotionGrid MotionGrid::FromRect(const Rect& rect) {
  MotionGrid grid;
  int c0, c1, r0, r1;
  if (!CellRange(rect.x, rect.w, kColumns, &c0, &c1) ||
      !CellRange(rect.y, rect.h, kRows, &r0, &r1)) {
    return grid;
  }
  for (int r = r0; r <= r1; ++r) {
    for (int c = c0; c <= c1; ++c) grid.Set(c, r);
  }
  return grid;
}

Rect MotionGrid::CellRect(int column, int row) {
  return Rect{static_cast<double>(column) / kColumns, static_cast<double>(row) / kRows,
              1.0 / kColumns, 1.0 / kRows};
}

}  // namespace sightline::motion
