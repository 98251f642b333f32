#pragma once
// A 64-bit hash of a frame's bytes, so tests can compare thousands of frames cheaply and print
// a short mismatch. Not cryptographic: it only has to make accidental equality unlikely.

#include <cstdint>

#include "base/bytes.h"

namespace sightline::testing {

// 64-bit FNV-1a (Fowler, Noll, Vo): offset basis 0xcbf29ce484222325, prime 0x100000001b3.
uint64_t FrameHash(ByteSpan data);

}  // namespace sightline::testing
