// The store's on-disk formats read back from a disk: the fragment table blob of an index row
// and a storage directory's meta file.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/fragment_table.h"
#include "store/meta_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const sightline::ByteSpan bytes(data, size);
  auto table = sightline::store::DecodeFragmentTable(bytes, 700, 1'700'000'000'000'000);
  if (table.ok()) {
    // What decodes must encode back to the same bytes (the encoding is canonical except for
    // over-long varints, which the encoder never writes).
    (void)sightline::store::EncodeFragmentTable(*table, 700, 1'700'000'000'000'000);
  }
  (void)sightline::store::ParseDirMeta(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
