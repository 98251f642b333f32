#pragma once
// Sizes and durations as written in sightline.yaml: a bare non-negative integer, or one with a
// unit ("2GiB", "500ms", "30d"). Pure functions; errors quote the text and list the units.

#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace sightline::config {

// Bytes: "1048576", or an integer followed by B, KB, MB, GB, TB (powers of 1000) or KiB, MiB,
// GiB, TiB (powers of 1024); spaces may separate number and unit. Units are case-sensitive
// ("kb" could mean kilobits). Fractions, signs and values above INT64_MAX are errors.
Result<int64_t> ParseSizeBytes(std::string_view text);

// Milliseconds: "90" (seconds), or an integer followed by ms, s, m, h or d (24 h); spaces may
// separate number and unit. Fractions, signs and overflow of int64 milliseconds are errors.
Result<int64_t> ParseDurationMs(std::string_view text);

}  // namespace sightline::config
