// Fuzzes ParseRange. The first 8 bytes are the representation's size, the rest the header.
// Checks: an accepted range is non-empty and lies within the representation; a refusal is
// one of the three codes the server maps (416, ignore, ignore).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "http/range.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint64_t representation_size;
  std::memcpy(&representation_size, data, 8);
  // Small sizes half the time, so ranges near the end are reached.
  if (representation_size & 1) representation_size = (representation_size >> 1) % 4096;
  const std::string_view header(reinterpret_cast<const char*>(data + 8), size - 8);
  sightline::Result<sightline::http::ByteRange> r = sightline::http::ParseRange(header, representation_size);
  if (r.ok()) {
    Check(r->length >= 1);
    Check(r->offset < representation_size);
    Check(r->length <= representation_size - r->offset);
  } else {
    const sightline::StatusCode c = r.status().code();
    Check(c == sightline::StatusCode::kOutOfRange || c == sightline::StatusCode::kInvalidArgument ||
          c == sightline::StatusCode::kUnimplemented);
  }
  return 0;
}
