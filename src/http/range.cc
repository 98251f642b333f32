#include "http/range.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>

namespace sightline::http {

namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// Digits to a number, saturating at kMax (a position past any file is still a position).
// nullopt when `s` is empty or has a non-digit.
std::optional<uint64_t> ParseDigits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    v = v > (kMax - d) / 10 ? kMax : v * 10 + d;
  }
  return v;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<ByteRange> ParseRange(std::string_view header, uint64_t size) {
  // ranges-specifier = range-unit "=" range-set; the unit is case-insensitive (section 14.1).
  const size_t eq = header.find('=');
  if (eq == std::string_view::npos) return InvalidArgumentError("Range: no '='");
  const std::string_view unit = TrimOws(header.substr(0, eq));
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  if (unit.size() != 5 || lower(unit[0]) != 'b' || lower(unit[1]) != 'y' || lower(unit[2]) != 't' ||
      lower(unit[3]) != 'e' || lower(unit[4]) != 's') {
    return InvalidArgumentError("Range: unit is not bytes");
  }
  const std::string_view set = TrimOws(header.substr(eq + 1));
  if (set.find(',') != std::string_view::npos) {
    return UnimplementedError("Range: several ranges");
  }
  const size_t dash = set.find('-');
  if (dash == std::string_view::npos) return InvalidArgumentError("Range: no '-'");
  const std::string_view first_text = set.substr(0, dash);
  const std::string_view last_text = set.substr(dash + 1);
  const std::string unsatisfiable = "Range " + std::string(set) + " of " + std::to_string(size) + " bytes";

  if (first_text.empty()) {  // suffix-range: the last n bytes
    const std::optional<uint64_t> n = ParseDigits(last_text);
    if (!n) return InvalidArgumentError("Range: bad suffix length");
    if (*n == 0 || size == 0) return OutOfRangeError(unsatisfiable);
    const uint64_t length = std::min(*n, size);
    return ByteRange{size - length, length};
  }
  const std::optional<uint64_t> first = ParseDigits(first_text);
  if (!first) return InvalidArgumentError("Range: bad first position");
  uint64_t last = kMax;
  if (!last_text.empty()) {
    const std::optional<uint64_t> parsed = ParseDigits(last_text);
    if (!parsed) return InvalidArgumentError("Range: bad last position");
    if (*parsed < *first) return InvalidArgumentError("Range: last position before first");
    last = *parsed;
  }
  if (*first >= size) return OutOfRangeError(unsatisfiable);
  last = std::min(last, size - 1);
  return ByteRange{*first, last - *first + 1};
}

}  // namespace sightline::http
