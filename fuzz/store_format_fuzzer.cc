// The store's on-disk formats read back from a disk: the fragment table blob of an index row,
// a motion grid chunk's data, and a storage directory's meta file.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/fragment_table.h"
#include "store/meta_file.h"
#include "store/motion_grid_chunk.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const sightline::ByteSpan bytes(data, size);
  auto table = sightline::store::DecodeFragmentTable(bytes, 700, 1'700'000'000'000'000);
  if (table.ok()) {
    // What decodes must encode back to the same bytes (the encoding is canonical except for
    // over-long varints, which the encoder never writes).
    (void)sightline::store::EncodeFragmentTable(*table, 700, 1'700'000'000'000'000);
  }
  sightline::store::MotionChunkReader reader(bytes, 1'700'000'000'000'000);
  int64_t time_us = 0, last_us = 0;
  const uint8_t* grid = nullptr;
  while (reader.Next(&time_us, &grid)) {
    // Every grid lies inside the input, and times never go back.
    if (grid < data || grid + sightline::store::kMotionGridBytes > data + size || time_us < last_us) {
      __builtin_trap();
    }
    last_us = time_us;
  }
  (void)sightline::store::ParseDirMeta(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
