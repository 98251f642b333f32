#include "support/frame_hash.h"

namespace sightline::testing {

uint64_t FrameHash(ByteSpan data) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (uint8_t b : data) {
    h ^= b;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace sightline::testing
