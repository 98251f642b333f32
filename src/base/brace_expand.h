#pragma once
// Expands numeric ranges in braces, as a shell would: "cam{0..3}" -> cam0 cam1 cam2 cam3,
// "cam{08..10}" keeps the zero padding. Several ranges multiply. Used for camera names and
// URLs given on the command line. Errors name the bad range.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sightline {

// Fails on an unterminated or malformed range, or when the expansion exceeds `max_items`.
Result<std::vector<std::string>> ExpandBraces(std::string_view pattern, size_t max_items = 100000);

}  // namespace sightline
