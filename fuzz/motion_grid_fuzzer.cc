// Fuzzes MotionGrid::Parse (grids are read back from stored files, which may be damaged).
// Checks that exactly 72 bytes parse, that parsing and serialising round-trip, and that the
// grid operations agree with one another.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "motion/motion_grid.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sightline::motion::MotionGrid;
  auto grid = MotionGrid::Parse({data, size});
  Check(grid.ok() == (size == MotionGrid::kSerializedBytes));
  if (!grid.ok()) return 0;
  const sightline::Bytes again = grid->Serialize();
  Check(again.size() == size && std::equal(again.begin(), again.end(), data));
  int set = 0;
  for (int row = 0; row < MotionGrid::kRows; ++row) {
    for (int column = 0; column < MotionGrid::kColumns; ++column) set += grid->Get(column, row);
  }
  Check(set == grid->Count());
  Check(grid->Any() == (set > 0));
  Check(grid->Intersects(MotionGrid::FromRect({0, 0, 1, 1})) == grid->Any());
  return 0;
}
