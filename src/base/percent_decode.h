#pragma once
// Decodes %XX escapes (RFC 3986 section 2.1), as URLs carry them: HTTP request targets and
// query strings, RTSP URL user info. Errors name the offset of the bad escape.

#include <string>
#include <string_view>

#include "base/result.h"

namespace sightline {

// Also decodes "+" as a space when `plus_is_space` (form-encoded query strings).
// InvalidArgument on a truncated or non-hex escape.
Result<std::string> PercentDecode(std::string_view s, bool plus_is_space = false);

}  // namespace sightline
