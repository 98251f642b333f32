#pragma once
// Base64 (RFC 4648 section 4, standard alphabet with '=' padding), for SDP
// sprop-parameter-sets (RFC 6184 section 8.1) and HTTP Basic credentials (RFC 7617). Pure.

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace sightline::rtsp {

// Decodes `text`. Rejects characters outside the alphabet, misplaced padding, non-zero
// trailing bits and a length that leaves a single dangling character, naming the offset.
// Missing final padding is accepted (some cameras omit it in sprop-parameter-sets).
Result<Bytes> Base64Decode(std::string_view text);

// Encodes with padding.
std::string Base64Encode(ByteSpan data);

}  // namespace sightline::rtsp
