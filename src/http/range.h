#pragma once
// ParseRange: the Range header of a request for a representation of `size` bytes
// (RFC 9110 section 14.2), single ranges only: "bytes=a-b", "bytes=a-", "bytes=-n".
//
// Errors, and what the server does with them:
//   OutOfRange       unsatisfiable (first byte at or past the end, "-0", empty file) -> 416
//   InvalidArgument  malformed -> the Range header is ignored (200), as section 14.2 requires
//   Unimplemented    several ranges -> ignored (200 with the whole file); section 14.2 lets a
//                    server ignore Range, and neither browsers' media elements nor hls.js
//                    send several ranges, so multipart/byteranges is not worth its code.
// Pure; thread-compatible.

#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace sightline::http {

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;  // at least 1
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

Result<ByteRange> ParseRange(std::string_view header, uint64_t size);

}  // namespace sightline::http
