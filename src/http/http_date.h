#pragma once
// HTTP dates (RFC 9110 section 5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT". Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sightline::http {

// `unix_seconds` as an IMF-fixdate.
std::string FormatHttpDate(int64_t unix_seconds);
// Parses an IMF-fixdate (the only form a sender may generate); the obsolete RFC 850 and
// asctime forms, which recipients should accept, are taken too. nullopt when malformed.
std::optional<int64_t> ParseHttpDate(std::string_view text);

}  // namespace sightline::http
